// Screenshots of the main pages for docs/screenshots/, taken from a Kasa in demo mode
// (scripts/screenshots starts one). A newcomer sees the product before running it.
//
//   node screenshots.mjs KASA_BASE_URL ADMIN_EMAIL ADMIN_PASSWORD OUTPUT_FOLDER
import { launch, newPage, signIn } from './lib.mjs';

const [base, email, password, folder] = process.argv.slice(2);
const browser = await launch();
const taken = [];
try {
  const page = await newPage(browser, { width: 1280, height: 860, strictCsp: true });
  const shot = async (name, path) => {
    if (path) await page.goto(`${base}${path}`);
    await page.waitForLoadState('load');
    await page.screenshot({ path: `${folder}/${name}.png`, fullPage: false });
    taken.push(name);
  };
  await page.goto(`${base}/console/language?to=en&back=%2Fconsole%2Fsign-in`);
  await shot('console-sign-in', null);
  await signIn(page, base, email, password);
  await shot('console-dashboard', '/console');
  await page.goto(`${base}/console/customers?q=ayse`);
  await shot('console-customers', null);
  const customer = page.locator('main table tbody a').first();
  if (await customer.count() > 0) {
    await customer.click();
    await shot('console-customer', null);
  }
  for (const [name, path] of [
    ['console-packages', '/console/packages'],
    ['console-settings', '/console/settings'],
    ['console-audit', '/console/audit'],
  ]) {
    const response = await page.goto(`${base}${path}`);
    if (response && response.ok()) await shot(name, null);
  }
  const phone = await newPage(browser, { width: 390, height: 844, strictCsp: true });
  await phone.goto(`${base}/billing?token=kasa_customer_demo_ayse`);
  await phone.screenshot({ path: `${folder}/billing-phone.png` });
  taken.push('billing-phone');
} finally {
  await browser.close();
}
console.log(JSON.stringify({ taken }));
