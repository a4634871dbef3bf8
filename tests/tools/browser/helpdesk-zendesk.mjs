// The Zendesk app's sidebar in a real chromium: a page of the help desk's origin POSTs Zendesk's
// signed token into an iframe (what Zendesk does on an app's first load with signed URLs); Kasa
// checks it and its page asks Zendesk's app framework for the ticket's requester, then opens the
// panel. The framework script (static.zdassets.com) is answered here by a stand-in written from
// ZAF's documented client API (init, context, get, invoke), since the test runs without the
// internet. Prints one JSON report line.
//
// Then the console's page for the Zendesk app's key: saved for a second integration.
//
//   node helpdesk-zendesk.mjs HOST_BASE OTHER_BASE ACTION TOKEN EXPIRED_TOKEN KASA_BASE \
//     ADMIN_EMAIL ADMIN_PASSWORD SECOND_INTEGRATION PUBLIC_KEY_PEM INSTALLATION_URL
import { run, newPage, check, signIn } from './lib.mjs';

const [host, other, action, token, expiredToken, base, email, password, second, publicKey,
  installation] = process.argv.slice(2);

// What ZAF would answer in a ticket sidebar of ticket 12345 from ayse@example.com.
const ZAF_STAND_IN = `
window.ZAFClient = {
  init: function () {
    var data = {
      'ticket.requester.email': 'ayse@example.com', 'ticket.requester.id': 42,
      'ticket.id': 12345, 'currentUser.locale': 'en-US'
    };
    return {
      context: function () { return Promise.resolve({ product: 'support', location: 'ticket_sidebar' }); },
      get: function (keys) {
        var answer = {};
        [].concat(keys).forEach(function (key) { answer[key] = data[key]; });
        return Promise.resolve(answer);
      },
      invoke: function () { return Promise.resolve({}); }
    };
  }
};`;

/** Opens the host page that posts `jwt` into its iframe; what the frame ends up showing. */
async function sidebar(page, origin, jwt) {
  await page.goto(`${origin}/zendesk?action=${encodeURIComponent(action)}&token=${encodeURIComponent(jwt)}`);
  const frameElement = await page.waitForSelector('iframe');
  const frame = await frameElement.contentFrame();
  // The frame posts, then (when the token holds) goes on to the panel: wait for either end.
  try {
    await frame.waitForURL(/\/open\?|\/panel\/zendesk\/[^/]+$/, { timeout: 5000 });
    await frame.waitForLoadState('load');
    await frame.waitForSelector('h1', { timeout: 5000 });
  } catch {
    // The report says what the frame shows.
  }
  const h1 = await frame.locator('h1').first().innerText({ timeout: 2000 }).catch(() => null);
  const text = await frame.locator('body').innerText({ timeout: 2000 }).catch(() => '');
  return { frameUrl: frame.url(), h1, text };
}

await run(async (browser, report) => {
  const strict = await newPage(browser, { width: 1024, strictCsp: true });
  await strict.context().route('https://static.zdassets.com/**', (route) => route.fulfill({
    status: 200, contentType: 'text/javascript', body: ZAF_STAND_IN,
  }));
  report.steps.framed = await sidebar(strict, host, token);
  report.steps.expired = await sidebar(strict, host, expiredToken);
  report.steps.elsewhere = await sidebar(strict, other, token);
  report.steps.cspErrors = strict.cspErrors;

  // The panel it opened, as wide as a sidebar: axe and no horizontal scroll at 360 px.
  if (report.steps.framed.frameUrl.includes('/open?')) {
    const panel = await newPage(browser, { width: 360, height: 800 });
    await panel.goto(report.steps.framed.frameUrl);
    report.checks.push(await check(panel, 'panel from the Zendesk app', { width: 360 }));
  }

  // The console: the integrations list links the key's page; a wrong key is refused next to
  // the form; the right one is saved.
  const console_ = await newPage(browser);
  await signIn(console_, base, email, password);
  await console_.goto(`${base}/console/integrations`);
  await console_.locator(`a[href="/console/integrations/${second}/zendesk-app"]`).click();
  await console_.waitForLoadState('load');
  report.checks.push(await check(console_, 'Zendesk app key (en)'));
  await console_.getByLabel(/public key/i).fill('not a key');
  await console_.getByLabel(/^installation$/i).fill(installation);
  await console_.getByLabel(/^reason$/i).fill('browser test');
  await console_.getByRole('button', { name: /save the app key/i }).click();
  await console_.waitForLoadState('load');
  report.steps.refusedKey = await console_.locator('.problem').innerText().catch(() => null);
  report.checks.push(await check(console_, 'Zendesk app key refused (en)'));
  await console_.getByLabel(/public key/i).fill(publicKey);
  await console_.getByRole('button', { name: /save the app key/i }).click();
  await console_.waitForLoadState('load');
  report.steps.saved = await console_.locator('body').innerText();
});
