// Recording a payment received elsewhere in the console (ADR 0025), as a person does it: on the
// customer's page, the open payment request's "Record a payment received elsewhere" link; the
// form (method, reference, amount, date, note, reason) refuses a missing reference next to it;
// the confirmation states the effect; confirming twice (a reload or double click) records it
// once. The customer's page then shows the method and reference, in English and in Turkish.
// Every page is checked with axe-core and at 390 px. Prints one JSON line.
//
//   node console-import.mjs KASA_BASE_URL EMAIL PASSWORD CUSTOMER_ID
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password, customerId] = process.argv.slice(2);

function here(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

await run(async (browser, report) => {
  const page = await newPage(browser);
  await signIn(page, base, email, password);
  await page.goto(`${base}/console/language?to=en&back=${encodeURIComponent(`/console/customers/${customerId}`)}`);
  const steps = report.steps;

  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('link', { name: 'Record a payment received elsewhere' }).first().click(),
  ]);
  report.checks.push(await check(page, 'import form (en)'));
  steps.owed = await page.locator('dl.facts').innerText();

  // Without a reference: refused next to it.
  await page.getByLabel('Cash').check();
  await page.getByLabel('Reason').fill('Cash paid at the office');
  await submit(page, 'Continue');
  steps.missingReference = await page.locator('#reference-error').innerText();
  report.checks.push(await check(page, 'import refused (en)'));

  await page.getByLabel('Cash').check();
  await page.getByLabel('Reference').fill('MAKBUZ-0042');
  await page.getByLabel('Note (optional)').fill('Receipt 42, signed by the customer');
  await page.getByLabel('Reason').fill('Cash paid at the office');
  await submit(page, 'Continue');
  steps.effect = await page.locator('.confirm .effect').innerText();
  report.checks.push(await check(page, 'import confirmation (en)'));

  const button = 'Yes, record the payment';
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
  steps.import = { first, second };
  report.checks.push(await check(page, 'customer after import (en)'));
  steps.paymentCell = await page.locator('#purchases ~ .table-wrap td').nth(2).innerText();

  await page.goto(`${base}/console/language?to=tr&back=${encodeURIComponent(`/console/customers/${customerId}`)}`);
  report.checks.push(await check(page, 'customer after import (tr)'));
  steps.paymentCellTr = await page.locator('#purchases ~ .table-wrap td').nth(2).innerText();
});
