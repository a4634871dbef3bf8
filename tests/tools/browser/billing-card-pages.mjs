// The customer's card pages where Stripe.js takes the card, checked with axe-core and at 390 px:
// the billing page offering two ways to pay, the Stripe payment page of a package and the card
// update page. Nothing is paid. Prints one JSON report line.
//
//   node billing-card-pages.mjs KASA_BASE_URL TOKEN PACKAGE_NAME
import { run, newPage, check } from './lib.mjs';

const [base, token, packageName] = process.argv.slice(2);

await run(async (browser, report) => {
  const page = await newPage(browser);
  await page.goto(`${base}/billing?token=${token}`);
  const card = page.locator('.package', { hasText: packageName });
  report.steps.payWith = await card.getByLabel(/pay with|ödeme yöntemi/i).locator('option').allInnerTexts();
  report.checks.push(await check(page, 'billing with a choice of payment'));
  await card.getByLabel(/pay with|ödeme yöntemi/i).selectOption('stripe');
  await Promise.all([page.waitForNavigation(), card.locator('button.buy').click()]);
  await page.locator('#card-element input').first().waitFor({ timeout: 15000 });
  report.steps.paymentSummary = await page.locator('main > p').first().innerText();
  report.checks.push(await check(page, 'stripe payment'));

  await page.goto(`${base}/billing/card`);
  await page.locator('#card-element input').first().waitFor({ timeout: 15000 });
  report.steps.cardButton = await page.locator('#pay').innerText();
  report.checks.push(await check(page, 'card update'));
});
