// The identity journey as a person makes it, in a real browser against a real server:
// home → register (first with a mistyped EGN) → set up the authenticator app → recovery codes →
// account → sign out → sign in with password and authenticator code (first a wrong one), which
// lands on the home page (nothing waiting yet) → account from the header → switch language. Every page is checked with axe-core against WCAG 2.1 A/AA and screenshotted
// into tests/browser/artifacts/<db>/.
//
// The steps share one browser and one server and run in order; once a step fails, the later
// ones are skipped (they would only fail for the same reason).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, launchBrowser, resetArtifacts, screenshot } from './browser.mjs';
import { newPerson, withWrongCheckDigit } from './people.mjs';
import { databaseKind, startServer } from './server.mjs';
import { TOTP_STEP_SECONDS, acceptableCode, timeStep, totp } from './totp.mjs';

const STEP_TIMEOUT_MS = 120_000;

let server;
let browser;
let page;
let failedStep = null;
let lastDocumentStatus = null; // HTTP status of the page last loaded, for failure messages

// What the journey learns along the way.
const person = newPerson();
let totpSecret = null;
let lastUsedTotpStep = null;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Opens a path on the server and returns the response. */
async function open(path) {
  return page.goto(`${server.baseUrl}${path}`);
}

/** Clicks something that submits a form or follows a link, and waits for the next page to load. */
async function clickAndWait(locator) {
  const navigation = page.waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return navigation;
}

const currentPath = () => new URL(page.url()).pathname;
const htmlLang = () => page.locator('html').getAttribute('lang');
const heading = () => page.locator('h1').first().innerText();
const headerLink = (href) => page.locator(`header a[href="${href}"]`);
const signOutButton = () => page.locator('form[action="/logout"] button[type="submit"]');
const errorSummary = () => page.locator('.error-summary');
// The submit button of the form holding the authenticator-code field.
const codeFormSubmit = () => page.locator('form:has(#code) button[type="submit"]').first();

/** Fills the registration form; `egn` overrides the person's own EGN (to test a bad one). */
async function fillRegistration(who, { egn = who.egn } = {}) {
  await page.check('input[name="personal_id_kind"][value="egn"]');
  await page.fill('[name="personal_id"]', egn);
  await page.fill('[name="given_name"]', who.givenName);
  await page.fill('[name="family_name"]', who.familyName);
  await page.fill('[name="email"]', who.email);
  await page.fill('[name="phone"]', who.phone);
  await page.fill('[name="password"]', who.password);
  await page.fill('[name="password_confirm"]', who.password);
}

const registrationSubmit = () => page.locator('form:has([name="personal_id"]) button[type="submit"]').first();

/**
 * A TOTP code the server accepts now, computed by the tests' own implementation, for a step after
 * `notBefore` (the server refuses a code whose step was already used; see `acceptableCode`).
 */
const freshTotpCode = (notBefore = null) => acceptableCode(totpSecret, notBefore);

/** A six-digit code that is not valid for any step near now, so the server must refuse it. */
function surelyWrongTotpCode() {
  const now = timeStep();
  const nearby = new Set();
  for (let step = now - 3; step <= now + 3; step++) {
    nearby.add(totp(totpSecret, { time: step * TOTP_STEP_SECONDS }));
  }
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!nearby.has(candidate)) {
      return candidate;
    }
  }
}

/** What the page looked like, for a failure message: URL, title and the start of <main>. */
async function pageSummary() {
  try {
    const main = await page.locator('main').first().innerHTML({ timeout: 1_000 }).catch(() => page.content());
    return `page: ${page.url()} (HTTP ${lastDocumentStatus})\ntitle: ${await page.title()}\nHTML excerpt:\n${main.replace(/\s+/g, ' ').slice(0, 3_000)}`;
  } catch (err) {
    return `page: (unavailable: ${err.message})`;
  }
}

/**
 * One step of the journey: skipped once an earlier step failed; on failure, the message gains
 * the page's state and the server's recent log, and a screenshot is saved.
 */
function step(name, fn) {
  it(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
    if (failedStep) {
      t.skip(`an earlier step failed: "${failedStep}"`);
      return;
    }
    try {
      await fn();
    } catch (err) {
      failedStep = name;
      await screenshot(page, `FAILED ${name}`);
      err.message += `\n\n${await pageSummary()}\n\n--- server log (tail) ---\n${server?.logTail() ?? '(no server)'}`;
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The journey

describe(`identity journey in a browser (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts();
    server = await startServer();
    browser = await launchBrowser();
    page = browser.page;
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
        lastDocumentStatus = response.status();
      }
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step('home page is in Bulgarian and offers sign-in, registration and English', async () => {
    const response = await open('/');
    assert.equal(response.status(), 200);
    assert.equal(await htmlLang(), 'bg');
    assert.equal((await headerLink('/login').innerText()).trim(), 'Вход');
    assert.equal((await headerLink('/register').innerText()).trim(), 'Регистрация');
    const english = page.locator('a[hreflang="en"]');
    assert.equal((await english.innerText()).trim(), 'English');
    assert.match(await english.getAttribute('href'), /^\/lang\?to=en&back=/);
    await checkA11y(page, 'home');
    await screenshot(page, 'home');
  });

  step('the language switch returns to the same page in the other language', async () => {
    await clickAndWait(page.locator('a[hreflang="en"]'));
    assert.equal(currentPath(), '/');
    assert.equal(await htmlLang(), 'en');
    await screenshot(page, 'home-en');
    // Back to Bulgarian: the rest of the journey checks Bulgarian texts.
    await clickAndWait(page.locator('a[hreflang="bg"]'));
    assert.equal(currentPath(), '/');
    assert.equal(await htmlLang(), 'bg');
  });

  step('registration form has every field, with EGN chosen by default', async () => {
    await clickAndWait(headerLink('/register'));
    assert.equal(currentPath(), '/register');
    assert.equal(await page.isChecked('input[name="personal_id_kind"][value="egn"]'), true);
    assert.equal(await page.isChecked('input[name="personal_id_kind"][value="lnch"]'), false);
    for (const name of ['personal_id', 'given_name', 'family_name', 'email', 'phone']) {
      assert.equal(await page.locator(`input[name="${name}"]`).count(), 1, `field ${name}`);
    }
    for (const name of ['password', 'password_confirm']) {
      assert.equal(await page.locator(`input[name="${name}"][type="password"]`).count(), 1, `field ${name}`);
    }
    await checkA11y(page, 'register (empty)');
    await screenshot(page, 'register');
  });

  step('a mistyped EGN is refused with an error summary that links to the field', async () => {
    await fillRegistration(person, { egn: withWrongCheckDigit(person.egn) });
    const response = await clickAndWait(registrationSubmit());
    // 422 is what a refused form should answer; 200 would also render the page.
    assert.ok([200, 422].includes(response.status()), `status ${response.status()}`);
    assert.equal(currentPath(), '/register', 'stays on the registration page');
    assert.equal(await errorSummary().count(), 1, 'an error summary is shown');
    assert.equal(await errorSummary().locator('a[href="#personal_id"]').count(), 1, 'it links to #personal_id');
    assert.equal(await page.locator('#personal_id').count(), 1, 'the linked field exists');
    await checkA11y(page, 'register (with errors)');
    await screenshot(page, 'register-errors');
  });

  step('a valid registration leads to authenticator setup with a QR code and the secret', async () => {
    await fillRegistration(person);
    await clickAndWait(registrationSubmit());
    assert.equal(currentPath(), '/account/totp');
    assert.equal(await page.locator('.qr svg').count(), 1, 'an inline SVG QR code');
    totpSecret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    assert.match(totpSecret, /^[A-Z2-7]+=*$/i, 'the secret is base32');
    assert.ok(totpSecret.replace(/=+$/, '').length >= 16, 'the secret has at least 80 bits');
    await checkA11y(page, 'TOTP setup');
    await screenshot(page, 'totp-setup');
  });

  step('confirming the authenticator code shows ten recovery codes', async () => {
    const { code, step: usedStep } = await freshTotpCode();
    await page.fill('#code', code);
    await clickAndWait(codeFormSubmit());
    lastUsedTotpStep = usedStep;
    const codes = await page.locator('ul.code-list li').allInnerTexts();
    assert.equal(codes.length, 10, `ten recovery codes, got ${JSON.stringify(codes)}`);
    assert.ok(codes.every((c) => c.trim().length > 0), 'no empty recovery code');
    assert.equal(new Set(codes.map((c) => c.trim())).size, 10, 'recovery codes are all different');
    await checkA11y(page, 'recovery codes');
    await screenshot(page, 'recovery-codes');
  });

  step('continuing leads to the account page', async () => {
    // A link or a button; it may carry a query (e.g. /account?done=totp for a banner).
    const next = page
      .locator('main a[href^="/account"], main form[action^="/account"] button[type="submit"]')
      .first();
    await clickAndWait(next);
    assert.equal(currentPath(), '/account');
    assert.match(await heading(), /Моят профил/);
    assert.equal((await signOutButton().innerText()).trim(), 'Изход');
    assert.equal(await headerLink('/account').count(), 1, 'the header links to the account');
    await checkA11y(page, 'account');
    await screenshot(page, 'account');
  });

  step('signing out from the header ends the session', async () => {
    await clickAndWait(signOutButton());
    assert.equal(await signOutButton().count(), 0, 'no sign-out form once signed out');
    assert.equal(await headerLink('/login').count(), 1, 'the sign-in link is back');
    // The account page must no longer show the person's profile.
    await open('/account');
    assert.doesNotMatch(await heading(), /Моят профил/);
  });

  step('signing in with e-mail and password asks for the authenticator code', async () => {
    await open('/login');
    assert.equal(currentPath(), '/login');
    await checkA11y(page, 'login');
    await screenshot(page, 'login');
    await page.fill('[name="identifier"]', person.email);
    await page.fill('[name="password"]', person.password);
    await clickAndWait(page.locator('form:has([name="identifier"]) button[type="submit"]').first());
    assert.equal(currentPath(), '/login/second-factor');
    assert.equal(await page.locator('#code').count(), 1, 'a code field');
    await checkA11y(page, 'second factor');
    await screenshot(page, 'second-factor');
  });

  step('a wrong authenticator code is refused and the page stays', async () => {
    const titleBefore = await heading();
    // The refusal may be rendered at the form's own URL (the POST target) rather than redirected
    // back; either way the person must see the same page again, now with an error summary.
    const formAction = await page.locator('form:has(#code)').getAttribute('action');
    await page.fill('#code', surelyWrongTotpCode());
    await clickAndWait(codeFormSubmit());
    assert.ok(
      ['/login/second-factor', new URL(formAction, page.url()).pathname].includes(currentPath()),
      `still on the second-factor page, not ${currentPath()}`,
    );
    assert.equal(await heading(), titleBefore, 'the same page is shown again');
    assert.equal(await errorSummary().count(), 1, 'an error summary is shown');
    assert.equal(await page.locator('#code').count(), 1, 'the code field is still there');
    await checkA11y(page, 'second factor (with error)');
    await screenshot(page, 'second-factor-error');
  });

  step('the right authenticator code signs in; with nothing waiting, to the home page', async () => {
    // Enrolment used a code; the same time step would be refused as a replay, so wait it out.
    const { code, step: usedStep } = await freshTotpCode(lastUsedTotpStep);
    await page.fill('#code', code);
    await clickAndWait(codeFormSubmit());
    lastUsedTotpStep = usedStep;
    // A new citizen has no applications and no consent requests yet: sign-in lands on the home
    // page, whose header now links to their applications, their consents and their account.
    assert.equal(currentPath(), '/');
    const links = await page.locator('.header__nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of ['/applications', '/consents', '/account']) {
      assert.ok(links.includes(href), `the header links to ${href}: ${JSON.stringify(links)}`);
    }
    await clickAndWait(page.locator('.header__nav a[href="/account"]'));
    assert.equal(currentPath(), '/account');
    assert.match(await heading(), /Моят профил/);
  });

  step('the account page switches to English and back', async () => {
    await clickAndWait(page.locator('a[hreflang="en"]'));
    assert.equal(currentPath(), '/account');
    assert.equal(await htmlLang(), 'en');
    assert.match(await heading(), /My account/);
    assert.equal((await signOutButton().innerText()).trim(), 'Sign out');
    await checkA11y(page, 'account (English)');
    await screenshot(page, 'account-en');

    await clickAndWait(page.locator('a[hreflang="bg"]'));
    assert.equal(currentPath(), '/account');
    assert.equal(await htmlLang(), 'bg');
    assert.match(await heading(), /Моят профил/);
  });
});
