// The coupon pages in a real browser, checked with axe-core and at 390 px: the console's
// coupons page (a coupon made through its form, then the disable confirmation) and the
// customer's billing page with a refused code and with an applied one. Nothing is paid.
// Prints one JSON report line.
//
//   node coupons.mjs KASA_BASE_URL ADMIN_EMAIL ADMIN_PASSWORD CUSTOMER_TOKEN PACKAGE_NAME
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password, token, packageName] = process.argv.slice(2);

await run(async (browser, report) => {
  const staff = await newPage(browser);
  await signIn(staff, base, email, password);
  await staff.goto(`${base}/console/coupons`);
  report.checks.push(await check(staff, 'coupons, empty'));
  await staff.getByLabel('Code', { exact: true }).fill('yaz25');
  await staff.getByLabel(/percentage off/i).fill('12.5');
  await staff.getByLabel(/uses in total/i).fill('10');
  await staff.getByLabel(/reason/i).fill('summer campaign');
  await Promise.all([staff.waitForNavigation(), staff.getByRole('button', { name: 'Create coupon' }).click()]);
  report.steps.created = await staff.locator('.notice, [role=status]').first().innerText();
  report.steps.row = await staff.getByRole('row').filter({ hasText: 'YAZ25' }).innerText();
  report.checks.push(await check(staff, 'coupons, one'));
  await Promise.all([staff.waitForNavigation(), staff.getByRole('link', { name: /Disable/ }).click()]);
  report.steps.confirm = await staff.locator('.effect').innerText();
  report.checks.push(await check(staff, 'disable coupon'));

  const customer = await newPage(browser);
  await customer.goto(`${base}/billing?token=${token}`);
  const card = customer.locator('.package', { hasText: packageName });
  await card.getByLabel(/kupon kodu/i).fill('kis10');
  await Promise.all([customer.waitForNavigation(), card.getByRole('button', { name: 'Kuponu uygula' }).click()]);
  report.steps.refused = await customer.locator('.package', { hasText: packageName }).locator('.error').innerText();
  report.checks.push(await check(customer, 'billing, coupon refused (tr)'));
  const again = customer.locator('.package', { hasText: packageName });
  await again.getByLabel(/kupon kodu/i).fill('yaz25');
  await Promise.all([customer.waitForNavigation(), again.getByRole('button', { name: 'Kuponu uygula' }).click()]);
  const applied = customer.locator('.package', { hasText: packageName });
  report.steps.applied = await applied.locator('.applied').innerText();
  report.steps.buy = await applied.locator('button.buy').innerText();
  report.checks.push(await check(customer, 'billing, coupon applied (tr)'));
});
