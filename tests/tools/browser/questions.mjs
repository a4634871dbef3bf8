// A customer asks a billing question on their billing page, in Turkish and in English: the link
// from the billing page, the form, a refusal shown next to its field, the question sent and
// listed. Every page is checked with axe-core and at 390 px. Prints one JSON report line.
//
//   node questions.mjs KASA_BASE_URL TURKISH_TOKEN ENGLISH_TOKEN
import { run, newPage, check } from './lib.mjs';

const [base, turkishToken, englishToken] = process.argv.slice(2);

async function ask(browser, report, token, language) {
  const page = await newPage(browser, { width: 390, height: 844, locale: language === 'tr' ? 'tr-TR' : 'en-GB' });
  const steps = {};
  await page.goto(`${base}/billing?token=${token}`);
  await Promise.all([page.waitForNavigation(), page.locator('#ask-question').click()]);
  steps.heading = await page.locator('h2#ask').innerText();
  report.checks.push(await check(page, `questions (${language})`));

  // A subject of spaces passes the browser's `required` but not Kasa's rule.
  await page.locator('#subject').fill('   ');
  await page.locator('#message').fill(language === 'tr' ? 'Faturamı bulamıyorum.' : 'I cannot find my invoice.');
  await Promise.all([page.waitForNavigation(), page.locator('#send-question').click()]);
  steps.subjectError = await page.locator('#subject-error').innerText();
  steps.keptMessage = await page.locator('#message').inputValue();
  report.checks.push(await check(page, `questions, refused (${language})`));

  await page.locator('#subject').fill(language === 'tr' ? 'Fatura sorusu' : 'Invoice question');
  const options = await page.locator('#about option').count();
  if (options > 1) {
    await page.locator('#about').selectOption({ index: 1 });
  }
  await Promise.all([page.waitForNavigation(), page.locator('#send-question').click()]);
  steps.path = new URL(page.url()).pathname;
  steps.notice = await page.locator('[role=status]').innerText();
  steps.asked = await page.locator('.questions li').allInnerTexts();
  report.checks.push(await check(page, `questions, sent (${language})`));

  // Reloading the page after sending sends nothing again (it is a GET).
  await page.reload();
  steps.askedAfterReload = await page.locator('.questions li').count();
  report.steps[language] = steps;
}

await run(async (browser, report) => {
  await ask(browser, report, turkishToken, 'tr');
  await ask(browser, report, englishToken, 'en');
});
