// The flagship journey — address registration in Sofia — as three people make it, each in their
// own browser context against one real server:
//
//   owner:     registers an account (the applicant names them as the owner of the home)
//   applicant: home → search → service page → start (sign in on the way) → form steps (one
//              submitted empty, to see the errors) → review → sign with the authenticator → receipt
//   verifier:  Sofia's identity verifier checks the owner's identity card at a counter (a
//              self-registered EGN is only claimed until then, and deciding a consent needs it
//              verified)
//   owner:     signs in with an e-mail link → consents
//   operator:  of Sofia's Sredets district unit, where the address is: signs in → queue → case →
//              takes it → starts the review → approves
//   applicant: sees "approved", downloads the result, finds it in their applications
//
// This is the acceptance test: every page the journey visits (error states included) is
// checked with axe-core against WCAG 2.1 A/AA and screenshotted into
// tests/browser/artifacts/flagship/<db>/.
//
// The steps share the server and the browser and run in order; once a step fails, the later ones
// are skipped (they would only fail for the same reason).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { makeEgn, newPerson } from './people.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, newestInMail, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;

// What `portico demo` seeds (crates/portico/src/demo.rs, crates/catalog/src/demo.rs).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'; // shared by every demo account
const APPLICANT_EMAIL = 'ivan.petrov@portico.demo';
const APPLICANT_EGN = makeEgn(new Date(Date.UTC(1985, 6, 14)), 123); // synthetic_egn(1985-07-14, 123)
const APPLICANT_NAME = 'Иван Петров';
const OPERATOR_EMAIL = 'operator.sredets@sofia.portico.demo';
const VERIFIER_EMAIL = 'verifier@sofia.portico.demo';
const SERVICE_TITLE = 'Адресна регистрация';
const SERVICE_SLUG = 'address-registration-sofia';
const SOFIA = 'Столична община';
// sof-0001 in Sofia's address list, in the "sredets" district: the case must reach Sredets' queue.
const SREDETS_ADDRESS = 'ул. Шипка 6';
const INFORMATION_ASKED = 'Моля, приложете и приемо-предавателния протокол към договора.';
const INFORMATION_GIVEN = 'Протоколът е приложение 1 към договора, на страница 3.';

// The screenshots go to their own folder: identity.test.mjs empties artifacts/<db>/ when it starts.
const ARTIFACTS = join('flagship', databaseKind());

// A tiny but real-looking PDF: the upload accepts application/pdf, image/jpeg and image/png.
const RENTAL_CONTRACT_PDF = Buffer.from('%PDF-1.4\n% Договор за наем\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

let server;
let browser;
let failedStep = null;

// The three people, each with their own browser context (so their own session cookie).
const owner = { label: 'owner', person: newPerson() };
const applicant = { label: 'applicant' };
const operator = { label: 'operator' };
const verifier = { label: 'verifier' };
const everyone = [owner, applicant, operator, verifier];

// What the journey learns along the way.
let applicationId = null;
let trackingNumber = null;
let clicksToForm = 0; // links and buttons from the home page to the form's first step, sign-in aside

// ---------------------------------------------------------------------------------------------
// Small helpers; each takes the person whose browser acts.

/** Gives a person their own browser context and remembers each page's HTTP status. */
async function giveBrowserContext(who) {
  Object.assign(who, await browser.newContext(), { lastStatus: null, lastTotpStep: null });
  who.page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === who.page.mainFrame()) {
      who.lastStatus = response.status();
    }
  });
}

/** Opens a path on the server and returns the response. */
async function open(who, path) {
  return who.page.goto(`${server.baseUrl}${path}`);
}

const currentPath = (who) => new URL(who.page.url()).pathname;
const currentUrl = (who) => new URL(who.page.url());
const heading = (who) => who.page.locator('h1').first().innerText();
const main = (who) => who.page.locator('main');
const errorSummary = (who) => who.page.locator('.error-summary');
const signOutButton = (who) => who.page.locator('form[action="/logout"] button[type="submit"]');
/** The submit button of the form that holds `selector`. */
const submitOf = (who, selector) => who.page.locator(`form:has(${selector}) button[type="submit"]`).first();
/** A button by its visible text. */
const button = (who, text) => who.page.getByRole('button', { name: text, exact: true });

/** Every page is checked for WCAG 2.1 A/AA violations and screenshotted for people to look at. */
async function checkPage(who, name) {
  // At 320 px and 1280 px: no sideways scrolling, axe-core clean, a screenshot of each.
  await checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
}

/** A fresh code of the demo accounts' authenticator into #code, submitted. */
const submitAuthenticatorCode = (who) => submitWithAuthenticator(who, DEMO_TOTP_SECRET);

/** On the sign-in page: e-mail and password, which must lead to the second-factor page. */
async function signInWithPassword(who, email, password) {
  await who.page.fill('[name="identifier"]', email);
  await who.page.fill('[name="password"]', password);
  await clickAndWait(who, submitOf(who, '[name="identifier"]'));
  assert.equal(currentPath(who), '/login/second-factor', 'e-mail and password lead to the second factor');
}

/** Fills the registration form like a person would (EGN chosen as the kind of personal id). */
async function fillRegistration(who, person) {
  const { page } = who;
  await page.check('input[name="personal_id_kind"][value="egn"]');
  await page.fill('[name="personal_id"]', person.egn);
  await page.fill('[name="given_name"]', person.givenName);
  await page.fill('[name="family_name"]', person.familyName);
  await page.fill('[name="email"]', person.email);
  await page.fill('[name="phone"]', person.phone);
  await page.fill('[name="password"]', person.password);
  await page.fill('[name="password_confirm"]', person.password);
}

/** The newest sign-in link e-mailed to `email`: its path and query (the host is the base URL). */
async function emailedSignInLink(email) {
  const link = new URL(await newestInMail(server.dataDir, email, /\S*\/login\/email-link\?token=[^\s]+/g), server.baseUrl);
  return `${link.pathname}${link.search}`;
}

/** The newest confirmation (step-up) code e-mailed to `email`. */
const emailedConfirmationCode = (email) => newestInMail(server.dataDir, email, /Your confirmation code is (\d{6})/g);

/** The text of the summary list on the page, whitespace collapsed, for "is it listed" checks. */
async function summaryText(who) {
  return (await who.page.locator('main .summary-list').first().innerText()).replace(/\s+/g, ' ');
}

/** What a person's page looked like, for a failure message: URL, title and the start of <main>. */
async function pageSummary(who) {
  if (!who?.page) {
    return '(no page)';
  }
  try {
    const html = await main(who).first().innerHTML({ timeout: 1_000 }).catch(() => who.page.content());
    return (
      `${who.label}'s page: ${who.page.url()} (HTTP ${who.lastStatus})\ntitle: ${await who.page.title()}\n` +
      `HTML excerpt:\n${html.replace(/\s+/g, ' ').slice(0, 3_000)}`
    );
  } catch (err) {
    return `${who.label}'s page: (unavailable: ${err.message})`;
  }
}

/**
 * One step of the journey, acted by `who`: skipped once an earlier step failed; on failure, the
 * message gains that person's page and the server's recent log, and a screenshot is saved.
 */
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
      err.message += `\n\n${await pageSummary(who)}\n\n--- server log (tail) ---\n${server?.logTail() ?? '(no server)'}`;
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The journey

describe(`flagship: address registration in Sofia, in a browser (${databaseKind()})`, () => {
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

  // --- The owner of the home needs an account before anyone can ask for their consent. --------

  step('registers an account with their EGN', owner, async () => {
    await open(owner, '/register');
    await checkPage(owner, 'register');
    await fillRegistration(owner, owner.person);
    await clickAndWait(owner, submitOf(owner, '[name="personal_id"]'));
    assert.equal(currentPath(owner), '/account/totp', 'registration signs in and offers the authenticator');
    await checkPage(owner, 'totp-setup');
  });

  step('skips the authenticator for now and signs out', owner, async () => {
    // The owner will sign in with an e-mail link instead.
    const skip = owner.page.locator('main a[href="/account"]');
    assert.match(await skip.innerText(), /Пропусни засега/);
    await clickAndWait(owner, skip);
    assert.equal(currentPath(owner), '/account');
    await checkPage(owner, 'account');
    await clickAndWait(owner, signOutButton(owner));
    assert.equal(await signOutButton(owner).count(), 0, 'signed out: no sign-out button');
    await checkPage(owner, 'signed-out');
  });

  // --- The applicant finds the service and starts the form. -------------------------------------

  step('searches from the home page', applicant, async () => {
    await open(applicant, '/');
    await checkPage(applicant, 'home');
    await applicant.page.fill('#q', 'адресна регистрация');
    await clickAndWait(applicant, submitOf(applicant, '#q'));
    clicksToForm += 1;
    assert.equal(currentPath(applicant), '/services');
    assert.equal(currentUrl(applicant).searchParams.get('q'), 'адресна регистрация');
    await checkPage(applicant, 'search-results');
  });

  step("opens Sofia's address registration from the results", applicant, async () => {
    // Several municipalities offer the service; the result to pick is Sofia's.
    const sofiasResult = applicant.page
      .locator('ol.results li.result')
      .filter({ hasText: SOFIA })
      .locator(`a[href="/services/${SERVICE_SLUG}"]`);
    assert.equal(await sofiasResult.count(), 1, `one result links to /services/${SERVICE_SLUG} by ${SOFIA}`);
    assert.equal((await sofiasResult.innerText()).trim(), SERVICE_TITLE);
    await clickAndWait(applicant, sofiasResult);
    clicksToForm += 1;
    assert.equal(currentPath(applicant), `/services/${SERVICE_SLUG}`);
    assert.equal(await heading(applicant), SERVICE_TITLE);
    assert.match(await main(applicant).innerText(), new RegExp(SOFIA));
    await checkPage(applicant, 'service');
  });

  step('starts, and is asked to sign in first', applicant, async () => {
    const start = applicant.page.locator('#start');
    assert.match(await start.innerText(), /Започнете/);
    await clickAndWait(applicant, start);
    clicksToForm += 1;
    assert.equal(currentPath(applicant), '/login', 'not signed in: the sign-in page');
    assert.ok(currentUrl(applicant).searchParams.get('next'), 'the sign-in page knows where to return');
    await checkPage(applicant, 'login');
    await signInWithPassword(applicant, APPLICANT_EMAIL, DEMO_PASSWORD);
    await checkPage(applicant, 'second-factor');
  });

  step("the authenticator code returns to the form's first step", applicant, async () => {
    await submitAuthenticatorCode(applicant);
    const match = currentPath(applicant).match(/^\/applications\/([^/]+)\/step\/0$/);
    assert.ok(match, `signing in continues to the new application's first step, not ${currentPath(applicant)}`);
    applicationId = match[1];
    // The promise: a service's form is at most three clicks away from the home page.
    assert.ok(clicksToForm <= 3, `${clicksToForm} clicks from the home page to the form (at most 3)`);
    await checkPage(applicant, 'form-1-applicant');
  });

  // --- The form. ---------------------------------------------------------------------------------

  step('form page 1 of 3 shows their EGN read-only; no children', applicant, async () => {
    assert.equal(await heading(applicant), 'Кой подава заявлението');
    assert.equal((await applicant.page.locator('#applicant_egn').innerText()).trim(), APPLICANT_EGN, 'EGN prefilled');
    assert.equal(await applicant.page.locator('input[name="applicant_egn"]').count(), 0, 'the EGN cannot be edited');
    await applicant.page.check('input[name="include_children"][value="no"]');
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.equal(currentPath(applicant), `/applications/${applicationId}/step/1`);
    assert.equal(await heading(applicant), 'Новият адрес');
    await checkPage(applicant, 'form-2-address');
  });

  step('form page 2 sent empty shows an error summary linking to the fields', applicant, async () => {
    const response = await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.ok([200, 422].includes(response.status()), `status ${response.status()}`);
    assert.equal(currentPath(applicant), `/applications/${applicationId}/step/1`, 'stays on the address step');
    assert.equal(await errorSummary(applicant).count(), 1, 'an error summary is shown');
    const targets = await errorSummary(applicant).locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(targets.length >= 3, `an error for each required field, got ${JSON.stringify(targets)}`);
    for (const target of targets) {
      assert.equal(await applicant.page.locator(target).count(), 1, `the summary's link ${target} leads to a field`);
    }
    assert.match(await applicant.page.title(), /^Грешка/, 'the title says there is an error');
    await checkPage(applicant, 'form-2-address-errors');
  });

  step('form page 2: a permanent address in Sredets, in a home they rent from the owner', applicant, async () => {
    const { page } = applicant;
    await page.check('input[name="address_kind"][value="permanent"]');
    // The options read like "ул. Шипка 6, София"; choose by what a person reads, submit its code.
    const option = page.locator('#address option').filter({ hasText: SREDETS_ADDRESS });
    assert.equal(await option.count(), 1, `one address option reads ${JSON.stringify(SREDETS_ADDRESS)}`);
    await page.selectOption('#address', await option.getAttribute('value'));
    await page.check('input[name="owns_home"][value="no"]');
    await page.fill('[name="owner_egn"]', owner.person.egn);
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.equal(currentPath(applicant), `/applications/${applicationId}/step/2`);
    assert.equal(await heading(applicant), 'Документи');
    await checkPage(applicant, 'form-3-documents');
  });

  step('form page 3: uploads the rental contract as a PDF', applicant, async () => {
    await applicant.page.setInputFiles('input[type="file"][name="ownership_document"]', {
      name: 'dogovor-za-naem.pdf',
      mimeType: 'application/pdf',
      buffer: RENTAL_CONTRACT_PDF,
    });
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.equal(currentPath(applicant), `/applications/${applicationId}/review`);
  });

  step('the review lists the answers', applicant, async () => {
    const answers = await summaryText(applicant);
    for (const expected of [APPLICANT_EGN, 'Постоянен адрес', SREDETS_ADDRESS, owner.person.egn, 'dogovor-za-naem.pdf']) {
      assert.ok(answers.includes(expected), `the review lists ${JSON.stringify(expected)}: ${answers}`);
    }
    assert.equal(await applicant.page.locator('#code').count(), 1, 'submitting asks for the authenticator code');
    await checkPage(applicant, 'review');
  });

  step('signs with the authenticator and gets a receipt with a tracking number', applicant, async () => {
    // Sign-in used this account's current time step; submitAuthenticatorCode waits for the next.
    await submitAuthenticatorCode(applicant);
    assert.equal(currentPath(applicant), `/applications/${applicationId}`);
    assert.equal(currentUrl(applicant).searchParams.get('submitted'), '1');
    const panel = applicant.page.locator('main .panel');
    assert.equal(await panel.count(), 1, 'a confirmation panel');
    const [red, green, blue] = (await panel.evaluate((el) => getComputedStyle(el).backgroundColor)).match(/\d+/g).map(Number);
    assert.ok(green > red && green > blue, `the panel is green, not rgb(${red}, ${green}, ${blue})`);
    trackingNumber = (await applicant.page.locator('#tracking-number').innerText()).trim();
    assert.match(trackingNumber, /^\d{4}-\d{4}-\d{4}-\d{4}$/, 'a tracking number like 2026-4827-3196-0519');
    assert.equal((await applicant.page.locator('#application-state').innerText()).trim(), 'Очаква се съгласие');
    await checkPage(applicant, 'receipt');
  });

  // --- The owner's EGN is verified at a counter. ------------------------------------------------

  step("checks the owner's identity card at a counter", verifier, async () => {
    await open(verifier, '/login');
    await signInWithPassword(verifier, VERIFIER_EMAIL, DEMO_PASSWORD);
    await submitAuthenticatorCode(verifier);
    assert.equal(currentPath(verifier), '/verify', 'an identity verifier lands on the identity checks');
    await checkPage(verifier, 'verify');
    await verifier.page.fill('#personal_id', owner.person.egn);
    await clickAndWait(verifier, submitOf(verifier, '#personal_id'));
    await checkPage(verifier, 'verify-check');
    await verifier.page.check('#document_kind_identity_card');
    await verifier.page.fill('#document_number', '645123987');
    await verifier.page.check('#checked_in_person');
    await clickAndWait(verifier, submitOf(verifier, '#document_number'));
    assert.equal(currentPath(verifier), '/verify');
    assert.match(await verifier.page.locator('#verify-done').innerText(), /проверена/);
    await checkPage(verifier, 'verify-done');
  });

  // --- The owner consents. -----------------------------------------------------------------------

  step('signs in with a link sent by e-mail', owner, async () => {
    await open(owner, '/login');
    await checkPage(owner, 'login');
    await signInWithPassword(owner, owner.person.email, owner.person.password);
    await checkPage(owner, 'second-factor');
    await clickAndWait(owner, owner.page.locator('form[action="/login/email-link"] button[type="submit"]'));
    await checkPage(owner, 'email-link-sent');
    // The link works only in the browser that asked for it: open it in the owner's context.
    await open(owner, await emailedSignInLink(owner.person.email));
    assert.equal(await signOutButton(owner).count(), 1, `signed in after the e-mail link (at ${currentPath(owner)})`);
    // Sign-in lands where their work is: the request for their consent.
    assert.equal(currentPath(owner), '/consents', 'a person asked for their consent lands on the requests');
    assert.equal(
      await owner.page.locator('.header__nav a[href="/consents"][aria-current="page"]').count(),
      1,
      'the header links to the consent requests and marks them as the current page',
    );
    await checkPage(owner, 'signed-in');
  });

  step('finds the consent request and consents', owner, async () => {
    await open(owner, '/consents');
    await checkPage(owner, 'consents');
    const request = owner.page.locator('main a[href^="/consents/"]').filter({ hasText: trackingNumber });
    assert.equal(await request.count(), 1, `one consent request for ${trackingNumber}`);
    await clickAndWait(owner, request);
    assert.match(await main(owner).innerText(), new RegExp(APPLICANT_NAME), 'the request names the applicant');
    await checkPage(owner, 'consent-request');
    // Deciding is confirmed with the second factor; without an app, a code by e-mail.
    await clickAndWait(owner, button(owner, 'Изпратете ми код по имейл'));
    assert.match(await main(owner).innerText(), /Изпратихме ви код по имейл/);
    await checkPage(owner, 'consent-code-sent');
    await owner.page.fill('#code', await emailedConfirmationCode(owner.person.email));
    await clickAndWait(owner, button(owner, 'Давам съгласие'));
    assert.ok(owner.lastStatus < 400, `consenting answered HTTP ${owner.lastStatus}`);
    await checkPage(owner, 'consent-given');
    // Given consent no longer waits for an answer.
    if (currentPath(owner) !== '/consents') {
      await open(owner, '/consents');
      await checkPage(owner, 'consents-after');
    }
    assert.equal(
      await owner.page.locator('main a[href^="/consents/"]').filter({ hasText: trackingNumber }).count(),
      0,
      'the request is no longer listed as waiting',
    );
  });

  // --- The operator of the district the address is in approves. --------------------------------

  step('signs in with the authenticator', operator, async () => {
    await open(operator, '/login');
    await checkPage(operator, 'login');
    await signInWithPassword(operator, OPERATOR_EMAIL, DEMO_PASSWORD);
    await checkPage(operator, 'second-factor');
    // Another account than the applicant's: the same time step is accepted again.
    await submitAuthenticatorCode(operator);
    assert.equal(await signOutButton(operator).count(), 1, `signed in (at ${currentPath(operator)})`);
    // Signed in from the sign-in page itself, an operator lands on their work queue.
    assert.equal(currentPath(operator), '/office', 'an operator lands on the work queue');
    await checkPage(operator, 'signed-in');
  });

  step("finds the case in Sredets' queue, with its deadline", operator, async () => {
    await open(operator, '/office');
    await checkPage(operator, 'office');
    const link = operator.page.locator('main table a').filter({ hasText: trackingNumber });
    assert.equal(await link.count(), 1, `the queue lists ${trackingNumber}`);
    // The queue the case is in is Sredets' (the heading before its table).
    const queueTitle = await link.evaluate((a) => {
      let node = a.closest('table');
      while (node && node.tagName !== 'H2') node = node.previousElementSibling;
      return node?.textContent ?? '';
    });
    assert.match(queueTitle, /Средец/, `the case is in Sredets' queue, not "${queueTitle}"`);
    const row = (await link.locator('xpath=ancestor::tr').innerText()).replace(/\s+/g, ' ');
    assert.equal(
      await link.locator('xpath=ancestor::tr').locator('.tag.tag--progress').count(),
      1,
      'the state is a blue "in progress" tag',
    );
    assert.match(row, /\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}/, `the row shows a deadline date: ${row}`);
    await clickAndWait(operator, link);
    assert.equal(currentPath(operator), `/office/cases/${applicationId}`);
    assert.equal((await operator.page.locator('#case-state').innerText()).trim(), 'Подадено', 'consent given: back to submitted');
    // What the applicant sent reached the case: the answers, the upload and the owner's consent.
    const caseText = (await main(operator).innerText()).replace(/\s+/g, ' ');
    for (const expected of [APPLICANT_NAME, owner.person.egn, 'dogovor-za-naem.pdf', `${RENTAL_CONTRACT_PDF.length} B`]) {
      assert.ok(caseText.includes(expected), `the case page shows ${JSON.stringify(expected)}: ${caseText.slice(0, 2_000)}`);
    }
    await checkPage(operator, 'case');
  });

  step('takes the case, starts the review and approves', operator, async () => {
    await clickAndWait(operator, button(operator, 'Поеми заявлението'));
    assert.equal(currentPath(operator), `/office/cases/${applicationId}`);
    await checkPage(operator, 'case-taken');

    await clickAndWait(operator, button(operator, 'Започване на разглеждането'));
    assert.equal((await operator.page.locator('#case-state').innerText()).trim(), 'В процес на разглеждане');
    await checkPage(operator, 'case-in-review');
  });

  // --- A request for more information, and the applicant's answer. ------------------------------

  step('asks the applicant for more information', operator, async () => {
    await operator.page.fill('#message-request_information', INFORMATION_ASKED);
    await clickAndWait(operator, button(operator, 'Искане на допълнителна информация'));
    assert.equal(currentPath(operator), `/office/cases/${applicationId}`);
    assert.equal((await operator.page.locator('#case-state').innerText()).trim(), 'Очаква се информация от заявителя');
    await checkPage(operator, 'case-information-asked');
  });

  step('sees what is asked, waiting for them, and answers', applicant, async () => {
    await open(applicant, `/applications/${applicationId}`);
    assert.equal(
      await applicant.page.locator('#application-state.tag--waiting').count(),
      1,
      'the state is a yellow "waiting for you" tag',
    );
    assert.match(await main(applicant).innerText(), new RegExp(INFORMATION_ASKED));
    await checkPage(applicant, 'information-asked');
    // Sent empty: an error, and the case still waits for them.
    const empty = await clickAndWait(applicant, button(applicant, 'Изпрати отговора'));
    assert.equal(empty.status(), 422);
    assert.equal(await errorSummary(applicant).count(), 1, 'an error summary is shown');
    await checkPage(applicant, 'information-empty');
    await applicant.page.fill('#message', INFORMATION_GIVEN);
    await clickAndWait(applicant, button(applicant, 'Изпрати отговора'));
    assert.equal((await applicant.page.locator('#application-state').innerText()).trim(), 'В процес на разглеждане');
    await checkPage(applicant, 'information-given');
  });

  step("reads the applicant's answer and approves", operator, async () => {
    await open(operator, `/office/cases/${applicationId}`);
    assert.equal((await operator.page.locator('#case-state').innerText()).trim(), 'В процес на разглеждане');
    assert.match(await main(operator).innerText(), new RegExp(INFORMATION_GIVEN));

    await clickAndWait(operator, button(operator, 'Одобряване и издаване на удостоверение'));
    // A decision is asked about once, saying that it cannot be undone.
    assert.equal(currentPath(operator), `/office/cases/${applicationId}/transition`);
    assert.match(await operator.page.locator('#cannot-be-undone').innerText(), /не може да бъде отменено/);
    await checkPage(operator, 'confirm-approval');
    await clickAndWait(operator, operator.page.locator('#confirm'));
    assert.equal((await operator.page.locator('#case-state').innerText()).trim(), 'Одобрено');
    await checkPage(operator, 'case-approved');
  });

  // --- The applicant sees the result. -----------------------------------------------------------

  step('sees the application approved and downloads the result', applicant, async () => {
    await open(applicant, `/applications/${applicationId}`);
    assert.equal((await applicant.page.locator('#tracking-number').innerText()).trim(), trackingNumber);
    assert.equal((await applicant.page.locator('#application-state').innerText()).trim(), 'Одобрено');
    const download = applicant.page.getByRole('button', { name: 'Изтеглете резултата' });
    assert.equal(await download.count(), 1, 'a link to download the result');
    await checkPage(applicant, 'approved');
    // A download, not a page: fetch it with the applicant's session.
    const result = await applicant.page.request.get(new URL(await download.getAttribute('href'), applicant.page.url()).href);
    assert.equal(result.status(), 200);
    const text = await result.text();
    assert.ok(text.includes(trackingNumber), `the result names ${trackingNumber}:\n${text.slice(0, 1_000)}`);
  });

  step('finds it approved among their applications', applicant, async () => {
    await open(applicant, '/applications');
    const row = applicant.page.locator('main tr').filter({ has: applicant.page.locator(`a[href="/applications/${applicationId}"]`) });
    assert.equal(await row.count(), 1, `the list has ${trackingNumber}`);
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    assert.ok(text.includes(trackingNumber) && text.includes('Одобрено'), `the row: ${text}`);
    await checkPage(applicant, 'applications');
  });
});
