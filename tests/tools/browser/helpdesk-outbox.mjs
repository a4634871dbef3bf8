// The console's help-desk pages as an administrator: an integration's API connection saved with
// a new secret (never shown back), then a help-desk call that was refused for good retried with
// a reason. Every page is checked with axe-core and at 390 px; the calls page in Turkish too.
// Prints one JSON report line.
//
//   node helpdesk-outbox.mjs KASA_BASE_URL ADMIN_EMAIL ADMIN_PASSWORD INTEGRATION_ID SECRET
import { run, newPage, signIn, check } from './lib.mjs';

const [base, adminEmail, adminPassword, integration, secret] = process.argv.slice(2);

async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response;
}

const notice = (page) => page.locator('[role=status]').first().innerText();

await run(async (browser, report) => {
  const steps = report.steps;
  const page = await newPage(browser);
  await signIn(page, base, adminEmail, adminPassword);

  await page.goto(`${base}/console/integrations`);
  steps.connectionLink = await page.getByRole('link', { name: /API connection/ }).count();
  await page.goto(`${base}/console/integrations/${integration}/connection`);
  report.checks.push(await check(page, 'integration connection (en)'));
  steps.savedBefore = await page.locator('dl.facts').innerText();
  await page.getByLabel('Secret', { exact: true }).fill(secret);
  await page.getByLabel('Reason', { exact: true }).fill('the right token');
  await submit(page, page.getByRole('button', { name: 'Save the connection' }));
  steps.saved = await notice(page);
  steps.secretShown = (await page.content()).includes(secret);
  report.checks.push(await check(page, 'integration connection saved (en)'));

  await page.goto(`${base}/console/outbox`);
  await submit(page, page.getByRole('link', { name: /Help-desk calls/ }));
  report.checks.push(await check(page, 'help-desk calls (en)'));
  steps.rows = await page.locator('tbody tr').count();
  steps.error = await page.locator('tbody tr td').nth(4).innerText();
  await page.getByLabel('Reason', { exact: true }).first().fill('token fixed');
  await submit(page, page.getByRole('button', { name: 'Retry now' }).first());
  steps.retried = await notice(page);

  const turkish = await newPage(browser, { locale: 'tr-TR' });
  await signIn(turkish, base, adminEmail, adminPassword);
  await turkish.goto(`${base}/console/help-desk-calls`);
  steps.turkishTitle = await turkish.locator('h1').innerText();
  report.checks.push(await check(turkish, 'help-desk calls (tr)'));
});
