// Certificate sign-in through the trusted proxy header, and switching "acting as" under a
// mandate, in a real browser against a real server. The certificates are made with openssl by
// scripts/demo-certs; the server trusts loopback as its reverse proxy, and each person's browser
// sends their certificate in X-Client-Cert (URL-encoded PEM, as nginx's
// $ssl_client_escaped_cert) — what a proxy that terminated TLS with the card would forward.
// Every page is checked with axe-core and for sideways scrolling at 320 and 1280 px.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { checkA11y, checkLayout, launchBrowserForPeople, screenshot } from './browser.mjs';
import { clickAndWait, newestInMail } from './journey.mjs';
import { egnCheckDigit } from './people.mjs';
import { REPO_ROOT, databaseKind, startServer } from './server.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ivanEgn = `850714123${egnCheckDigit('850714123')}`; // scripts/demo-certs' ivan-petrov

let certs;
let server;
let browser;
let maria; // the principal: signs in with her certificate, gives Ivan a mandate
let ivan; // the agent: signs in with his certificate, acts for Maria

async function withCertificate(name) {
  const pem = await readFile(join(certs, `${name}.pem`), 'utf8');
  const who = await browser.newContext({ extraHTTPHeaders: { 'X-Client-Cert': encodeURIComponent(pem) } });
  who.name = name;
  return who;
}

async function checkPage(who, label) {
  await checkA11y(who.page, label);
  await checkLayout(who.page, label);
  await screenshot(who.page, label);
}

async function signInWithCertificate(who) {
  await who.page.goto(`${server.baseUrl}/login`);
  await clickAndWait(who, who.page.locator('#cert-login-link'));
  assert.equal(new URL(who.page.url()).pathname, '/login/certificate');
  await checkPage(who, `cert-login-${who.name}`);
  await clickAndWait(who, who.page.locator('form[action="/login/certificate"] button[type="submit"]'));
  assert.notEqual(new URL(who.page.url()).pathname, '/login/certificate', await who.page.content());
}

describe(`certificates and mandates in a browser (${databaseKind()})`, { timeout: 10 * 60_000 }, () => {
  before(async () => {
    certs = await mkdtemp(join(tmpdir(), 'portico-certs-'));
    execFileSync(join(REPO_ROOT, 'scripts', 'demo-certs'), [certs], { stdio: 'ignore' });
    server = await startServer({
      env: {
        PORTICO_CLIENT_CA_FILE: join(certs, 'ca.pem'),
        PORTICO_CLIENT_CRL: join(certs, 'crl.pem'),
        PORTICO_TRUSTED_PROXIES: '127.0.0.1',
      },
    });
    browser = await launchBrowserForPeople();
    maria = await withCertificate('maria-georgieva');
    ivan = await withCertificate('ivan-petrov');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (certs) await rm(certs, { recursive: true, force: true });
  });

  it('refuses a revoked certificate with its reason', { timeout: STEP_TIMEOUT_MS }, async () => {
    const revoked = await withCertificate('revoked');
    await revoked.page.goto(`${server.baseUrl}/login/certificate`);
    const response = await clickAndWait(revoked, revoked.page.locator('form[action="/login/certificate"] button[type="submit"]'));
    assert.equal(response.status(), 403);
    assert.equal(await revoked.page.locator('#cert-refused-reason').getAttribute('data-reason'), 'revoked');
    await checkPage(revoked, 'cert-refused');
    await revoked.context.close();
  });

  it('signs the agent and the principal in with their certificates, at level high', { timeout: STEP_TIMEOUT_MS }, async () => {
    await signInWithCertificate(ivan);
    await signInWithCertificate(maria);
    await maria.page.goto(`${server.baseUrl}/account`);
    const account = await maria.page.locator('main').innerText();
    assert.match(account, /Мария/);
    await checkPage(maria, 'account-after-certificate');
    // Her certificate gave no e-mail address: she gives her first one on the contact page.
    await clickAndWait(maria, maria.page.locator('#contact-link'));
    assert.equal(new URL(maria.page.url()).pathname, '/account/contact');
    await checkPage(maria, 'contact');
  });

  it('lets the principal give the agent a mandate, confirmed with a code', { timeout: STEP_TIMEOUT_MS }, async () => {
    const { page } = maria;
    await page.goto(`${server.baseUrl}/account`);
    const email = (await page.locator('main').innerText()).match(/[\w.+-]+@accounts\.invalid/)?.[0];
    assert.ok(email, 'the certificate account has its placeholder address on /account');
    await page.goto(`${server.baseUrl}/account/mandates`);
    await checkPage(maria, 'mandates-principal');
    // A person without an authenticator app is sent the code by e-mail (the step-up form).
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const sent = await maria.context.request.post(`${server.baseUrl}/step-up/code`, {
      form: { _csrf: csrf, channel: 'email', purpose: 'identity.mandate_grant', back: '/account/mandates' },
      maxRedirects: 0,
    });
    assert.equal(sent.status(), 303);
    const code = await newestInMail(server.dataDir, email, /\b(\d{6})\b/g);
    await page.fill('#agent_personal_id', ivanEgn);
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('#valid_until', until);
    await page.fill('#code', code);
    await clickAndWait(maria, page.locator('form[action="/account/mandates"] button[type="submit"]'));
    assert.ok(await page.locator('#mandates-given').isVisible(), await page.content());
    await checkPage(maria, 'mandate-given');
  });

  it('lets the agent switch to acting for the principal, shown on every page, and back', { timeout: STEP_TIMEOUT_MS }, async () => {
    const { page } = ivan;
    await page.goto(`${server.baseUrl}/account/mandates`);
    await checkPage(ivan, 'mandates-agent');
    await clickAndWait(ivan, page.locator('#mandates-held button[data-mandate]').first());
    assert.match(await page.locator('#acting-for-name').innerText(), /Мария/);
    await checkPage(ivan, 'acting-for');
    await page.goto(`${server.baseUrl}/account`);
    assert.match(await page.locator('#acting-for-name').innerText(), /Мария/);
    await clickAndWait(ivan, page.locator('#acting-for form button[type="submit"]'));
    assert.equal(await page.locator('#acting-for').count(), 0);
  });
});
