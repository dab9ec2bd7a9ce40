// Pages the flagship journey does not pass through, as people meet them in a real browser under
// the server's own Content-Security-Policy:
//
//   - the home page in English, reached by the language switch;
//   - the "page not found" page (404) in both languages, and the "too many attempts" page (429);
//   - a consent refused: a home owner, verified at a counter, refuses a request for consent on the
//     "are you sure?" page, confirming with a code sent by e-mail, and the applicant's case is
//     refused.
//
// Every page is checked at 320 px and 1280 px (no sideways scrolling), with axe-core, and
// screenshotted to tests/browser/artifacts/pages/<db>/. The steps run in order; after a failed step
// the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { newPerson } from './people.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, newestInMail, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('pages', databaseKind());

// What `portico demo` seeds (crates/portico/demo/accounts.json).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const APPLICANT_EMAIL = 'ivan.petrov@portico.demo';
const VERIFIER_EMAIL = 'verifier@sofia.portico.demo';
const OPERATOR_EMAIL = 'operator.sredets@sofia.portico.demo';
const SERVICE_SLUG = 'outdoor-seating-sofia';
const BUSINESS_EIK = '000696327';

let server;
let browser;
let failedStep = null;

const visitor = { label: 'visitor' };
const owner = { label: 'owner', person: newPerson() };
const applicant = { label: 'applicant' };
const verifier = { label: 'verifier' };
const everyone = [visitor, owner, applicant, verifier];

let applicationId = null;

const currentPath = (who) => new URL(who.page.url()).pathname;
const main = (who) => who.page.locator('main');
const heading = async (who) => (await who.page.locator('main h1').first().innerText()).trim();
const submitOf = (who, selector) => who.page.locator(`form:has(${selector}) button[type="submit"]`).first();
const button = (who, text) => who.page.getByRole('button', { name: text, exact: true });

async function giveBrowserContext(who) {
  Object.assign(who, await browser.newContext(), { lastTotpStep: null });
}

async function open(who, path) {
  return who.page.goto(`${server.baseUrl}${path}`);
}

async function checkPage(who, name) {
  await checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
}

/** A fresh code of the demo accounts' authenticator into #code, submitted. */
const submitAuthenticatorCode = (who) => submitWithAuthenticator(who, DEMO_TOTP_SECRET);

async function signInWithPassword(who, email, password) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', email);
  await who.page.fill('[name="password"]', password);
  return clickAndWait(who, submitOf(who, '[name="identifier"]'));
}

/** The newest match of `pattern` in the mail the server sent to `email`. */
const fromMail = (email, pattern) => newestInMail(server.dataDir, email, pattern);

function step(name, who, fn) {
  it(`${who.label}: ${name}`, { timeout: STEP_TIMEOUT_MS }, async (t) => {
    if (failedStep) {
      t.skip(`an earlier step failed: "${failedStep}"`);
      return;
    }
    try {
      await fn();
    } catch (err) {
      failedStep = `${who.label}: ${name}`;
      if (who.page) {
        await screenshot(who.page, `FAILED ${who.label} ${name}`, ARTIFACTS);
      }
      const html = who.page ? (await who.page.content().catch(() => '')).replace(/\s+/g, ' ').slice(0, 3_000) : '';
      err.message += `\n\nat ${who.page?.url()}\n${html}\n\n--- server log (tail) ---\n${server?.logTail() ?? ''}`;
      throw err;
    }
  });
}

describe(`pages beside the flagship: English, 404, 429, a refused consent (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    for (const who of everyone) {
      await giveBrowserContext(who);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // --- English, and the error pages. -----------------------------------------------------------

  step('switches the home page to English', visitor, async () => {
    await open(visitor, '/');
    assert.equal(await heading(visitor), 'Електронни административни услуги на едно място');
    await clickAndWait(visitor, visitor.page.locator('a[hreflang="en"]'));
    assert.equal(currentPath(visitor), '/');
    assert.equal(await visitor.page.getAttribute('html', 'lang'), 'en');
    assert.equal(await heading(visitor), 'Public services, online, in one place');
    assert.equal(await visitor.page.locator('#q').count(), 1, 'the search is there in English too');
    await checkPage(visitor, 'home-en');
  });

  step('a page that does not exist says so, in English and in Bulgarian', visitor, async () => {
    const english = await open(visitor, '/no-such-page');
    assert.equal(english.status(), 404);
    assert.equal(await heading(visitor), 'Page not found');
    assert.equal(await visitor.page.locator('main a[href="/"]').count(), 1, 'a way back home');
    await checkPage(visitor, '404-en');
    await clickAndWait(visitor, visitor.page.locator('a[hreflang="bg"]'));
    const bulgarian = await open(visitor, '/no-such-page');
    assert.equal(bulgarian.status(), 404);
    assert.equal(await heading(visitor), 'Страницата не е намерена');
    await checkPage(visitor, '404-bg');
  });

  step('too many wrong codes: told to wait, and for how long', visitor, async () => {
    // The operator's account: nobody else in this file signs in with it.
    await signInWithPassword(visitor, OPERATOR_EMAIL, DEMO_PASSWORD);
    assert.equal(currentPath(visitor), '/login/second-factor');
    let response = null;
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      await visitor.page.fill('#code', '000000');
      response = await clickAndWait(visitor, submitOf(visitor, '#code'));
      if (response.status() === 429) {
        break;
      }
      assert.equal(response.status(), 422, `a wrong code answered ${response.status()}`);
      await open(visitor, '/login/second-factor');
    }
    assert.equal(response.status(), 429, 'wrong codes in a row end in "too many attempts"');
    assert.equal(await heading(visitor), 'Твърде много опити');
    const retryAfter = Number(response.headers()['retry-after']);
    assert.ok(retryAfter > 0, `a Retry-After header: ${response.headers()['retry-after']}`);
    assert.equal(
      (await visitor.page.locator('#retry-after').innerText()).trim(),
      `Опитайте отново след ${retryAfter} секунди.`,
    );
    await checkPage(visitor, '429-bg');
  });

  // --- A consent refused. ----------------------------------------------------------------------

  step('registers, and skips the authenticator', owner, async () => {
    const { page } = owner;
    const { person } = owner;
    await open(owner, '/register');
    await page.check('input[name="personal_id_kind"][value="egn"]');
    await page.fill('[name="personal_id"]', person.egn);
    await page.fill('[name="given_name"]', person.givenName);
    await page.fill('[name="family_name"]', person.familyName);
    await page.fill('[name="email"]', person.email);
    await page.fill('[name="phone"]', person.phone);
    await page.fill('[name="password"]', person.password);
    await page.fill('[name="password_confirm"]', person.password);
    await clickAndWait(owner, submitOf(owner, '[name="personal_id"]'));
    assert.equal(currentPath(owner), '/account/totp');
    await clickAndWait(owner, page.locator('main a[href="/account"]'));
    await clickAndWait(owner, page.locator('form[action="/logout"] button[type="submit"]'));
  });

  step("checks the owner's identity card at a counter", verifier, async () => {
    await signInWithPassword(verifier, VERIFIER_EMAIL, DEMO_PASSWORD);
    await submitAuthenticatorCode(verifier);
    assert.equal(currentPath(verifier), '/verify');
    await verifier.page.fill('#personal_id', owner.person.egn);
    await clickAndWait(verifier, submitOf(verifier, '#personal_id'));
    await verifier.page.check('#document_kind_identity_card');
    await verifier.page.fill('#document_number', '645123988');
    await verifier.page.check('#checked_in_person');
    await clickAndWait(verifier, submitOf(verifier, '#document_number'));
    assert.match(await verifier.page.locator('#verify-done').innerText(), /проверена/);
  });

  step('applies for outdoor seating, naming the owner of the building', applicant, async () => {
    await signInWithPassword(applicant, APPLICANT_EMAIL, DEMO_PASSWORD);
    await submitAuthenticatorCode(applicant);
    await open(applicant, `/services/${SERVICE_SLUG}/apply`);
    const match = currentPath(applicant).match(/^\/applications\/([^/]+)\/step\/0$/);
    assert.ok(match, `the form's first step, not ${currentPath(applicant)}`);
    applicationId = match[1];
    const { page } = applicant;
    await page.fill('[name="business_eik"]', BUSINESS_EIK);
    const option = page.locator('#address option').filter({ hasText: 'ул. Шипка 6' });
    await page.selectOption('#address', await option.getAttribute('value'));
    await page.fill('[name="area_m2"]', '12');
    await page.check('input[name="owns_building"][value="no"]');
    await page.fill('[name="building_owner_egn"]', owner.person.egn);
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.equal(currentPath(applicant), `/applications/${applicationId}/review`);
    await submitAuthenticatorCode(applicant);
    assert.equal(currentPath(applicant), `/applications/${applicationId}`);
    assert.equal((await page.locator('#application-state').innerText()).trim(), 'Очаква се съгласие');
  });

  step('signs in with an e-mailed link and opens the request', owner, async () => {
    await signInWithPassword(owner, owner.person.email, owner.person.password);
    await clickAndWait(owner, owner.page.locator('form[action="/login/email-link"] button[type="submit"]'));
    const link = new URL(await fromMail(owner.person.email, /\S*\/login\/email-link\?token=[^\s]+/g), server.baseUrl);
    await open(owner, `${link.pathname}${link.search}`);
    assert.equal(currentPath(owner), '/consents', 'lands on the requests for their consent');
    await clickAndWait(owner, owner.page.locator('main a[href^="/consents/"]').first());
    assert.match(await heading(owner), /Разрешение за маси на открито/, 'the heading names the service');
    await checkPage(owner, 'consent-request');
  });

  step('refuses, is asked once, and confirms with a code sent by e-mail', owner, async () => {
    await clickAndWait(owner, button(owner, 'Не давам съгласие'));
    assert.equal(await heading(owner), 'Да откажете ли съгласието си?');
    assert.match(await owner.page.locator('#cannot-be-undone').innerText(), /не може да бъде отменен/);
    assert.equal(await owner.page.locator('#code').count(), 1, 'the refusal asks for the second factor');
    await checkPage(owner, 'refuse-confirm');
    await clickAndWait(owner, button(owner, 'Изпратете ми код по имейл'));
    assert.equal(await heading(owner), 'Да откажете ли съгласието си?', 'the code brings them back to the question');
    assert.match(await main(owner).innerText(), /Изпратихме ви код по имейл/);
    // A wrong code first: the error summary takes focus, and nothing is decided.
    await owner.page.fill('#code', '000000');
    const wrong = await clickAndWait(owner, owner.page.locator('#confirm'));
    assert.equal(wrong.status(), 422);
    assert.equal(
      await owner.page.evaluate(() => document.activeElement?.classList.contains('error-summary')),
      true,
      'focus is on the error summary',
    );
    await checkPage(owner, 'refuse-wrong-code');
    await owner.page.fill('#code', await fromMail(owner.person.email, /Your confirmation code is (\d{6})/g));
    await clickAndWait(owner, owner.page.locator('#confirm'));
    assert.equal(currentPath(owner), '/consents');
    assert.match(await main(owner).innerText(), /Решението ви е записано/);
    await checkPage(owner, 'refused');
  });

  step('sees the application refused', applicant, async () => {
    await open(applicant, `/applications/${applicationId}`);
    assert.equal((await applicant.page.locator('#application-state').innerText()).trim(), 'Отказано');
    assert.equal(await applicant.page.locator('#application-state.tag--refused').count(), 1, 'a red tag');
    await checkPage(applicant, 'application-refused');
  });
});
