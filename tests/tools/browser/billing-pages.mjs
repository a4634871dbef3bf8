// The customer's billing pages in both languages: the billing page (what they hold, the
// packages, a forfeit warning), the card form that posts to the bank, and the page an invalid
// link shows; every page checked with axe-core and at 390 px. Prints one JSON report line.
//
//   node billing-pages.mjs KASA_BASE_URL TURKISH_TOKEN ENGLISH_TOKEN PACKAGE_NAME
import { run, newPage, check } from './lib.mjs';

const [base, turkishToken, englishToken, packageName] = process.argv.slice(2);

/** The billing page, the card form of `packageName`, checked; what they say goes in `steps`. */
async function visit(browser, report, token, language) {
  const page = await newPage(browser, { locale: language === 'tr' ? 'tr-TR' : 'en-GB' });
  await page.goto(`${base}/billing?token=${token}`);
  const steps = {};
  steps.url = new URL(page.url()).pathname + new URL(page.url()).search;
  steps.lang = await page.locator('html').getAttribute('lang');
  steps.heading = await page.locator('h1').innerText();
  steps.holding = await page.locator('#holding').innerText();
  steps.packages = await page.locator('.package').allInnerTexts();
  report.checks.push(await check(page, `billing (${language})`));
  await Promise.all([
    page.waitForNavigation(),
    page.locator('.package', { hasText: packageName }).locator('button.buy').click(),
  ]);
  steps.cardFormSummary = await page.locator('main > p').first().innerText();
  steps.cardLabels = await page.locator('form#card label').allInnerTexts();
  report.checks.push(await check(page, `card form (${language})`));
  report.steps[language] = steps;
}

await run(async (browser, report) => {
  await visit(browser, report, turkishToken, 'tr');
  await visit(browser, report, englishToken, 'en');

  const invalid = await newPage(browser, { locale: 'tr-TR' });
  await invalid.goto(`${base}/billing?token=kasa_customer_unknown`);
  report.steps.invalid = await invalid.locator('#result').innerText();
  report.checks.push(await check(invalid, 'invalid link (tr)'));

  // The page's own policy, enforced: nothing it loads is refused.
  const strict = await newPage(browser, { strictCsp: true });
  await strict.goto(`${base}/billing?token=${englishToken}`);
  await strict.waitForLoadState('load');
  report.steps.cspErrors = strict.cspErrors;
});
