// The panel beside a ticket, in an iframe of a help desk on another origin; the refusals; an
// origin not configured; the console's integrations page. Every page checked with axe-core
// and for horizontal scroll (the panel at 360 px). Prints one JSON report line.
//
//   node panel.mjs KASA_BASE HOST_BASE OTHER_BASE URLS_JSON ADMIN_EMAIL ADMIN_PASSWORD
import { run, newPage, signIn, check } from './lib.mjs';

const [base, host, other, urlsJson, email, password] = process.argv.slice(2);
const urls = JSON.parse(urlsJson);

/** Opens `src` framed by a page of `origin`; what the frame shows and the panel's status. */
async function framed(page, origin, src) {
  let status = null;
  const listener = (response) => {
    if (response.url().startsWith(`${base}/panel`)) status = response.status();
  };
  page.on('response', listener);
  await page.goto(`${origin}/?src=${encodeURIComponent(src)}`, { waitUntil: 'load' });
  page.off('response', listener);
  const frame = await (await page.$('iframe')).contentFrame();
  const read = async (selector) => {
    try {
      return (await frame.locator(selector).count()) > 0
        ? await frame.locator(selector).first().innerText({ timeout: 2000 })
        : null;
    } catch {
      return null;
    }
  };
  return {
    status,
    frameUrl: frame.url(),
    h1: await read('h1'),
    h2: await read('h2'),
    text: (await read('body')) || '',
  };
}

await run(async (browser, report) => {
  // The browser enforces the panel's own policy here (frame-ancestors).
  const strict = await newPage(browser, { width: 1024, strictCsp: true });
  report.steps.framed = await framed(strict, host, urls.english);
  const frame = await (await strict.$('iframe')).contentFrame();
  report.steps.actionTargets = [...new Set(await frame.locator('a[href^="/console"]')
    .evaluateAll((links) => links.map((link) => link.getAttribute('target'))))];
  report.steps.framedTurkish = await framed(strict, host, urls.turkish);
  for (const refusal of ['unsigned', 'tampered', 'expired']) {
    report.steps[refusal] = await framed(strict, host, urls[refusal]);
  }
  report.steps.elsewhere = await framed(strict, other, urls.english);
  report.steps.cspErrors = strict.cspErrors;

  // The panel itself, as wide as a sidebar: axe and no horizontal scroll at 360 px.
  const panel = await newPage(browser, { width: 360, height: 800 });
  await panel.goto(urls.english);
  report.checks.push(await check(panel, 'panel (en)', { width: 360 }));
  await panel.goto(urls.turkish);
  report.checks.push(await check(panel, 'panel (tr)', { width: 360 }));
  await panel.goto(urls.expired);
  report.checks.push(await check(panel, 'panel refused (en)', { width: 360 }));

  // The console's integrations page: create one (the secret shown once), revoke it.
  const console_ = await newPage(browser);
  await signIn(console_, base, email, password);
  await console_.goto(`${base}/console/integrations`);
  report.checks.push(await check(console_, 'integrations (en)'));
  await console_.getByLabel(/^name$/i).fill('Browser desk');
  await console_.getByLabel(/^help desk$/i).selectOption('zendesk');
  await console_.getByLabel(/origins allowed/i).fill('https://acme.zendesk.com\nhttps://acme.example');
  await console_.getByLabel(/^reason$/i).fill('browser test');
  await console_.getByRole('button', { name: /create the integration/i }).click();
  await console_.waitForLoadState('load');
  report.steps.secretShown = await console_.locator('code.secret').innerText();
  report.checks.push(await check(console_, 'integration created (en)'));
  await console_.getByRole('link', { name: /revoke browser desk/i }).click();
  await console_.waitForLoadState('load');
  report.checks.push(await check(console_, 'revoke integration (en)'));
  await console_.getByLabel(/^reason$/i).fill('browser test over');
  await console_.getByRole('button', { name: /revoke it now/i }).click();
  await console_.waitForLoadState('load');
  report.steps.revoked = await console_.locator('[role=status]').first().innerText();
  await console_.getByRole('link', { name: 'Türkçe' }).click();
  await console_.waitForLoadState('load');
  report.checks.push(await check(console_, 'integrations (tr)'));
});
