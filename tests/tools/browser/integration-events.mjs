// An integration's "charging from events" console page as an administrator: Kasa makes a
// webhook secret (shown once, on the POST's own answer), a bad mapping line is refused next to
// the field, a good mapping is saved and read back; in English and in Turkish, every page
// checked with axe-core and at 390 px. Prints one JSON report line.
//
//   node integration-events.mjs KASA_BASE_URL ADMIN_EMAIL ADMIN_PASSWORD INTEGRATION_ID
import { run, newPage, signIn, check } from './lib.mjs';

const [base, adminEmail, adminPassword, integration] = process.argv.slice(2);

async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response;
}

await run(async (browser, report) => {
  const steps = report.steps;
  const page = await newPage(browser);
  await signIn(page, base, adminEmail, adminPassword);

  await page.goto(`${base}/console/integrations`);
  await submit(page, page.getByRole('link', { name: /charging from events/i }).first());
  steps.pageUrl = new URL(page.url()).pathname;
  steps.webhookUrl = await page.locator('dl.facts code').first().innerText();
  steps.secretBefore = await page.locator('dl.facts dd').nth(1).innerText();
  report.checks.push(await check(page, 'integration events (en)'));

  // Kasa makes the secret: shown on this answer only, never cached.
  await page.getByLabel(/reason/i).first().fill('connect the help desk');
  const made = await submit(page, page.getByRole('button', { name: /set the secret/i }));
  steps.madeCacheControl = made.headers()['cache-control'] || '';
  steps.madeSecret = await page.locator('code.secret').innerText();
  report.checks.push(await check(page, 'secret made (en)'));
  await page.goto(`${base}/console/integrations/${integration}/events`);
  steps.secretShownAgain = await page.locator('code.secret').count();

  // A line that is not `route = department` is refused beside the field.
  await page.getByLabel(/one line per route/i).fill('group:98738 Teknik Destek');
  await page.getByLabel(/reason/i).nth(1).fill('route billing');
  await submit(page, page.getByRole('button', { name: /save the mapping/i }));
  steps.mappingError = await page.locator('#mapping ~ p.problem, form[aria-labelledby=mapping] ~ p.problem, p.problem').first().innerText();
  report.checks.push(await check(page, 'mapping refused (en)'));

  await page.getByLabel(/one line per route/i).fill('group:98738 = Teknik Destek\n* = Teknik Destek');
  await page.getByLabel(/reason/i).nth(1).fill('route billing');
  await submit(page, page.getByRole('button', { name: /save the mapping/i }));
  steps.savedNotice = await page.locator('[role=status]').first().innerText();
  steps.savedMapping = await page.getByLabel(/one line per route/i).inputValue();

  const turkish = await newPage(browser, { locale: 'tr-TR' });
  await signIn(turkish, base, adminEmail, adminPassword);
  await turkish.goto(`${base}/console/integrations/${integration}/events`);
  steps.turkishHeading = await turkish.locator('h1').innerText();
  report.checks.push(await check(turkish, 'integration events (tr)'));
});
