// Citizen participation's places, pictures and locked rules in a real browser, on the demo:
//
//   - "Use my location" on the proposal form: with the browser's geolocation allowed (Playwright
//     grants the permission and sets the position) the button fills the latitude and longitude;
//     with it refused, a clear message says to type them in; without JavaScript there is no
//     button and the fields are typed in;
//   - the demo citizen (checked at a counter first) proposes in "Sofia Chooses 2027" with the
//     filled-in location, attaches a photo with its description (a file that is not one is first
//     refused) and sees it on the proposal's page; the process's map draws the proposal and its
//     list links to it; GREEN's map draws Sofia's boundary and its proposals;
//   - Sofia's administration admin opens the rules of "Sofia Chooses GREEN", which is voting:
//     the page says the rules are locked and offers no form.
//
// Every page at 320 px and 1280 px (no sideways scrolling) with axe-core; screenshots go to
// tests/browser/artifacts/participation_places/<db>/. After a failed step the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { makeEgn } from './people.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('participation_places', databaseKind());

// What `portico demo` seeds (crates/portico/demo/accounts.json).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CITIZEN_EMAIL = 'ivan.petrov@portico.demo';
const CITIZEN_EGN = makeEgn(new Date(Date.UTC(1985, 6, 14)), 123);
const VERIFIER_EMAIL = 'verifier@sofia.portico.demo';
const ADMIN_EMAIL = 'admin@sofia.portico.demo';
// The National Palace of Culture, in Sofia.
const HERE = { latitude: 42.6847, longitude: 23.3189 };
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const TITLE = 'Пейки на сянка около НДК';

let server;
let browser;
let failedStep = null;
let proposalPath = null;

const citizen = { label: 'citizen' };
const refuser = { label: 'refuser' };
const noScript = { label: 'no-script' };
const verifier = { label: 'verifier' };
const admin = { label: 'admin' };

const currentPath = (who) => new URL(who.page.url()).pathname;
const submitOf = (who, selector) => who.page.locator(`form:has(${selector}) button[type="submit"]`).first();

async function open(who, path) {
  return who.page.goto(`${server.baseUrl}${path}`);
}

async function checkPage(who, name) {
  await checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
}

// The last authenticator step each account signed in with: three browsers sign in as the demo
// citizen, and the server takes each code once per account.
const lastStepOf = new Map();

async function signIn(who, email) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', email);
  await who.page.fill('[name="password"]', DEMO_PASSWORD);
  await clickAndWait(who, submitOf(who, '[name="identifier"]'));
  who.lastTotpStep = lastStepOf.get(email) ?? null;
  await submitWithAuthenticator(who, DEMO_TOTP_SECRET);
  lastStepOf.set(email, who.lastTotpStep);
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

describe(`citizen participation: location by script, photos, the map, locked rules (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    Object.assign(
      citizen,
      await browser.newContext({ permissions: ['geolocation'], geolocation: HERE }),
      { lastTotpStep: null },
    );
    // No permission granted: the browser answers the page's request with PERMISSION_DENIED.
    Object.assign(refuser, await browser.newContext(), { lastTotpStep: null });
    Object.assign(noScript, await browser.newContext({ javaScriptEnabled: false }), { lastTotpStep: null });
    for (const who of [verifier, admin]) {
      Object.assign(who, await browser.newContext(), { lastTotpStep: null });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step("checks the citizen's identity card at a counter", verifier, async () => {
    await signIn(verifier, VERIFIER_EMAIL);
    assert.equal(currentPath(verifier), '/verify');
    await verifier.page.fill('#personal_id', CITIZEN_EGN);
    await clickAndWait(verifier, submitOf(verifier, '#personal_id'));
    await verifier.page.check('#document_kind_identity_card');
    await verifier.page.fill('#document_number', '645123977');
    await verifier.page.check('#checked_in_person');
    await clickAndWait(verifier, submitOf(verifier, '#document_number'));
    assert.match(await verifier.page.locator('#verify-done').innerText(), /проверена/);
  });

  step('fills the location with "Use my location"', citizen, async () => {
    await signIn(citizen, CITIZEN_EMAIL);
    await open(citizen, '/participation/sofia-chooses-2027/propose');
    const button = citizen.page.locator('#use-my-location');
    await button.waitFor({ state: 'visible' });
    assert.equal(await citizen.page.inputValue('#latitude'), '');
    await button.click();
    await citizen.page.waitForFunction(() => document.querySelector('#latitude').value !== '');
    assert.equal(await citizen.page.inputValue('#latitude'), '42.68470');
    assert.equal(await citizen.page.inputValue('#longitude'), '23.31890');
    assert.match(await citizen.page.locator('#locate-status').innerText(), /Попълнено от устройството ви: 42\.68470, 23\.31890/);
    await checkPage(citizen, 'propose-located');
  });

  step('is told to type the location when the browser refuses it', refuser, async () => {
    await signIn(refuser, CITIZEN_EMAIL);
    await open(refuser, '/participation/sofia-chooses-2027/propose');
    const button = refuser.page.locator('#use-my-location');
    await button.waitFor({ state: 'visible' });
    await button.click();
    const status = refuser.page.locator('#locate-status');
    await status.filter({ hasText: 'Не разрешихте' }).waitFor();
    assert.match(await status.innerText(), /Въведете географската ширина и дължина ръчно/);
    assert.equal(await refuser.page.inputValue('#latitude'), '');
    await checkPage(refuser, 'propose-refused');
  });

  step('without JavaScript has no button and types the location in', noScript, async () => {
    // The map needs no script either.
    await open(noScript, '/participation/sofia-chooses-green/map');
    assert.ok((await noScript.page.locator('#map-list li').count()) > 30);
    await signIn(noScript, CITIZEN_EMAIL);
    await open(noScript, '/participation/sofia-chooses-2027/propose');
    assert.equal(await noScript.page.locator('#use-my-location').isVisible(), false);
    assert.equal(await noScript.page.locator('#latitude').isVisible(), true);
    assert.equal(await noScript.page.locator('#longitude').isVisible(), true);
  });

  step('proposes with the location and attaches a photo, first a file that is not one', citizen, async () => {
    await citizen.page.fill('#title', TITLE);
    await citizen.page.fill('#description', 'Двадесет пейки под дърветата в парка пред НДК.');
    await citizen.page.fill('#budget', '40000');
    await citizen.page.check('#topic-climate');
    await clickAndWait(citizen, submitOf(citizen, '#title'));
    assert.match(currentPath(citizen), /^\/participation\/proposals\//);
    proposalPath = currentPath(citizen);
    assert.match(await citizen.page.locator('main').innerText(), /42\.68470, 23\.31890/);
    await checkPage(citizen, 'proposal');
    await citizen.page.setInputFiles('#file', {
      name: 'peyki.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not a picture at all'),
    });
    await citizen.page.fill('#alt', 'Пейки в парка');
    await clickAndWait(citizen, submitOf(citizen, '#file'));
    assert.match(await citizen.page.locator('.error-summary').innerText(), /снимка в JPG или PNG или документ в PDF/);
    assert.equal(await citizen.page.locator('#photos img').count(), 0);
    await checkPage(citizen, 'proposal-attach-refused');
    await citizen.page.setInputFiles('#file', { name: 'peyki.png', mimeType: 'image/png', buffer: PNG });
    await clickAndWait(citizen, submitOf(citizen, '#file'));
    assert.equal(await citizen.page.locator('#photos img').getAttribute('alt'), 'Пейки в парка');
    assert.match(await citizen.page.locator('main').innerText(), /Файлът е прикачен/);
    await checkPage(citizen, 'proposal-photo');
  });

  step("sees the proposal on the process's map and follows its link", citizen, async () => {
    await open(citizen, '/participation/sofia-chooses-2027/proposals');
    await clickAndWait(citizen, citizen.page.locator('#map-link'));
    assert.equal(currentPath(citizen), '/participation/sofia-chooses-2027/map');
    assert.equal(await citizen.page.locator(`#proposal-map a[href="${proposalPath}"] circle`).count(), 1);
    const link = citizen.page.locator('#map-list a', { hasText: TITLE });
    assert.equal(await link.count(), 1);
    await checkPage(citizen, 'map');
    await clickAndWait(citizen, link);
    assert.equal(currentPath(citizen), proposalPath);
    // GREEN's map: Sofia's boundary and its proposals, each point a link, the list beside it.
    await open(citizen, '/participation/sofia-chooses-green/map');
    const points = await citizen.page.locator('#proposal-map a circle').count();
    assert.ok(points > 30, `the demo's proposals are drawn (${points})`);
    assert.equal(await citizen.page.locator('#map-list li').count(), points);
    assert.equal(await citizen.page.locator('#proposal-map path.map__area').count(), 1);
    await checkPage(citizen, 'map-green');
  });

  step('finds the rules of a process in voting locked, with no form', admin, async () => {
    await signIn(admin, ADMIN_EMAIL);
    await open(admin, '/participation/sofia-chooses-green/admin');
    await open(admin, '/participation/sofia-chooses-green/rules');
    assert.match(await admin.page.locator('main').innerText(), /Правилата са заключени/);
    assert.equal(await admin.page.locator('#rules-locked').count(), 1);
    assert.equal(await admin.page.locator('main form').count(), 0, 'no form');
    assert.equal(await admin.page.locator('#rules-now').getAttribute('href'), '/participation/sofia-chooses-green');
    await checkPage(admin, 'rules-locked');
  });
});
