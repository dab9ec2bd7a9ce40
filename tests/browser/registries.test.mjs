// The registry exchange's pages for a register owner, in a real browser under the server's own
// Content-Security-Policy: Sofia's admin, who also answers for Sofia's address register, opens
// the console, follows its link to the access requests waiting, and refuses one without a reason
// (an error) and then with one; then the platform's admin finds the request to the population
// register (whose keeper has nobody on the platform), sees which administration keeps it, and
// approves it. Every page is checked at 320 px and 1280 px (no sideways
// scrolling), with axe-core, and screenshotted to tests/browser/artifacts/registries/<db>/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('registries', databaseKind());

// What `portico demo` seeds (crates/portico/demo/accounts.json, registries' demo requests).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const OWNER_EMAIL = 'registers@sofia.portico.demo';
const PLATFORM_EMAIL = 'platform@portico.demo';
const POPULATION_KEEPER = 'Министерство на регионалното развитие и благоустройството (ГРАО)';

let server;
let browser;
let failedStep = null;
const owner = { label: 'owner' };
const platform = { label: 'platform-admin' };

const currentPath = (who) => new URL(who.page.url()).pathname;
const heading = async (who) => (await who.page.locator('main h1').first().innerText()).trim();

async function checkPage(who, name) {
  await checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
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

describe(`a register owner decides access requests (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    Object.assign(owner, await browser.newContext(), { lastTotpStep: null });
    Object.assign(platform, await browser.newContext(), { lastTotpStep: null });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signInToConsole(who, email) {
    await who.page.goto(`${server.baseUrl}/login?next=/admin`);
    await who.page.fill('[name="identifier"]', email);
    await who.page.fill('[name="password"]', DEMO_PASSWORD);
    await clickAndWait(who, who.page.locator('form:has([name="identifier"]) button[type="submit"]').first());
    await submitWithAuthenticator(who, DEMO_TOTP_SECRET);
    if (currentPath(who) !== '/admin') {
      await who.page.goto(`${server.baseUrl}/admin`);
    }
  }

  step('signs in and finds the access requests in the console', owner, async () => {
    await signInToConsole(owner, OWNER_EMAIL);
    const link = owner.page.locator('main a[href="/registries/access-requests"]');
    assert.equal(await link.count(), 1, 'the console links to the access requests');
    await clickAndWait(owner, link);
    assert.equal(currentPath(owner), '/registries/access-requests');
    assert.equal(await heading(owner), 'Искания за достъп до вашите регистри');
    const requests = owner.page.locator('section.access-request');
    assert.equal(await requests.count(), 1, "the Registry Agency's request to the address register");
    assert.match(await requests.first().innerText(), /Проверка на адреса на управление/);
    await checkPage(owner, 'access-requests');
  });

  step('refusing without a reason is an error; with one, it is done', owner, async () => {
    const refuse = owner.page.getByRole('button', { name: 'Откажете', exact: true });
    const response = await clickAndWait(owner, refuse);
    assert.equal(response.status(), 422);
    assert.match(await owner.page.locator('section.access-request .error-message').innerText(), /Посочете причината/);
    await checkPage(owner, 'access-requests-error');
    await owner.page.locator('section.access-request textarea[name="reason"]').fill('Няма нужда от номера на сградите');
    await clickAndWait(owner, owner.page.getByRole('button', { name: 'Откажете', exact: true }));
    assert.equal(currentPath(owner), '/registries/access-requests');
    assert.equal(await owner.page.locator('section.access-request').count(), 0);
    assert.match(await owner.page.locator('main').innerText(), /Искането е отказано/);
    await checkPage(owner, 'access-requests-done');
  });

  step("finds every register's waiting request with its keeper, and approves one", platform, async () => {
    await signInToConsole(platform, PLATFORM_EMAIL);
    const link = platform.page.locator('main a#console-all-access-requests');
    assert.equal(await link.count(), 1, 'the console links to every access request');
    await clickAndWait(platform, link);
    assert.equal(currentPath(platform), '/registries/access-requests');
    // Sofia's request was refused by its owner above; the one to the population register waits.
    const requests = platform.page.locator('section.access-request');
    assert.equal(await requests.count(), 1);
    const request = requests.first();
    assert.match(await request.locator('h2').innerText(), /Агенция по вписванията: Национален регистър на населението/);
    const keeper = request.locator('.summary-list__row', { hasText: 'Регистърът се поддържа от' });
    assert.equal((await keeper.locator('dd').innerText()).trim(), POPULATION_KEEPER);
    await checkPage(platform, 'access-requests');
    await clickAndWait(platform, request.getByRole('button', { name: 'Одобрете достъпа', exact: true }));
    assert.equal(currentPath(platform), '/registries/access-requests');
    assert.match(await platform.page.locator('main').innerText(), /Достъпът е одобрен/);
    assert.equal(await platform.page.locator('section.access-request').count(), 0);
    await checkPage(platform, 'access-requests-done');
  });
});
