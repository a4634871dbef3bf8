// The customer portal's own pages (issue 16) in a real headless chromium, in Turkish and
// English: the packages, the history with a document downloaded, the tax details form (with
// its errors, then saved), the payment card page, a refused payment's result with its retry,
// the language switch, and the expired link's "e-mail me a new link". Every page is checked
// with axe-core and at 390 px. Prints one JSON report line; the downloaded PDFs are saved in
// OUT_DIR for the test to read back with pdftotext.
//
//   node portal.mjs KASA_BASE_URL OUT_DIR TR_TOKEN TR_DECLINED_PATH EN_TOKEN EN_DECLINED_PATH
import path from 'node:path';
import { run, newPage, check } from './lib.mjs';

const [base, outDir, trToken, trDeclined, enToken, enDeclined] = process.argv.slice(2);

/** Every page of one customer, in their language; what they say goes in `steps`. */
async function visit(browser, report, token, declinedPath, language) {
  const page = await newPage(browser, { width: 390, height: 844, locale: language === 'tr' ? 'tr-TR' : 'en-GB' });
  const steps = {};
  await page.goto(`${base}/billing?token=${token}`);
  steps.lang = await page.locator('html').getAttribute('lang');
  steps.seller = await page.locator('#seller-name').innerText();
  steps.support = await page.locator('#support-email').innerText();
  steps.coverage = await page.locator('.coverage').first().innerText();
  report.checks.push(await check(page, `packages (${language})`));

  await page.getByRole('link', { name: language === 'tr' ? 'Ödemeler ve belgeler' : 'Payments and documents' }).click();
  await page.waitForLoadState('load');
  steps.historyUrl = new URL(page.url()).pathname;
  steps.history = await page.locator('.history-entry').allInnerTexts();
  report.checks.push(await check(page, `history (${language})`));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a.document').first().click(),
  ]);
  const saved = path.join(outDir, `portal-${language}.pdf`);
  await download.saveAs(saved);
  steps.pdf = saved;

  await page.goto(`${base}/billing/tax-details`);
  report.checks.push(await check(page, `tax details (${language})`));
  await page.locator('#tax-id').fill('12345678901');
  await Promise.all([page.waitForNavigation(), page.locator('#tax-details button[type=submit]').click()]);
  steps.taxError = await page.locator('#tax-id-error').innerText();
  steps.taxErrorDescribed = await page.locator('#tax-id').getAttribute('aria-describedby');
  report.checks.push(await check(page, `tax details with an error (${language})`));
  await page.locator('#tax-id').fill('10000000146');
  await page.locator('#tax-office').fill('Kadıköy');
  await page.locator('#billing-address').fill('Atatürk Cad. 1\nİstanbul');
  await Promise.all([page.waitForNavigation(), page.locator('#tax-details button[type=submit]').click()]);
  steps.taxSaved = await page.locator('p.warning').innerText();
  steps.taxSavedUrl = new URL(page.url()).pathname + new URL(page.url()).search;

  await page.goto(`${base}/billing/payment-method`);
  steps.card = await page.locator('#nestpay-card-note').innerText();
  report.checks.push(await check(page, `payment card (${language})`));

  await page.goto(`${base}${declinedPath}`);
  steps.declined = await page.locator('#result').innerText();
  steps.retry = await page.locator('#retry button').innerText();
  report.checks.push(await check(page, `refused payment (${language})`));

  // The switch: the other language, remembered; then back.
  await Promise.all([page.waitForNavigation(), page.locator('#language-switch').click()]);
  steps.switchedLang = await page.locator('html').getAttribute('lang');
  steps.switchedUrl = new URL(page.url()).pathname;
  report.checks.push(await check(page, `refused payment, switched (${language})`));
  await page.goto(`${base}/billing`);
  steps.rememberedLang = await page.locator('html').getAttribute('lang');
  await Promise.all([page.waitForNavigation(), page.locator('#language-switch').click()]);
  steps.backLang = await page.locator('html').getAttribute('lang');

  // An expired link, in the browser's language: e-mail me a new link.
  const stranger = await newPage(browser, { width: 390, height: 844, locale: language === 'tr' ? 'tr-TR' : 'en-GB' });
  await stranger.goto(`${base}/billing?token=kasa_customer_expired`);
  steps.expiredLang = await stranger.locator('html').getAttribute('lang');
  report.checks.push(await check(stranger, `expired link (${language})`));
  await stranger.locator('#new-link-email').fill('not an address');
  await Promise.all([stranger.waitForNavigation(), stranger.locator('#new-link button').click()]);
  steps.newLinkError = await stranger.locator('#new-link-email-error').innerText();
  report.checks.push(await check(stranger, `expired link with an error (${language})`));
  await stranger.locator('#new-link-email').fill('someone@example.com');
  await Promise.all([stranger.waitForNavigation(), stranger.locator('#new-link button').click()]);
  steps.newLinkSent = await stranger.locator('#result').innerText();
  steps.newLinkUrl = new URL(stranger.url()).pathname;
  report.checks.push(await check(stranger, `new link sent (${language})`));

  report.steps[language] = steps;
}

await run(async (browser, report) => {
  await visit(browser, report, trToken, trDeclined, 'tr');
  await visit(browser, report, enToken, enDeclined, 'en');

  // The pages' own policy, enforced: nothing they load is refused.
  const strict = await newPage(browser, { strictCsp: true });
  await strict.goto(`${base}/billing?token=${enToken}`);
  await strict.goto(`${base}/billing/history`);
  await strict.goto(`${base}/billing/tax-details`);
  await strict.waitForLoadState('load');
  report.steps.cspErrors = strict.cspErrors;
});
