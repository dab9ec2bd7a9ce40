// Paying a fee by card, as a person does it in a real browser: the demo citizen (checked at a
// counter first, since paying needs substantial assurance) applies for a certificate of
// permanent address, which has a fee; the review page shows the amount before submitting; after
// submitting, the application waits for the fee and offers "Pay by card"; the sandbox card
// provider (`portico sandbox-pay`, started by this test as its own HTTP service on its own port)
// shows its hosted page, takes the test card that succeeds and sends the payer back; Portico
// shows the payment received, the case moves on (the payments outbox job) and the receipt is in
// the citizen's eDelivery mailbox.
//
// Then the administration's operator works the payment on the back office's pages: finds it in
// the payments list (reached from the work queue), refunds part of it after a confirmation
// page (which says the money goes back to the card; the sandbox provider refunds it), opens the
// reconciliation screen, dismisses a held card callback there (one for another amount, sent
// signed as the provider would), and opens the statement upload page.
//
// Every page (Portico's and the provider's) is checked at 320 px and 1280 px (no sideways
// scrolling) and with axe-core. The steps run in order; after a failed step the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { makeEgn } from './people.mjs';
import { REPO_ROOT, SERVER_BINARY, databaseKind, freePort, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('payments', databaseKind());

// What `portico demo` seeds (crates/portico/demo/accounts.json).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const APPLICANT_EMAIL = 'ivan.petrov@portico.demo';
const APPLICANT_EGN = makeEgn(new Date(Date.UTC(1985, 6, 14)), 123);
const VERIFIER_EMAIL = 'verifier@sofia.portico.demo';
const OPERATOR_EMAIL = 'operator.sredets@sofia.portico.demo';
const SERVICE_SLUG = 'permanent-address-certificate-sofia';
const SECRET = 'browser-test-sandbox-secret-of-at-least-32-bytes';

let server;
let sandbox;
let sandboxUrl;
let browser;
let failedStep = null;
let applicationId = null;
let sessionId = null;

const applicant = { label: 'applicant' };
const verifier = { label: 'verifier' };
const operator = { label: 'operator' };

const currentPath = (who) => new URL(who.page.url()).pathname;
const submitOf = (who, selector) => who.page.locator(`form:has(${selector}) button[type="submit"]`).first();
const open = (who, path) => who.page.goto(`${server.baseUrl}${path}`);
const checkPage = (who, name) => checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
const submitAuthenticatorCode = (who) => submitWithAuthenticator(who, DEMO_TOTP_SECRET);

async function signInWithPassword(who, email) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', email);
  await who.page.fill('[name="password"]', DEMO_PASSWORD);
  await clickAndWait(who, submitOf(who, '[name="identifier"]'));
  await submitAuthenticatorCode(who);
}

/** Starts `portico sandbox-pay` on a free port and waits until it answers. */
async function startSandbox() {
  const port = await freePort();
  sandboxUrl = `http://127.0.0.1:${port}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_')));
  env.PORTICO_PAY_SANDBOX_SECRET = SECRET;
  env.PORTICO_DATA_DIR = join(REPO_ROOT, 'tests', 'browser', 'artifacts', 'sandbox-data');
  const child = spawn(SERVER_BINARY, ['sandbox-pay', '--listen', `127.0.0.1:${port}`], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 200; i += 1) {
    try {
      const r = await fetch(`${sandboxUrl}/healthz`);
      if (r.ok) {
        return child;
      }
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) {
      throw new Error(`portico sandbox-pay exited:\n${log}`);
    }
    await sleep(100);
  }
  throw new Error(`portico sandbox-pay did not start:\n${log}`);
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
      const html = who.page ? (await who.page.content().catch(() => '')).replace(/\s+/g, ' ').slice(0, 3_000) : '';
      err.message += `\n\nat ${who.page?.url()}\n${html}\n\n--- server log (tail) ---\n${server?.logTail() ?? ''}`;
      throw err;
    }
  });
}

describe(`paying a fee by card on the sandbox provider's page (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    sandbox = await startSandbox();
    server = await startServer({
      env: { PORTICO_PAY_SANDBOX_URL: sandboxUrl, PORTICO_PAY_SANDBOX_SECRET: SECRET },
    });
    browser = await launchBrowserForPeople();
    for (const who of [applicant, verifier, operator]) {
      Object.assign(who, await browser.newContext(), { lastTotpStep: null });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    sandbox?.kill('SIGTERM');
  });

  step("checks the citizen's identity card at a counter", verifier, async () => {
    await signInWithPassword(verifier, VERIFIER_EMAIL);
    assert.equal(currentPath(verifier), '/verify');
    await verifier.page.fill('#personal_id', APPLICANT_EGN);
    await clickAndWait(verifier, submitOf(verifier, '#personal_id'));
    await verifier.page.check('#document_kind_identity_card');
    await verifier.page.fill('#document_number', '645123988');
    await verifier.page.check('#checked_in_person');
    await clickAndWait(verifier, submitOf(verifier, '#document_number'));
    assert.match(await verifier.page.locator('#verify-done').innerText(), /проверена/);
  });

  step('applies for a service with a fee and sees the amount before submitting', applicant, async () => {
    await signInWithPassword(applicant, APPLICANT_EMAIL);
    await open(applicant, `/services/${SERVICE_SLUG}/apply`);
    const match = currentPath(applicant).match(/^\/applications\/([^/]+)\/step\/0$/);
    assert.ok(match, `the form's first step, not ${currentPath(applicant)}`);
    applicationId = match[1];
    const { page } = applicant;
    // The shared template library's certificate request: for whom, then why and how many.
    await page.check('input[name="for_whom"][value="self"]');
    await clickAndWait(applicant, page.locator('main form button[type="submit"]').last());
    await page.fill('[name="purpose"]', 'Удостоверение за банката');
    await page.fill('[name="copies"]', '1');
    while (/\/step\//.test(currentPath(applicant))) {
      await clickAndWait(applicant, page.locator('main form button[type="submit"]').last());
    }
    assert.equal(currentPath(applicant), `/applications/${applicationId}/review`);
    assert.equal((await page.locator('#fee').count()), 1, 'the fee is shown');
    assert.match(await page.locator('main').innerText(), /2,50 €/);
    await checkPage(applicant, 'review-with-fee');
    await submitAuthenticatorCode(applicant);
    assert.equal(currentPath(applicant), `/applications/${applicationId}`);
    assert.equal((await page.locator('#application-state').innerText()).trim(), 'Очаква се плащане на таксата');
    assert.equal(await page.locator('#pay-fee').count(), 1, 'a "pay" step');
    await checkPage(applicant, 'waiting-for-fee');
  });

  step("pays on the sandbox provider's page and comes back", applicant, async () => {
    const { page } = applicant;
    await clickAndWait(applicant, page.locator('#pay-fee'));
    assert.match(currentPath(applicant), /^\/payments\/[^/]+\/pay$/);
    await checkPage(applicant, 'to-provider');
    await clickAndWait(applicant, page.locator('#to-provider'));
    assert.ok(page.url().startsWith(`${sandboxUrl}/pay/`), `the provider's page, not ${page.url()}`);
    assert.equal((await page.locator('#amount').innerText()).trim(), '2.50 EUR');
    sessionId = new URL(page.url()).pathname.split('/').pop();
    await checkPage(applicant, 'sandbox-page');
    await page.fill('#card_number', '4242 4242 4242 4242');
    await clickAndWait(applicant, page.locator('#pay'));
    assert.ok(page.url().startsWith(`${server.baseUrl}/payments`), `back at Portico, not ${page.url()}`);
    assert.equal((await page.locator('.notification__title').innerText()).trim(), 'Плащането е получено');
    assert.match(await page.locator('main').innerText(), /Платено/);
    await checkPage(applicant, 'payment-received');
  });

  step('sees the case moved on and the receipt in the mailbox', applicant, async () => {
    const { page } = applicant;
    let state = '';
    for (let i = 0; i < 50; i += 1) {
      await open(applicant, `/applications/${applicationId}`);
      state = (await page.locator('#application-state').innerText()).trim();
      if (state === 'Подадено') {
        break;
      }
      await sleep(200);
    }
    assert.equal(state, 'Подадено');
    assert.equal(await page.locator('#pay-fee').count(), 0, 'nothing more to pay');
    assert.match(await page.locator('main').innerText(), /Таксата е платена/);
    await checkPage(applicant, 'case-moved-on');
    await open(applicant, '/mailbox');
    assert.match(await page.locator('main').innerText(), /Разписка за платена такса/);
    await checkPage(applicant, 'mailbox-receipt');
  });

  step("finds the paid fee on the back office's payments page and refunds part of it", operator, async () => {
    const { page } = operator;
    await signInWithPassword(operator, OPERATOR_EMAIL);
    await open(operator, '/office');
    await clickAndWait(operator, page.locator('a[href="/office/payments"]'));
    assert.equal(currentPath(operator), '/office/payments');
    await page.selectOption('#state', 'paid');
    await clickAndWait(operator, submitOf(operator, '#state'));
    const row = page.locator('#office-payments tbody tr').first();
    assert.match(await row.innerText(), /2\.50 EUR/);
    await checkPage(operator, 'payments-list');
    await clickAndWait(operator, row.locator('a').first());
    assert.match(currentPath(operator), /^\/office\/payments\/[^/]+$/);
    await checkPage(operator, 'payment');
    await page.fill('#amount', '1,00');
    await page.fill('#note', 'Надвзета сума');
    await clickAndWait(operator, submitOf(operator, '#amount'));
    assert.match(await page.locator('main').innerText(), /1\.00 EUR/);
    assert.match(await page.locator('#refund-how').innerText(), /с карта/);
    await checkPage(operator, 'refund-confirm');
    await clickAndWait(operator, page.locator('main form button[type="submit"]'));
    assert.equal((await page.locator('.notification__title').innerText()).trim(), 'Сумата е възстановена');
    assert.match(await page.locator('h1').innerText(), /Частично възстановено/);
    assert.match(await page.locator('.timeline').innerText(), /Надвзета сума/);
    await checkPage(operator, 'refunded');
  });

  step('opens the reconciliation screen and the statement upload page', operator, async () => {
    const { page } = operator;
    await open(operator, '/office/payments');
    await clickAndWait(operator, page.locator('#payments-office-links a[href^="/office/payments/reconciliation"]'));
    assert.equal(await page.locator('#no-lines').count(), 1);
    assert.equal(await page.locator('#no-held').count(), 1);
    await checkPage(operator, 'reconciliation');
    // The provider says it took another amount on the paid session: held for a person.
    const body = JSON.stringify({
      event_id: randomUUID(), session_id: sessionId, status: 'captured', amount_minor: 100, currency: 'EUR',
    });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
    const sent = await fetch(`${server.baseUrl}/api/v1/payments/callbacks/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'portico-signature': `t=${t},v1=${v1}` },
      body,
    });
    assert.equal((await sent.json()).outcome, 'amount_mismatch');
    await page.reload();
    const held = page.locator('section.held-callback');
    assert.equal(await held.count(), 1);
    assert.match(await held.innerText(), /Друга сума или валута/);
    // Dismissing needs a reason.
    await clickAndWait(operator, held.locator('button[value="dismiss"]'));
    assert.match(await page.locator('.error-summary').innerText(), /Посочете защо/);
    await checkPage(operator, 'held-callback-error');
    await page.fill('#held-note', 'Грешно известие на доставчика');
    await clickAndWait(operator, page.locator('section.held-callback button[value="dismiss"]'));
    assert.equal((await page.locator('.notification__title').innerText()).trim(), 'Картовото плащане е решено');
    assert.equal(await page.locator('#no-held').count(), 1);
    assert.match(await page.locator('#resolved-held').innerText(), /Отхвърлено — Грешно известие на доставчика/);
    await checkPage(operator, 'held-callback-resolved');
    await clickAndWait(operator, page.locator('main a[href^="/office/payments/statements"]'));
    assert.equal(await page.locator('#statement').count(), 1);
    await clickAndWait(operator, submitOf(operator, '#statement'));
    assert.match(await page.locator('.error-summary').innerText(), /Изберете файла/);
    await checkPage(operator, 'statement-upload-error');
  });
});
