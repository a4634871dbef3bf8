// An operator sets Kasa up from an empty database in the console: two departments, a credit
// and a subscription package with descriptions in Turkish and English, NestPay credentials,
// the billing settings and a PNG logo; refused inputs show their message next to the field.
// Every page checked with axe-core and at 390 px, in English and in Turkish. Prints one JSON
// report line.
//
//   node console-operator.mjs KASA_BASE_URL EMAIL PASSWORD LOGO_PATH
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password, logoPath] = process.argv.slice(2);

/** The secrets typed into the payment systems' form: no page may ever show them. */
export const SECRETS = ['STORE-KEY-SECRET-4711', 'API-PASSWORD-SECRET-0815'];

/** A small PNG (red and blue stripes), written to `path`. */
function writePng(path) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const width = 24;
  const height = 12;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = [0];
    for (let x = 0; x < width; x += 1) row.push(...(y < height / 2 ? [200, 30, 40] : [20, 60, 200]));
    rows.push(Buffer.from(row));
  }
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  writeFileSync(path, png);
}

/** Submits the form around `button` and waits for the page after it. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

await run(async (browser, report) => {
  writePng(logoPath);
  const page = await newPage(browser);
  const seen = [];
  const remember = async (label) => {
    const html = await page.content();
    seen.push({ label, leaks: SECRETS.filter((secret) => html.includes(secret)) });
  };
  const notice = async () => page.locator('[role=status]').innerText();
  await signIn(page, base, email, password);

  // Departments: the empty list, a refusal next to the name, then two departments.
  await page.goto(`${base}/console/departments`);
  report.steps.menu = await page.locator('nav[aria-label] a').allInnerTexts();
  report.checks.push(await check(page, 'departments, empty (en)'));
  await page.getByLabel('Credits per ticket or chat').fill('1');
  await page.getByLabel('Reason').fill('setting Kasa up');
  await submit(page, page.getByRole('button', { name: 'Create department' }));
  report.steps.emptyName = await page.locator('#name-error').innerText();
  report.steps.emptyNameDescribed = await page.getByLabel('Name', { exact: true }).getAttribute('aria-describedby');
  report.checks.push(await check(page, 'departments, refused (en)'));
  await page.getByLabel('Name', { exact: true }).fill('Teknik Destek');
  await submit(page, page.getByRole('button', { name: 'Create department' }));
  report.steps.departmentCreated = await notice();
  await page.getByLabel('Name', { exact: true }).fill('Satış');
  await page.getByLabel('Credits per ticket or chat').fill('3');
  await page.getByLabel('Reason').fill('setting Kasa up');
  await submit(page, page.getByRole('button', { name: 'Create department' }));
  report.checks.push(await check(page, 'departments (en)'));
  await submit(page, page.getByRole('link', { name: 'Edit Satış' }));
  report.checks.push(await check(page, 'department (en)'));
  await page.getByLabel('Credits per ticket or chat').fill('2');
  await page.getByLabel('Reason').fill('sales tickets cost less');
  await submit(page, page.getByRole('button', { name: 'Save' }));
  report.steps.departmentSaved = await notice();

  // Packages: a refused negative price, then a credit and a subscription package.
  await page.goto(`${base}/console/packages`);
  report.checks.push(await check(page, 'packages, empty (en)'));
  await submit(page, page.getByRole('link', { name: 'New package' }));
  report.checks.push(await check(page, 'new package (en)'));
  const fillPackage = async (values) => {
    await page.getByLabel('Name', { exact: true }).fill(values.name);
    await page.getByLabel(values.kind, { exact: true }).check();
    if (values.credits) await page.getByLabel('Credits (credit packages)').fill(values.credits);
    if (values.days) await page.getByLabel('Days (subscription packages)').fill(values.days);
    for (const department of values.departments) await page.getByLabel(department).check();
    await page.getByLabel('Price').fill(values.price);
    await page.getByLabel('Description in Turkish').fill(values.tr);
    await page.getByLabel('Description in English').fill(values.en);
    await page.getByLabel('Reason').fill('the price list');
    await submit(page, page.getByRole('button', { name: /Create package|Save/ }));
  };
  await fillPackage({
    name: '10 kredi', kind: 'Credits', credits: '10', departments: ['Teknik Destek'],
    price: '-5', tr: 'On talep için.', en: 'For ten tickets.',
  });
  report.steps.negativePrice = await page.locator('#price-error').innerText();
  report.steps.negativePriceKept = await page.getByLabel('Description in Turkish').inputValue();
  report.checks.push(await check(page, 'new package, refused (en)'));
  await page.getByLabel('Price').fill('400.00');
  await page.getByLabel('Reason').fill('the price list');
  await submit(page, page.getByRole('button', { name: 'Create package' }));
  report.steps.packageCreated = await notice();
  await page.goto(`${base}/console/packages/new`);
  await fillPackage({
    name: 'Aylık destek', kind: 'Subscription', days: '30', departments: ['Teknik Destek', 'Satış'],
    price: '250.00', tr: 'Otuz gün boyunca sınırsız destek.', en: 'Unlimited support for thirty days.',
  });
  report.steps.packages = await page.locator('main table tbody').innerText();
  report.checks.push(await check(page, 'packages (en)'));
  await submit(page, page.getByRole('link', { name: 'Edit Aylık destek' }));
  report.checks.push(await check(page, 'package (en)'));
  report.steps.subscriptionDays = await page.getByLabel('Days (subscription packages)').inputValue();

  // Payment systems: NestPay's credentials are written, and shown back only as "Set".
  await page.goto(`${base}/console/payment-systems`);
  report.checks.push(await check(page, 'payment systems (en)'));
  const nestpay = page.locator('section#nestpay');
  await nestpay.getByLabel('Switched on').check();
  await nestpay.getByLabel('Bank', { exact: true }).selectOption('asseco-test');
  await nestpay.getByLabel('Client id').fill('100200127');
  await nestpay.getByLabel('Store type').selectOption('3d_pay_hosting');
  await nestpay.getByLabel('Store key').fill(SECRETS[0]);
  await nestpay.getByLabel('API user').fill('kasa-api');
  await nestpay.getByLabel('API password').fill(SECRETS[1]);
  await nestpay.getByLabel('Reason').fill('our bank');
  await submit(page, nestpay.getByRole('button', { name: 'Save NestPay' }));
  report.steps.nestpaySaved = await notice();
  report.steps.credentialStates = await page.locator('section#nestpay .credential-state').allInnerTexts();
  report.steps.storeKeyValue = await page.locator('section#nestpay').getByLabel('Store key').inputValue();
  await remember('payment systems');
  report.checks.push(await check(page, 'payment systems, saved (en)'));
  // A second save without credentials keeps them.
  await page.locator('section#nestpay').getByLabel('Reason').fill('store type again');
  await submit(page, page.locator('section#nestpay').getByRole('button', { name: 'Save NestPay' }));
  report.steps.credentialStatesAfterResave = await page.locator('section#nestpay .credential-state').allInnerTexts();

  // Billing settings: a refused KDV rate next to its field, then the settings saved.
  await page.goto(`${base}/console/settings`);
  report.checks.push(await check(page, 'settings (en)'));
  await page.getByLabel('Company name').fill('Kasa Destek A.Ş.');
  await page.getByLabel('Address', { exact: true }).fill('Moda Cad. 1, Kadıköy, İstanbul');
  await page.getByLabel('Tax office').fill('Kadıköy');
  await page.getByLabel('Tax number').fill('1234567890');
  await page.getByLabel('KDV rate (%)').fill('yirmi');
  await page.getByLabel('Notification address').fill('billing@example.com');
  await page.getByLabel('Copies to (CC)').fill('finans@example.com\nmuhasebe@example.com');
  await page.getByLabel('Large refunds need a second person').check();
  await page.getByLabel('Thresholds').fill('5000.00 TRY');
  await page.getByLabel('Reason', { exact: true }).first().fill('our company');
  await submit(page, page.getByRole('button', { name: 'Save settings' }));
  report.steps.badTaxRate = await page.locator('#tax-rate-percent-error').innerText();
  report.steps.companyKept = await page.getByLabel('Company name').inputValue();
  report.checks.push(await check(page, 'settings, refused (en)'));
  await page.getByLabel('KDV rate (%)').fill('20');
  await submit(page, page.getByRole('button', { name: 'Save settings' }));
  report.steps.settingsSaved = await notice();

  // The logo: uploaded as a file, previewed from the console.
  await page.getByLabel('Logo image').setInputFiles(logoPath);
  await page.locator('#logo-reason').fill('our logo');
  await submit(page, page.getByRole('button', { name: 'Upload logo' }));
  report.steps.logoSaved = await notice();
  const preview = page.getByRole('img', { name: 'The current logo' });
  report.steps.logoWidth = await preview.evaluate((img) => img.naturalWidth);
  report.steps.logoType = await page.evaluate(async () => {
    const answer = await fetch('/console/settings/logo');
    return answer.headers.get('content-type');
  });
  await remember('settings');
  report.checks.push(await check(page, 'settings, logo (en)'));
  // A file that is not an image: refused next to the file input.
  writeFileSync(`${logoPath}.txt`, 'not an image');
  await page.getByLabel('Logo image').setInputFiles(`${logoPath}.txt`);
  await page.locator('#logo-reason').fill('wrong file');
  await submit(page, page.getByRole('button', { name: 'Upload logo' }));
  report.steps.badLogo = await page.locator('#logo-file-error').innerText();

  // The logo's preview under the page's own policy (img-src 'self').
  const strict = await newPage(browser, { strictCsp: true });
  await signIn(strict, base, email, password);
  await strict.goto(`${base}/console/settings`);
  report.steps.strictLogoWidth = await strict.getByRole('img').first().evaluate((img) => img.naturalWidth);
  report.steps.cspErrors = strict.cspErrors;

  // Every page once in Turkish.
  await page.goto(`${base}/console/departments`);
  await submit(page, page.getByRole('link', { name: 'Türkçe' }));
  report.steps.turkishHeading = await page.locator('h1').innerText();
  report.checks.push(await check(page, 'departments (tr)'));
  await submit(page, page.getByRole('link', { name: 'Teknik Destek düzenle' }));
  report.checks.push(await check(page, 'department (tr)'));
  await page.getByLabel('Ad', { exact: true }).fill('');
  await page.getByLabel('Gerekçe').fill('deneme');
  await submit(page, page.getByRole('button', { name: 'Kaydet' }));
  report.steps.turkishEmptyName = await page.locator('#name-error').innerText();
  await page.goto(`${base}/console/packages`);
  report.checks.push(await check(page, 'packages (tr)'));
  await page.goto(`${base}/console/packages/new`);
  report.checks.push(await check(page, 'new package (tr)'));
  await submit(page, page.getByRole('link', { name: 'Paketlere dön' }));
  await submit(page, page.getByRole('link', { name: '10 kredi düzenle' }));
  report.checks.push(await check(page, 'package (tr)'));
  await page.goto(`${base}/console/payment-systems`);
  await remember('payment systems (tr)');
  report.steps.turkishCredentialStates = await page.locator('section#nestpay .credential-state').allInnerTexts();
  report.checks.push(await check(page, 'payment systems (tr)'));
  await page.goto(`${base}/console/settings`);
  report.checks.push(await check(page, 'settings (tr)'));
  for (const path of ['/console/departments', '/console/packages']) {
    await page.goto(`${base}${path}`);
    await remember(path);
  }
  report.steps.leaks = seen.filter((visit) => visit.leaks.length > 0);
  report.steps.pagesSeen = seen.length;
});
