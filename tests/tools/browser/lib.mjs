// What every console and panel browser test shares: a headless chromium (Debian's, driven by
// playwright-core), signing in, and the checks every page passes: axe-core finds no serious or
// critical violation, and a 390 px wide phone needs no horizontal scroll.
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** A browser; close it with `browser.close()`. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.KASA_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A new page in its own context (own cookies). `bypassCSP` lets the checks inject axe-core:
 * Kasa's pages allow only their own scripts, and the checks' script is not one of them. Pass
 * `{ strictCsp: true }` to test the page's policy itself (then `check` cannot run axe).
 */
export async function newPage(browser, { width = 1280, height = 900, locale = 'en-GB', strictCsp = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height }, locale, bypassCSP: !strictCsp,
  });
  const page = await context.newPage();
  page.cspErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      page.cspErrors.push(message.text());
    }
  });
  return page;
}

/** Signs in on the console's sign-in page and waits for the page after it. */
export async function signIn(page, base, email, password) {
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel(/e-mail|e-posta/i).fill(email);
  await page.getByLabel(/^(password|parola)$/i).fill(password);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: /sign in|oturum aç/i }).click(),
  ]);
}

/**
 * The page's accessibility and phone-width findings, as plain data:
 * `{ page, violations: [{ id, impact, help, nodes }], overflow: px wider than `width` }`
 * (390 by default: a phone; the panel beside a ticket is checked at 360).
 * The viewport is set back afterwards.
 */
export async function check(page, label, { width = 390 } = {}) {
  await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const found = await axe.run(document, { resultTypes: ['violations'] });
    return found.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const violations = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const before = page.viewportSize();
  await page.setViewportSize({ width, height: 844 });
  const overflow = await page.evaluate(
    () => Math.max(0, document.documentElement.scrollWidth - window.innerWidth),
  );
  await page.setViewportSize(before);
  return { page: label, url: page.url(), violations, overflow };
}

/** Runs `scenario(report)` with a browser and prints the report as one JSON line. */
export async function run(scenario) {
  const browser = await launch();
  const report = { checks: [], steps: {} };
  try {
    await scenario(browser, report);
  } catch (error) {
    report.error = String(error && error.stack ? error.stack : error);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(report));
}
