// eDelivery in a browser, as four people make it against one real server:
//
//   grantee:   registers an account (an accountant the applicant will let read a message)
//   verifier:  Sofia's identity verifier checks the applicant's and the grantee's identity cards
//              at a counter (reading an official mailbox needs substantial assurance, and a
//              self-registered EGN is only claimed until then)
//   applicant: applies for address registration in Sofia (their own home: no consent needed)
//   operator:  of Sredets, takes the case and issues the result
//   applicant: is notified by e-mail (a link, no content), opens the message from the link, sees
//              it opened in the mailbox, downloads the evidence (checked here: a JWS chain naming
//              the SHA-256 of message.json) and grants the grantee access (first with a wrong EGN)
//   grantee:   is told by e-mail, signs in, finds the message under "Shared with you" and reads it
//   applicant: sees the grantee's reading beside the grant
//
// Every page, error states included, is checked with axe-core (WCAG 2.1 A/AA) at 320 px and
// 1280 px without sideways scrolling, and screenshotted into artifacts/delivery/<db>/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { makeEgn, newPerson } from './people.mjs';
import { SERVER_BINARY, databaseKind, startServer } from './server.mjs';
import { clickAndWait, newestInMail, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const APPLICANT_EMAIL = 'ivan.petrov@portico.demo';
const APPLICANT_EGN = makeEgn(new Date(Date.UTC(1985, 6, 14)), 123);
const OPERATOR_EMAIL = 'operator.sredets@sofia.portico.demo';
const VERIFIER_EMAIL = 'verifier@sofia.portico.demo';
const SERVICE_SLUG = 'address-registration-sofia';
const SREDETS_ADDRESS = 'ул. Шипка 6';
const ARTIFACTS = join('delivery', databaseKind());

let server;
let browser;
let failedStep = null;

const applicant = { label: 'applicant' };
const operator = { label: 'operator' };
const verifier = { label: 'verifier' };
const grantee = { label: 'grantee', person: newPerson() };
const everyone = [applicant, operator, verifier, grantee];

let applicationId = null;
let trackingNumber = null;
let messagePath = null;

async function giveBrowserContext(who) {
  Object.assign(who, await browser.newContext(), { lastStatus: null, lastTotpStep: null });
  who.page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === who.page.mainFrame()) {
      who.lastStatus = response.status();
    }
  });
}

const open = (who, path) => who.page.goto(`${server.baseUrl}${path}`);
const currentPath = (who) => new URL(who.page.url()).pathname;
const main = (who) => who.page.locator('main');
const submitOf = (who, selector) => who.page.locator(`form:has(${selector}) button[type="submit"]`).first();
const button = (who, text) => who.page.getByRole('button', { name: text, exact: true });
const signOutButton = (who) => who.page.locator('form[action="/logout"] button[type="submit"]');
const checkPage = (who, name) => checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
const submitAuthenticatorCode = (who) => submitWithAuthenticator(who, DEMO_TOTP_SECRET);

async function signInWithPassword(who, email, password) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', email);
  await who.page.fill('[name="password"]', password);
  await clickAndWait(who, submitOf(who, '[name="identifier"]'));
  assert.equal(currentPath(who), '/login/second-factor', 'e-mail and password lead to the second factor');
}

/** A download, not a page: fetched with this person's session. */
async function download(who, href) {
  const response = await who.page.request.get(new URL(href, who.page.url()).href);
  assert.equal(response.status(), 200, `${href} answered ${response.status()}`);
  return Buffer.from(await response.body());
}

const jwsPayload = (jws) => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function pageSummary(who) {
  if (!who?.page) {
    return '(no page)';
  }
  try {
    const html = await main(who).first().innerHTML({ timeout: 1_000 }).catch(() => who.page.content());
    return `${who.label}'s page: ${who.page.url()} (HTTP ${who.lastStatus})\nHTML excerpt:\n${html.replace(/\s+/g, ' ').slice(0, 3_000)}`;
  } catch (err) {
    return `${who.label}'s page: (unavailable: ${err.message})`;
  }
}

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

describe(`delivery: a result arrives in the mailbox and is shared, in a browser (${databaseKind()})`, () => {
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

  step('registers an account and signs out', grantee, async () => {
    const { page } = grantee;
    const p = grantee.person;
    await open(grantee, '/register');
    await page.check('input[name="personal_id_kind"][value="egn"]');
    await page.fill('[name="personal_id"]', p.egn);
    await page.fill('[name="given_name"]', p.givenName);
    await page.fill('[name="family_name"]', p.familyName);
    await page.fill('[name="email"]', p.email);
    await page.fill('[name="phone"]', p.phone);
    await page.fill('[name="password"]', p.password);
    await page.fill('[name="password_confirm"]', p.password);
    await clickAndWait(grantee, submitOf(grantee, '[name="personal_id"]'));
    assert.equal(currentPath(grantee), '/account/totp');
    await clickAndWait(grantee, page.locator('main a[href="/account"]'));
    await clickAndWait(grantee, signOutButton(grantee));
    assert.equal(await signOutButton(grantee).count(), 0, 'signed out');
  });

  step("checks the applicant's and the grantee's identity cards at a counter", verifier, async () => {
    await signInWithPassword(verifier, VERIFIER_EMAIL, DEMO_PASSWORD);
    await submitAuthenticatorCode(verifier);
    assert.equal(currentPath(verifier), '/verify');
    for (const [egn, number] of [[APPLICANT_EGN, '645123001'], [grantee.person.egn, '645123002']]) {
      await open(verifier, '/verify');
      await verifier.page.fill('#personal_id', egn);
      await clickAndWait(verifier, submitOf(verifier, '#personal_id'));
      await verifier.page.check('#document_kind_identity_card');
      await verifier.page.fill('#document_number', number);
      await verifier.page.check('#checked_in_person');
      await clickAndWait(verifier, submitOf(verifier, '#document_number'));
      assert.match(await verifier.page.locator('#verify-done').innerText(), /проверена/);
    }
  });

  step('applies for address registration at their own home', applicant, async () => {
    await signInWithPassword(applicant, APPLICANT_EMAIL, DEMO_PASSWORD);
    await submitAuthenticatorCode(applicant);
    await open(applicant, `/services/${SERVICE_SLUG}`);
    await clickAndWait(applicant, applicant.page.locator('#start'));
    const match = currentPath(applicant).match(/^\/applications\/([^/]+)\/step\/0$/);
    assert.ok(match, `the form's first step, not ${currentPath(applicant)}`);
    applicationId = match[1];
    await applicant.page.check('input[name="include_children"][value="no"]');
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    await applicant.page.check('input[name="address_kind"][value="permanent"]');
    const option = applicant.page.locator('#address option').filter({ hasText: SREDETS_ADDRESS });
    await applicant.page.selectOption('#address', await option.getAttribute('value'));
    await applicant.page.check('input[name="owns_home"][value="yes"]');
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.equal(currentPath(applicant), `/applications/${applicationId}/step/2`);
    await clickAndWait(applicant, button(applicant, 'Запази и продължи'));
    assert.equal(currentPath(applicant), `/applications/${applicationId}/review`);
    await submitAuthenticatorCode(applicant);
    assert.equal(currentPath(applicant), `/applications/${applicationId}`);
    trackingNumber = (await applicant.page.locator('#tracking-number').innerText()).trim();
    assert.match(trackingNumber, /^\d{4}-\d{4}-\d{4}-\d{4}$/);
  });

  step('issues the result', operator, async () => {
    await signInWithPassword(operator, OPERATOR_EMAIL, DEMO_PASSWORD);
    await submitAuthenticatorCode(operator);
    await open(operator, `/office/cases/${applicationId}`);
    await clickAndWait(operator, button(operator, 'Поеми заявлението'));
    await clickAndWait(operator, button(operator, 'Започване на разглеждането'));
    await clickAndWait(operator, button(operator, 'Одобряване и издаване на удостоверение'));
    await clickAndWait(operator, operator.page.locator('#confirm'));
    assert.equal((await operator.page.locator('#case-state').innerText()).trim(), 'Одобрено');
    await checkPage(operator, 'case-approved');
  });

  step('is notified by e-mail with a link and no content, and opens the message', applicant, async () => {
    const link = new URL(await newestInMail(server.dataDir, APPLICANT_EMAIL, /\S*\/mailbox\/messages\/[^\s]+/g), server.baseUrl);
    messagePath = link.pathname;
    assert.match(messagePath, /^\/mailbox\/messages\/[^/]+$/);
    // Before opening: listed as new.
    await open(applicant, '/mailbox');
    const row = applicant.page.locator('#messages tr').filter({ hasText: trackingNumber });
    assert.equal(await row.count(), 1, `the mailbox lists the result of ${trackingNumber}`);
    assert.equal((await row.locator('.tag').innerText()).trim(), 'Ново');
    await checkPage(applicant, 'mailbox-new');
    await open(applicant, messagePath);
    assert.ok((await applicant.page.locator('#message-subject').innerText()).includes(trackingNumber));
    assert.equal(await applicant.page.locator('.attachment-link').count(), 1, 'the result is attached');
    await checkPage(applicant, 'message');
    await open(applicant, '/mailbox');
    assert.equal((await applicant.page.locator('#messages tr').filter({ hasText: trackingNumber }).locator('.tag').innerText()).trim(), 'Отворено');
    await checkPage(applicant, 'mailbox-opened');
  });

  step('downloads the evidence: a signed chain naming the content it received', applicant, async () => {
    await open(applicant, messagePath);
    const chain = (await download(applicant, await applicant.page.locator('#evidence-download').getAttribute('href')))
      .toString('utf8')
      .trim()
      .split('\n');
    const events = chain.map((jws) => jwsPayload(jws).event);
    assert.deepEqual(events, ['SubmissionAcceptance', 'ContentConsignment', 'ContentHandover']);
    const content = await download(applicant, await applicant.page.locator('#content-download').getAttribute('href'));
    for (const [i, jws] of chain.entries()) {
      assert.equal(jws.split('.').length, 3, 'a compact JWS');
      const statement = jwsPayload(jws);
      assert.equal(statement.message_sha256, sha256(content), 'the evidence names the SHA-256 of message.json');
      assert.equal(statement.seq, i);
      assert.equal(statement.previous, i === 0 ? null : sha256(chain[i - 1]), 'each names the one before it');
    }
    assert.equal((await applicant.page.locator('#content-sha256').innerText()).trim(), sha256(content));
  });

  step('exports the conversation as a ZIP that `portico evidence verify` checks whole', applicant, async () => {
    const zip = await download(applicant, await applicant.page.locator('#thread-export').getAttribute('href'));
    assert.equal(zip.subarray(0, 4).toString('binary'), 'PK\x03\x04', 'a ZIP');
    const file = join(server.dataDir, 'thread-export.zip');
    await writeFile(file, zip);
    const out = execFileSync(SERVER_BINARY, ['evidence', 'verify', file], {
      env: { PATH: process.env.PATH, PORTICO_DATA_DIR: server.dataDir, PORTICO_LOG: 'error' },
      encoding: 'utf8',
    });
    assert.match(out, /export valid: thread .*\n +1 message, /, out);
  });

  step('grants the grantee access to the message (first with a wrong EGN)', applicant, async () => {
    await applicant.page.fill('#grantee', '1234567890');
    await clickAndWait(applicant, submitOf(applicant, '#grantee'));
    assert.equal(applicant.lastStatus, 422);
    assert.equal(await applicant.page.locator('#grantee-error').count(), 1, 'the field says what is wrong');
    await checkPage(applicant, 'grant-error');
    await applicant.page.fill('#grantee', grantee.person.egn);
    await clickAndWait(applicant, submitOf(applicant, '#grantee'));
    assert.equal(currentPath(applicant), '/mailbox');
    const grant = applicant.page.locator('#grant-list .grant');
    assert.equal(await grant.count(), 1);
    assert.match(await grant.innerText(), new RegExp(grantee.person.egn));
    assert.equal((await grant.locator('.grant-reads').innerText()).trim(), '0');
    await checkPage(applicant, 'granted');
  });

  step('is told by e-mail, signs in and reads the message shared with them', grantee, async () => {
    const told = await newestInMail(server.dataDir, grantee.person.email, /\S*\/mailbox#shared/g);
    assert.ok(told.endsWith('/mailbox#shared'), told);
    await signInWithPassword(grantee, grantee.person.email, grantee.person.password);
    await clickAndWait(grantee, grantee.page.locator('form[action="/login/email-link"] button[type="submit"]'));
    const link = new URL(await newestInMail(server.dataDir, grantee.person.email, /\S*\/login\/email-link\?token=[^\s]+/g), server.baseUrl);
    await open(grantee, `${link.pathname}${link.search}`);
    assert.equal(await signOutButton(grantee).count(), 1, 'signed in with the e-mail link');
    await open(grantee, '/mailbox');
    const shared = grantee.page.locator('#shared ~ ul .shared-link');
    assert.equal(await shared.count(), 1, 'one message shared with them');
    assert.equal(await shared.getAttribute('href'), messagePath);
    await checkPage(grantee, 'mailbox-shared');
    await clickAndWait(grantee, shared);
    assert.equal(grantee.lastStatus, 200);
    assert.ok((await grantee.page.locator('#message-subject').innerText()).includes(trackingNumber));
    await checkPage(grantee, 'message-shared');
  });

  step("sees the grantee's reading beside the grant", applicant, async () => {
    await open(applicant, '/mailbox');
    assert.equal((await applicant.page.locator('#grant-list .grant .grant-reads').innerText()).trim(), '1');
    await checkPage(applicant, 'grant-read');
  });
});
