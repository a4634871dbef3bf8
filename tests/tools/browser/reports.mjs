// A finance user closes last month in the console without help: opens Reports from the menu,
// follows "Revenue: Last month" and reads the figures, downloads the invoice register and the
// KDV summary as CSV (the bytes are reported for the test to check), reads the prepaid-credit
// liability and the usage chart. Every page is checked with axe-core and at 390 px, in English
// and in Turkish. Prints one JSON report line.
//
//   node reports.mjs KASA_BASE_URL EMAIL PASSWORD
import { readFileSync } from 'node:fs';
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password] = process.argv.slice(2);
/** Where to keep screenshots of the pages (docs/screenshots), when asked. */
const shots = process.env.KASA_REPORTS_SCREENSHOTS;

async function shoot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

/** The page's headline figures: { label: value }. */
async function figures(page) {
  return page.locator('.cards.summary .card').evaluateAll((cards) => Object.fromEntries(
    cards.map((card) => [card.querySelector('h2').innerText.trim(), card.querySelector('.figure').innerText.trim()]),
  ));
}

/** What the page's charts are: their names and how many bars each has. */
async function charts(page) {
  return page.locator('svg.chart').evaluateAll((svgs) => svgs.map((svg) => ({
    name: svg.querySelector('title').textContent,
    role: svg.getAttribute('role'),
    bars: svg.querySelectorAll('rect.bar').length,
    ticks: svg.querySelectorAll('text.tick').length,
  })));
}

/** The first table's rows as text cells. */
async function rows(page) {
  return page.locator('table.report').first().locator('tbody tr').evaluateAll((trs) => trs.map(
    (tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()),
  ));
}

/** Clicks "Download CSV" and returns the file: name, hex of the first bytes, text lines. */
async function downloadCsv(page, name = 'Download CSV') {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name }).click(),
  ]);
  const bytes = readFileSync(await download.path());
  return {
    file: download.suggestedFilename(),
    first: [...bytes.subarray(0, 3)].map((byte) => byte.toString(16).padStart(2, '0')).join(''),
    lines: bytes.subarray(3).toString('utf8').split('\r\n'),
    crlf: bytes.includes(Buffer.from('\r\n')),
  };
}

await run(async (browser, report) => {
  const steps = report.steps;
  const page = await newPage(browser);
  await signIn(page, base, email, password);
  steps.menu = await page.locator('header nav a').allInnerTexts();

  // From the menu to the reports, then the shortcut to last month's revenue.
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Reports', exact: true }).click()]);
  report.checks.push(await check(page, 'reports (en)'));
  steps.reportsList = await page.locator('.cards.reports h2').allInnerTexts();
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Revenue: Last month' }).click()]);
  report.checks.push(await check(page, 'revenue, last month (en)'));
  steps.revenueUrl = new URL(page.url()).search;
  steps.revenueFigures = await figures(page);
  steps.revenueCharts = await charts(page);
  steps.revenueRows = await rows(page);
  await shoot(page, 'console-reports-revenue');

  // The invoice register for the same days, as CSV.
  const query = new URL(page.url()).search;
  await page.goto(`${base}/console/reports/invoices${query}`);
  report.checks.push(await check(page, 'invoice register (en)'));
  steps.registerFigures = await figures(page);
  steps.registerCsv = await downloadCsv(page);

  // The KDV summary, as CSV.
  await page.goto(`${base}/console/reports/tax${query.replace('group=day', 'group=month')}`);
  report.checks.push(await check(page, 'KDV summary (en)'));
  steps.taxFigures = await figures(page);
  steps.taxCsv = await downloadCsv(page);

  // The liability at the end of last month, and usage by department.
  await page.goto(`${base}/console/reports/credit-liability${query.replace('group=day', 'group=month')}`);
  report.checks.push(await check(page, 'credit liability (en)'));
  steps.liabilityFigures = await figures(page);
  steps.liabilityCharts = await charts(page);
  await shoot(page, 'console-reports-liability');
  await page.goto(`${base}/console/reports/usage${query}`);
  report.checks.push(await check(page, 'usage (en)'));
  steps.usageCharts = await charts(page);
  await shoot(page, 'console-reports-usage');
  for (const slug of ['refunds', 'subscriptions']) {
    await page.goto(`${base}/console/reports/${slug}${query}`);
    report.checks.push(await check(page, `${slug} (en)`));
  }

  // A date that is not one: the page says so and offers no download.
  await page.goto(`${base}/console/reports/revenue?from=2026-13-01&to=2026-01-01`);
  steps.badDate = {
    problem: await page.locator('.problem').allInnerTexts(),
    downloads: await page.getByRole('link', { name: 'Download CSV' }).count(),
  };
  report.checks.push(await check(page, 'revenue, a bad date (en)'));

  // In Turkish.
  await page.goto(`${base}/console/language?to=tr&back=${encodeURIComponent(`/console/reports/revenue${query}`)}`);
  report.checks.push(await check(page, 'revenue, last month (tr)'));
  steps.revenueFiguresTr = await figures(page);
  const phone = await newPage(browser, { width: 390, height: 844 });
  await signIn(phone, base, email, password);
  await phone.goto(page.url());
  await shoot(phone, 'console-reports-revenue-phone');
  steps.trDownload = await page.getByRole('link', { name: 'CSV indir' }).count();
  await page.goto(`${base}/console/reports`);
  report.checks.push(await check(page, 'reports (tr)'));
  await page.goto(`${base}/console/reports/credit-liability${query}`);
  report.checks.push(await check(page, 'credit liability (tr)'));
  steps.liabilityFiguresTr = await figures(page);
});
