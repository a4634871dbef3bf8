// A customer saves a card in a real headless browser (Debian's chromium, driven by
// playwright-core) on Kasa's Stripe card page: opens their billing link, follows "update my
// card", types the card into Stripe.js's card element (localstripe's, in tests), saves, and
// lands back on the billing page. Prints one JSON line: the page's notice, where the browser
// ended, and every origin the browser sent the card number to.
//
//   node save-card.mjs KASA_BASE_URL BILLING_LINK_TOKEN CARD_NUMBER
import { chromium } from 'playwright-core';

const [base, token, card] = process.argv.slice(2);
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
  await Promise.all([page.waitForNavigation(), page.click('#update-card')]);
  const element = page.locator('#card-element');
  await element.locator('input[placeholder=number]').fill(card);
  await element.locator('input[placeholder=exp_month]').fill('12');
  await element.locator('input[placeholder=exp_year]').fill('34');
  await element.locator('input[placeholder=cvc]').fill('123');
  await element.locator('input[placeholder=postal_code]').fill('34710');
  await Promise.all([
    page.waitForURL(/\/billing\?card=/, { timeout: 15000 }),
    page.click('#pay'),
  ]);
  const notice = await page.locator('p.warning').first().innerText({ timeout: 15000 });
  console.log(JSON.stringify({ notice, url: page.url(), cardSentTo }));
} finally {
  await browser.close();
}
