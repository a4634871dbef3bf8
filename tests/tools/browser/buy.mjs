// A customer buys a package in a real headless browser (Debian's chromium, driven by
// playwright-core): opens their billing link, presses "buy" on the package named on the command
// line, types the card into the form that posts to the bank, passes the bank's 3-D Secure page
// by clicking, and lands back on Kasa's result page. Prints one JSON line: what the result page
// says, and every address the browser sent the card number to.
//
//   node buy.mjs KASA_BASE_URL BILLING_LINK_TOKEN PACKAGE_NAME CARD_NUMBER
import { chromium } from 'playwright-core';

const [base, token, packageName, card] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.KASA_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const cardSentTo = [];
try {
  const page = await browser.newPage();
  page.on('request', (request) => {
    const body = request.postData() || '';
    if (body.includes(card)) cardSentTo.push(new URL(request.url()).origin);
  });
  await page.goto(`${base}/billing?token=${token}`);
  await page.locator('.package', { hasText: packageName }).locator('button.buy').click();
  await page.waitForLoadState('load');
  await page.fill('input[name=pan]', card);
  await page.fill('input[name=Ecom_Payment_Card_ExpDate_Month]', '12');
  await page.fill('input[name=Ecom_Payment_Card_ExpDate_Year]', '30');
  await page.fill('input[name=cv2]', '123');
  await page.click('#pay');
  // The bank's pages: press their button until the browser is back at Kasa's result page.
  for (let step = 0; step < 6; step += 1) {
    await page.waitForLoadState('load');
    if (page.url().startsWith(base) && (await page.locator('#result').count()) > 0) break;
    const button = page.locator('button[type=submit], input[type=submit], button').first();
    if ((await button.count()) === 0) {
      await page.waitForTimeout(500);
      continue;
    }
    await Promise.all([page.waitForNavigation({ timeout: 15000 }).catch(() => {}), button.click()]);
  }
  const result = await page.locator('#result').innerText({ timeout: 15000 });
  console.log(JSON.stringify({ result, url: page.url(), cardSentTo }));
} finally {
  await browser.close();
}
