// Signing in to the console in both languages, finding a customer, signing out; every page
// checked with axe-core and at 390 px. Prints one JSON report line.
//
//   node console-sign-in.mjs KASA_BASE_URL EMAIL PASSWORD CUSTOMER_EMAIL
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password, customerEmail] = process.argv.slice(2);

await run(async (browser, report) => {
  // A wrong password: the form says so, in the page's language.
  const page = await newPage(browser, { strictCsp: true });
  await page.goto(`${base}/console/customers`);
  report.steps.redirectedTo = new URL(page.url()).pathname;
  await page.getByLabel(/e-mail/i).fill(email);
  await page.getByLabel(/^password$/i).fill('wrong password!');
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForLoadState('load');
  report.steps.refused = await page.locator('[role=alert]').innerText();
  await signIn(page, base, email, password);
  // Signing in from /console/customers comes back there.
  await page.goto(`${base}/console/sign-in?back=%2Fconsole%2Fcustomers`);
  report.steps.cspErrors = page.cspErrors;

  const checked = await newPage(browser);
  await checked.goto(`${base}/console/sign-in`);
  report.checks.push(await check(checked, 'sign-in (en)'));
  await signIn(checked, base, email, password);
  report.steps.afterSignIn = new URL(checked.url()).pathname;
  await checked.getByLabel(/e-mail, name/i).fill(customerEmail);
  await checked.getByRole('button', { name: /^search$/i }).click();
  await checked.waitForLoadState('load');
  report.steps.found = await checked.locator('main table tbody').innerText();
  report.checks.push(await check(checked, 'customers (en)'));
  await checked.getByRole('link', { name: 'Türkçe' }).click();
  await checked.waitForLoadState('load');
  report.steps.turkishHeading = await checked.locator('h1').innerText();
  report.steps.turkishUrl = new URL(checked.url()).pathname + new URL(checked.url()).search;
  report.checks.push(await check(checked, 'customers (tr)'));
  await checked.getByRole('button', { name: /oturumu kapat/i }).click();
  await checked.waitForLoadState('load');
  report.steps.signedOut = await checked.locator('[role=status]').innerText();
  await checked.goto(`${base}/console/customers`);
  report.steps.afterSignOut = new URL(checked.url()).pathname;
});
