// The console's access and operations pages as an administrator: add an agent, set a refund
// limit, create an API key (shown once) and revoke it, retry an undelivered e-mail, filter the
// audit log, read the dashboard; then the agent signs in and sees only what the role allows.
// Every page is checked with axe-core and at 390 px, in English and in Turkish.
// Prints one JSON report line.
//
//   node console-access.mjs KASA_BASE_URL ADMIN_EMAIL ADMIN_PASSWORD AGENT_EMAIL AGENT_PASSWORD
import { run, newPage, signIn, check } from './lib.mjs';

const [base, adminEmail, adminPassword, agentEmail, agentPassword] = process.argv.slice(2);

/** Submits the form of `button` and waits for the next page. */
async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response;
}

/** The status of a JSON API call with `key`. */
async function apiStatus(key) {
  const response = await fetch(`${base}/v1/departments`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return response.status;
}

const notice = (page) => page.locator('[role=status]').first().innerText();

await run(async (browser, report) => {
  const steps = report.steps;
  const page = await newPage(browser);
  await signIn(page, base, adminEmail, adminPassword);
  steps.afterSignIn = new URL(page.url()).pathname;
  steps.adminMenu = await page.locator('header nav a').allInnerTexts();

  // The dashboard, after the purchase the test seeded through the JSON API.
  steps.purchasesToday = await page.locator('#purchases-today').innerText();
  steps.undeliveredCard = await page.locator('#undelivered-mail').innerText();
  report.checks.push(await check(page, 'dashboard (en)'));

  // Add an agent.
  await page.goto(`${base}/console/users`);
  report.checks.push(await check(page, 'users (en)'));
  await page.getByLabel('Name', { exact: true }).fill('Ali Ajan');
  await page.getByLabel('E-mail address', { exact: true }).fill(agentEmail);
  await page.locator('#new-role').selectOption('agent');
  await page.getByLabel('Initial password').fill(agentPassword);
  await page.locator('#new-reason').fill('new support agent');
  await submit(page, page.getByRole('button', { name: 'Add user' }));
  steps.userAdded = await notice(page);
  const agentRow = page.getByRole('row').filter({ hasText: agentEmail });
  steps.agentRow = await agentRow.innerText();
  // A password too short: refused next to the form, nothing added.
  await page.getByLabel('Name', { exact: true }).fill('Kısa Parola');
  await page.getByLabel('E-mail address', { exact: true }).fill('kisa@example.com');
  await page.getByLabel('Initial password').fill('short');
  await page.locator('#new-password').evaluate((input) => input.removeAttribute('minlength'));
  await page.locator('#new-reason').fill('try');
  await submit(page, page.getByRole('button', { name: 'Add user' }));
  steps.shortPassword = await page.locator('[role=alert]').innerText();
  report.checks.push(await check(page, 'users with a refusal (en)'));
  // Disabling oneself: refused, with the reason a person can act on.
  const own = page.getByRole('row').filter({ hasText: adminEmail });
  await own.locator('summary').click();
  await own.locator('input[name=disabled]').check();
  await own.getByLabel('Reason').fill('leaving');
  await submit(page, own.getByRole('button', { name: 'Save' }));
  steps.disableSelf = await page.locator('#change-problem').innerText();

  // A refund limit for agents.
  await page.goto(`${base}/console/roles`);
  report.checks.push(await check(page, 'roles (en)'));
  await page.locator('#limit-role').selectOption('agent');
  await page.getByLabel('Limit', { exact: true }).fill('250.00');
  await page.getByLabel('Currency').selectOption('TRY');
  await page.locator('#limit-reason').fill('agents refund small amounts');
  await submit(page, page.getByRole('button', { name: 'Save the limit' }));
  steps.limitSaved = await notice(page);
  steps.agentLimits = await page.getByRole('row').filter({ hasText: 'Support agent' }).innerText();

  // An API key, shown once.
  await page.goto(`${base}/console/api-keys`);
  report.checks.push(await check(page, 'api keys (en)'));
  await page.getByLabel('Name', { exact: true }).fill('Zendesk test');
  await page.locator('#key-role').selectOption('help_desk');
  await page.locator('#key-reason').fill('help desk integration');
  const created = await submit(page, page.getByRole('button', { name: 'Create key' }));
  steps.createdCacheControl = created.headers()['cache-control'];
  steps.createdUrl = new URL(page.url()).pathname + new URL(page.url()).search;
  steps.copyNow = await page.locator('.ok').innerText();
  const key = await page.locator('#new-key').inputValue();
  steps.keyShown = key.startsWith('kasa_');
  report.checks.push(await check(page, 'api key created (en)'));
  steps.keyWorks = await apiStatus(key);
  await page.goto(`${base}/console/api-keys`);
  steps.keyOnListAfterwards = (await page.content()).includes(key);
  try {
    await page.goBack();
    steps.keyAfterGoingBack = (await page.content()).includes(key);
  } catch (error) {
    steps.keyAfterGoingBack = false;
  }
  await page.goto(`${base}/console/api-keys`);
  await page.getByRole('link', { name: 'Revoke Zendesk test' }).click();
  await page.waitForLoadState('load');
  steps.revokeEffect = await page.locator('form.confirm p').first().innerText();
  report.checks.push(await check(page, 'revoke confirmation (en)'));
  await page.getByLabel('Reason').fill('integration replaced');
  await submit(page, page.getByRole('button', { name: 'Revoke the key' }));
  steps.keyRevoked = await notice(page);
  steps.keyAfterRevoke = await apiStatus(key);

  // The outbox: the mail server is unreachable, so the purchase's mail waits.
  await page.goto(`${base}/console/outbox`);
  report.checks.push(await check(page, 'outbox (en)'));
  const rows = page.locator('main table tbody tr');
  steps.undeliveredRows = await rows.count();
  steps.firstUndelivered = await rows.first().innerText();
  await rows.first().getByLabel('Reason').fill('mail server fixed');
  await submit(page, rows.first().getByRole('button', { name: 'Retry now' }));
  steps.retried = await notice(page);

  // The audit log, filtered to the agent's record.
  await page.goto(`${base}/console/users`);
  await page.getByRole('row').filter({ hasText: agentEmail }).getByRole('link', { name: 'History' }).click();
  await page.waitForLoadState('load');
  steps.agentHistory = await page.locator('main table tbody').innerText();
  report.checks.push(await check(page, 'audit filtered (en)'));
  await page.getByLabel('About').fill('');
  await page.getByLabel('Action').fill('outbox.retried');
  await submit(page, page.getByRole('button', { name: 'Filter' }));
  steps.retryAudit = await page.locator('main table tbody').innerText();

  // The dashboard again: the retried mail is still counted until it is delivered.
  await page.goto(`${base}/console`);
  steps.refundsCard = await page.locator('#refunds-today').innerText();

  // Turkish: every page once.
  await page.getByRole('link', { name: 'Türkçe' }).click();
  await page.waitForLoadState('load');
  steps.turkishHeading = await page.locator('h1').innerText();
  report.checks.push(await check(page, 'dashboard (tr)'));
  for (const [path, label] of [
    ['/console/users', 'users (tr)'],
    ['/console/roles', 'roles (tr)'],
    ['/console/api-keys', 'api keys (tr)'],
    ['/console/outbox', 'outbox (tr)'],
    ['/console/audit', 'audit (tr)'],
  ]) {
    await page.goto(`${base}${path}`);
    report.checks.push(await check(page, label));
  }
  await page.goto(`${base}/console/api-keys`);
  await page.locator('#key-name').fill('Freshdesk');
  await page.locator('#key-reason').fill('deneme');
  await submit(page, page.getByRole('button', { name: 'Anahtarı oluştur' }));
  steps.turkishCopyNow = await page.locator('.ok').innerText();
  report.checks.push(await check(page, 'api key created (tr)'));
  await page.goto(`${base}/console/api-keys`);
  await page.getByRole('link', { name: 'Freshdesk anahtarını iptal et' }).click();
  await page.waitForLoadState('load');
  report.checks.push(await check(page, 'revoke confirmation (tr)'));

  // The agent: only what the role allows.
  const agent = await newPage(browser);
  await signIn(agent, base, agentEmail, agentPassword);
  steps.agentMenu = await agent.locator('header nav a').allInnerTexts();
  steps.agentDashboard = await agent.locator('main').innerText();
  report.checks.push(await check(agent, 'dashboard as agent (en)'));
  await agent.goto(`${base}/console/users`);
  steps.agentUsers = await agent.locator('main').innerText();
  await agent.goto(`${base}/console/roles`);
  steps.agentRoleForm = await agent.locator('#limit-amount').count();
  report.checks.push(await check(agent, 'roles as agent (en)'));
});
