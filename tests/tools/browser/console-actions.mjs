// Agents' actions in the console, as an agent with a refund limit: a partial refund and its
// confirmation, a refund over the limit refused next to the amount, removing credits, a grant
// that forfeits, a cancellation, card departments, tax details and an invoice sent again. Every confirmation is sent a
// second time (as a reload or a double click would) to show it changes nothing twice. Every
// page is checked with axe-core and at 390 px, in English and in Turkish. Prints one JSON line.
//
//   node console-actions.mjs KASA_BASE_URL EMAIL PASSWORD CUSTOMER_ID PURCHASE_ID INVOICE_ID
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password, customerId, purchaseId, invoiceId] = process.argv.slice(2);

/** The path and query of the page's address. */
function here(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/**
 * Presses the confirmation's button, then sends the very same form once more (what a reload of
 * the POST or a double click sends): returns where each ended.
 */
async function confirmTwice(page, button) {
  const form = page.locator('form', { has: page.getByRole('button', { name: button }) });
  const action = await form.getAttribute('action');
  const fields = await form.evaluate((element) => [...new FormData(element).entries()]);
  fields.push(['step', 'confirm']);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
  const first = here(page);
  const second = await page.evaluate(async ({ action, fields }) => {
    const response = await fetch(action, { method: 'POST', body: new URLSearchParams(fields) });
    const url = new URL(response.url);
    return url.pathname + url.search;
  }, { action, fields });
  return { first, second };
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

await run(async (browser, report) => {
  const page = await newPage(browser);
  await signIn(page, base, email, password);
  const steps = report.steps;

  // A partial refund: the form shows the limits, the confirmation states the effect.
  await page.goto(`${base}/console/purchases/${purchaseId}/refund`);
  report.checks.push(await check(page, 'refund form (en)'));
  steps.refundFacts = await page.locator('dl.facts').innerText();
  await page.getByLabel('Amount').fill('40.00');
  await page.getByLabel('Reason').fill('Customer asked for a partial refund');
  await submit(page, 'Continue');
  steps.refundEffect = await page.locator('.confirm .effect').innerText();
  report.checks.push(await check(page, 'refund confirmation (en)'));
  steps.refund = await confirmTwice(page, 'Yes, refund');

  // More than the role's limit leaves today: refused, next to the amount.
  await page.goto(`${base}/console/purchases/${purchaseId}/refund`);
  await page.getByLabel('Amount').fill('30.00');
  await page.getByLabel('Reason').fill('Customer asked for more');
  await submit(page, 'Continue');
  await submit(page, 'Yes, refund');
  steps.overLimitStatus = here(page);
  steps.overLimit = await page.locator('#amount-error').innerText();
  report.checks.push(await check(page, 'refund refused (en)'));

  // A reason is required.
  await page.goto(`${base}/console/customers/${customerId}/adjust`);
  report.checks.push(await check(page, 'adjust form (en)'));
  await page.getByLabel('Remove credits').check();
  await page.getByLabel('Credits', { exact: true }).fill('3');
  await submit(page, 'Continue');
  steps.reasonMissing = await page.locator('#reason-error').innerText();
  await page.getByLabel('Remove credits').check();
  await page.getByLabel('Reason').fill('Opened by mistake');
  await submit(page, 'Continue');
  steps.adjustEffect = await page.locator('.confirm .effect').innerText();
  report.checks.push(await check(page, 'adjust confirmation (en)'));
  steps.adjust = await confirmTwice(page, 'Yes, remove the credits');

  // A grant of the other kind: the forfeit is confirmed first.
  await page.goto(`${base}/console/customers/${customerId}/grant`);
  report.checks.push(await check(page, 'grant form (en)'));
  const monthly = await page.locator('#package option', { hasText: 'Aylık' }).getAttribute('value');
  await page.getByLabel('Package').selectOption(monthly);
  await page.getByLabel('Reason').fill('Goodwill month');
  await submit(page, 'Grant');
  steps.grantEffect = await page.locator('.confirm .effect').innerText();
  report.checks.push(await check(page, 'grant forfeit confirmation (en)'));
  steps.grant = await confirmTwice(page, 'Yes, grant and forfeit');

  // Cancel at the end of the paid time.
  await page.goto(`${base}/console/customers/${customerId}/cancel`);
  report.checks.push(await check(page, 'cancel form (en)'));
  await page.getByLabel('At the end of the paid time').check();
  await page.getByLabel('Reason').fill('Customer is leaving');
  await submit(page, 'Continue');
  steps.cancelEffect = await page.locator('.confirm .effect').innerText();
  report.checks.push(await check(page, 'cancel confirmation (en)'));
  steps.cancel = await confirmTwice(page, 'Yes, cancel the subscription');

  // Card departments by hand.
  await page.goto(`${base}/console/customers/${customerId}/departments`);
  report.checks.push(await check(page, 'departments (en)'));
  await page.getByLabel('Satış').check();
  await page.getByLabel('Reason').fill('Sales questions allowed');
  await submit(page, 'Save');
  steps.departments = here(page);

  // Tax details: a wrong tax id is refused next to it, then saved.
  await page.goto(`${base}/console/customers/${customerId}/tax-details`);
  report.checks.push(await check(page, 'tax details (en)'));
  await page.getByLabel('Tax id').fill('12345678901');
  await page.getByLabel('Tax office').fill('Kadıköy');
  await page.getByLabel('Billing address').fill('Moda Cad. 1\nKadıköy, İstanbul');
  await page.getByLabel('Reason').fill('Customer sent their details');
  await submit(page, 'Save');
  steps.taxRefused = await page.locator('#tax_id-error').innerText();
  report.checks.push(await check(page, 'tax details refused (en)'));
  await page.getByLabel('Tax id').fill('DE123456789');
  await submit(page, 'Save');
  steps.taxDetails = here(page);

  // A void of a payment recorded by an agent: refused with words a person can act on.
  await page.goto(`${base}/console/purchases/${purchaseId}/void`);
  report.checks.push(await check(page, 'void form (en)'));
  await page.getByLabel('Reason').fill('Wrong customer');
  await submit(page, 'Continue');
  await submit(page, 'Yes, void the payment');
  steps.voidRefused = await page.locator('.problem').innerText();
  await page.goto(`${base}/console/purchases/${purchaseId}/capture`);
  report.checks.push(await check(page, 'capture form (en)'));

  // The purchase's invoice sent again, once though sent twice.
  await page.goto(`${base}/console/invoices/${invoiceId}/resend`);
  report.checks.push(await check(page, 'resend (en)'));
  steps.resendFacts = await page.locator('dl.facts').innerText();
  await page.getByLabel('Reason').fill('Customer lost the e-mail');
  steps.resend = await confirmTwice(page, 'Send again');

  // The same pages in Turkish.
  await page.goto(`${base}/console/language?to=tr&back=${encodeURIComponent(`/console/purchases/${purchaseId}/refund`)}`);
  steps.turkishHeading = await page.locator('h1').innerText();
  report.checks.push(await check(page, 'refund form (tr)'));
  await page.getByLabel('Tutar').fill('15,00');
  await page.getByLabel('Gerekçe').fill('Müşteri istedi');
  await submit(page, 'Devam et');
  steps.turkishEffect = await page.locator('.confirm .effect').innerText();
  report.checks.push(await check(page, 'refund confirmation (tr)'));
  await submit(page, 'Evet, iade et');
  steps.turkishOverLimit = await page.locator('#amount-error').innerText();
  for (const [path, label] of [
    [`/console/customers/${customerId}/grant`, 'grant form (tr)'],
    [`/console/customers/${customerId}/adjust`, 'adjust form (tr)'],
    [`/console/customers/${customerId}/cancel`, 'cancel form (tr)'],
    [`/console/customers/${customerId}/departments`, 'departments (tr)'],
    [`/console/customers/${customerId}/tax-details`, 'tax details (tr)'],
    [`/console/purchases/${purchaseId}/void`, 'void form (tr)'],
    [`/console/purchases/${purchaseId}/capture`, 'capture form (tr)'],
    [`/console/invoices/${invoiceId}/resend`, 'resend (tr)'],
  ]) {
    await page.goto(`${base}${path}`);
    report.checks.push(await check(page, label));
  }
});
