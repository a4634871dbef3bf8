// Customers in the console: searching by name, external id and ticket id, the customer's page
// with its ledger paged, creating and editing a customer (and an edit refused because someone
// else saved first), in English and Turkish; a finance user sees no action and may not edit.
// Every page checked with axe-core and at 390 px. Prints one JSON report line.
//
//   node console-customers.mjs KASA_BASE_URL EMAIL PASSWORD FINANCE_EMAIL FINANCE_PASSWORD
import { run, newPage, signIn, check } from './lib.mjs';

const [base, email, password, financeEmail, financePassword] = process.argv.slice(2);
// With KASA_SCREENSHOTS=<folder>, pictures of the main pages are saved there (docs/screenshots).
const shots = process.env.KASA_SCREENSHOTS;

async function shoot(page, name, width) {
  if (!shots) return;
  const before = page.viewportSize();
  if (width) await page.setViewportSize({ width, height: 844 });
  await page.screenshot({ path: `${shots}/${name}.png` });
  await page.setViewportSize(before);
}

async function search(page, text) {
  await page.goto(`${base}/console/customers`);
  await page.getByLabel(/e-mail, name|e-posta, ad/i).fill(text);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: /^(search|ara)$/i }).click(),
  ]);
  return page.locator('main table tbody').innerText();
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
}

await run(async (browser, report) => {
  const page = await newPage(browser);
  await signIn(page, base, email, password);

  report.steps.byName = await search(page, 'ayşe yıl');
  report.checks.push(await check(page, 'search by name (en)'));
  await shoot(page, 'console-customers-search');
  report.steps.byExternalId = await search(page, 'zendesk:4242');
  report.steps.byExternalValue = await search(page, '4242');
  report.steps.byTicket = await search(page, 'T-9001');

  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Ayşe Yılmaz' }).click()]);
  report.steps.heading = await page.locator('h1').innerText();
  report.steps.holds = await page.locator('#holding ~ .cards .figure').innerText();
  report.steps.charges = await page.locator('section[aria-labelledby=charges] tbody tr').count();
  report.steps.firstCharge = await page.locator('section[aria-labelledby=charges] tbody tr').first().innerText();
  report.steps.ledgerRows = await page.locator('section[aria-labelledby=ledger] tbody tr').count();
  report.steps.actions = await page.locator('.customer-actions a').allInnerTexts();
  report.steps.documents = await page.locator('section[aria-labelledby=documents] tbody tr').count();
  report.checks.push(await check(page, 'customer (en)'));
  await shoot(page, 'console-customer');
  await shoot(page, 'console-customer-phone', 390);
  const pdfHref = await page.locator('section[aria-labelledby=documents] a[download]').first().getAttribute('href');
  const pdf = await page.request.get(`${base}${pdfHref}`);
  report.steps.pdf = { status: pdf.status(), type: pdf.headers()['content-type'] };

  await Promise.all([
    page.waitForNavigation(),
    page.locator('nav[aria-label="Pages of the credit ledger"]').getByRole('link', { name: 'Next' }).click(),
  ]);
  report.steps.ledgerPage2 = new URL(page.url()).search;
  report.steps.ledgerPage2Rows = await page.locator('section[aria-labelledby=ledger] tbody tr').count();
  report.checks.push(await check(page, 'customer, ledger page 2 (en)'));

  // The audit trail, a page at a time.
  const audit = page.locator('section[aria-labelledby=audit] tbody tr');
  report.steps.auditRows = await audit.count();
  report.steps.latestAudit = await audit.first().innerText();
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Older entries' }).click()]);
  report.steps.olderAuditRows = await audit.count();
  report.steps.oldestAudit = await audit.last().innerText();
  report.checks.push(await check(page, 'customer, older audit entries (en)'));

  // A subscriber: the term's end, the days left and when renewal opens.
  const ayseUrl = page.url();
  await search(page, 'bora');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Bora Kaya' }).click()]);
  report.steps.subscription = await page.locator('#holding ~ .cards .card').first().innerText();
  report.steps.subscriptionActions = await page.locator('.customer-actions a').allInnerTexts();
  report.checks.push(await check(page, 'customer with a subscription (en)'));
  await page.goto(ayseUrl);

  // Turkish: the same page and the search.
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Türkçe' }).click()]);
  report.steps.turkishLedgerHeading = await page.locator('h2#ledger').innerText();
  report.checks.push(await check(page, 'customer (tr)'));
  report.steps.turkishSearch = await search(page, '4242');
  report.checks.push(await check(page, 'search (tr)'));

  // Creating a customer, in Turkish: a missing reason is said next to its field.
  await page.goto(`${base}/console/customers`);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Yeni müşteri' }).click()]);
  report.checks.push(await check(page, 'new customer (tr)'));
  await page.getByLabel(/^E-posta/).fill('mehmet@example.com');
  await page.getByLabel(/^Ad /).fill('Mehmet Demir');
  await page.getByLabel('Harici kimlikler').fill('zendesk:777\nfreshdesk:12');
  await submit(page, 'Müşteriyi oluştur');
  report.steps.missingReason = await page.locator('#reason-error').innerText();
  report.checks.push(await check(page, 'new customer refused (tr)'));
  await shoot(page, 'console-customer-form-refused');
  // An e-mail another customer has: said next to the e-mail field, in Turkish.
  await page.getByLabel(/^E-posta/).fill('ayse@example.com');
  await page.getByLabel('Gerekçe').fill('yeni müşteri telefonla aradı');
  await submit(page, 'Müşteriyi oluştur');
  report.steps.takenEmail = await page.locator('#email-error').innerText();
  await page.getByLabel(/^E-posta/).fill('mehmet@example.com');
  await submit(page, 'Müşteriyi oluştur');
  report.steps.createdNotice = await page.locator('[role=status]').innerText();
  report.steps.createdHeading = await page.locator('h1').innerText();
  const createdUrl = page.url();

  // Editing it, in English.
  await page.goto(`${base}/console/language?to=en&back=${encodeURIComponent(new URL(createdUrl).pathname)}`);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Edit customer' }).click()]);
  report.checks.push(await check(page, 'edit customer (en)'));
  const editUrl = page.url();
  const other = await page.context().newPage();
  await other.goto(editUrl);
  await page.getByLabel(/^Name/).fill('Mehmet Demir A.Ş.');
  await page.getByLabel('Reason').fill('company name from the tax office');
  await submit(page, 'Save changes');
  report.steps.updatedNotice = await page.locator('[role=status]').innerText();
  report.steps.updatedHeading = await page.locator('h1').innerText();
  // The second tab still shows the old revision: its save is refused and shows what was saved.
  await other.getByLabel(/^Language/).selectOption('en');
  await other.getByLabel('Reason').fill('prefers English');
  await Promise.all([other.waitForNavigation(), other.getByRole('button', { name: 'Save changes' }).click()]);
  report.steps.conflict = await other.locator('[role=alert]').innerText();
  report.steps.conflictName = await other.getByLabel(/^Name/).inputValue();
  report.checks.push(await check(other, 'edit refused, changed meanwhile (en)'));
  await shoot(other, 'console-customer-edit-conflict');
  await other.getByLabel('Reason').fill('prefers English');
  await submit(other, 'Save changes');
  report.steps.secondSave = await other.locator('[role=status]').innerText();

  // A form posted without this session's CSRF token (as another site would) changes nothing.
  const forged = await page.request.post(`${base}/console/customers/new`, {
    form: { csrf: 'forged', email: 'forged@example.com', name: 'Forged', reason: 'forged' },
    maxRedirects: 0,
  });
  report.steps.forgedStatus = forged.status();
  await page.goto(`${base}/console/customers?q=forged%40example.com`);
  report.steps.forgedFound = await page.locator('main table').count();

  // A finance user reads but changes nothing: no action links, the forms refused.
  const finance = await newPage(browser);
  await signIn(finance, base, financeEmail, financePassword);
  await finance.goto(createdUrl);
  report.steps.financeHeading = await finance.locator('h1').innerText();
  report.steps.financeActions = await finance.locator('.customer-actions a').count();
  report.checks.push(await check(finance, 'customer as finance (en)'));
  const refusedNew = await finance.goto(`${base}/console/customers/new`);
  report.steps.financeNew = { status: refusedNew.status(), text: await finance.locator('main').innerText() };
  const refusedEdit = await finance.goto(`${editUrl}`);
  report.steps.financeEdit = refusedEdit.status();
  report.steps.financeNewLink = await (async () => {
    await finance.goto(`${base}/console/customers?q=mehmet`);
    return finance.getByRole('link', { name: /new customer/i }).count();
  })();
});
