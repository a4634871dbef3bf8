// A customer pays through the `http` gateway in a real headless chromium: opens the billing
// link at 390 px, presses "buy" (the billing page is checked), is sent to the integrator's payment
// page (examples/http-gateway/receiver.py), approves, presses "Back to the shop", and lands on
// Kasa's result page (checked). Prints one JSON report line with what the result page says and
// the addresses the browser went through.
//
//   node http-gateway.mjs KASA_BASE_URL BILLING_LINK_TOKEN PACKAGE_NAME
import { run, newPage, check } from './lib.mjs';

const [base, token, packageName] = process.argv.slice(2);

await run(async (browser, report) => {
  const page = await newPage(browser, { width: 390, height: 844, locale: 'tr-TR' });
  await page.goto(`${base}/billing?token=${token}`);
  report.checks.push(await check(page, 'billing page with the http gateway'));
  await Promise.all([
    page.waitForNavigation(),
    page.locator('.package', { hasText: packageName }).locator('button.buy').click(),
  ]);
  report.steps.paymentPage = page.url();
  await Promise.all([page.waitForNavigation(), page.locator('#approve').click()]);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Back to the shop' }).click()]);
  report.steps.resultUrl = new URL(page.url()).pathname;
  report.steps.result = await page.locator('#result').innerText();
  report.checks.push(await check(page, 'result after the http gateway'));
});
