// Public consultations in a real browser, on the demo's two drafts:
//
//   - a visitor finds Sofia's draft green-system programme from the participation page and reads
//     its sections; the demo citizen signs in and comments on a section (first sent empty, for
//     the error summary) and sees their comment;
//   - Sofia's administration admin opens the draft ordinance on public order (past its deadline,
//     three comments waiting), tries to publish before answering (refused with the reason),
//     answers each comment with a reason, and publishes the summary report;
//   - the visitor sees every comment with its answer and the report.
//
// Every page at 320 px and 1280 px (no sideways scrolling) with axe-core; screenshots go to
// tests/browser/artifacts/consultations/<db>/. After a failed step the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode as submitWithAuthenticator } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('consultations', databaseKind());

// What `portico demo` seeds (crates/portico/demo/accounts.json).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CITIZEN_EMAIL = 'ivan.petrov@portico.demo';
const ADMIN_EMAIL = 'admin@sofia.portico.demo';
const OPEN = '/participation/consultations/green-system-programme';
const CLOSED = '/participation/consultations/public-order-ordinance';

let server;
let browser;
let failedStep = null;

const visitor = { label: 'visitor' };
const citizen = { label: 'citizen' };
const admin = { label: 'admin' };
const everyone = [visitor, citizen, admin];

const currentPath = (who) => new URL(who.page.url()).pathname;
const submitOf = (who, selector) => who.page.locator(`form:has(${selector}) button[type="submit"]`).first();

async function open(who, path) {
  return who.page.goto(`${server.baseUrl}${path}`);
}

async function checkPage(who, name) {
  await checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
}

async function signIn(who, email) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', email);
  await who.page.fill('[name="password"]', DEMO_PASSWORD);
  await clickAndWait(who, submitOf(who, '[name="identifier"]'));
  await submitWithAuthenticator(who, DEMO_TOTP_SECRET);
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

describe(`public consultations: comment, answer, publish (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    for (const who of everyone) {
      Object.assign(who, await browser.newContext(), { lastTotpStep: null });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step('finds the open draft from the participation page and reads it', visitor, async () => {
    await open(visitor, '/');
    await clickAndWait(visitor, visitor.page.locator('#footer-participation'));
    assert.match(await visitor.page.locator('#consultations').innerText(), /зелената система/);
    await clickAndWait(visitor, visitor.page.locator(`#consultations a[href="${OPEN}"]`));
    assert.equal(currentPath(visitor), OPEN);
    assert.equal(await visitor.page.locator('.draft-section').count(), 3);
    assert.equal(await visitor.page.locator('#sign-in-to-comment').count(), 1);
    await checkPage(visitor, 'consultation');
  });

  step('comments on a section, first with nothing written', citizen, async () => {
    await signIn(citizen, CITIZEN_EMAIL);
    await open(citizen, OPEN);
    await checkPage(citizen, 'consultation-form');
    await clickAndWait(citizen, submitOf(citizen, '#body'));
    assert.match(await citizen.page.locator('.error-summary').innerText(), /Напишете коментар/);
    await checkPage(citizen, 'consultation-error');
    await citizen.page.selectOption('#section', '2');
    await citizen.page.fill('#body', 'Предлагам зелени покриви и на училищата.');
    await clickAndWait(citizen, submitOf(citizen, '#body'));
    assert.match(await citizen.page.locator('main').innerText(), /Коментарът ви е получен/);
    assert.match(await citizen.page.locator('#own-comment-list').innerText(), /2\. Мерки[\s\S]*зелени покриви и на училищата/);
    await checkPage(citizen, 'consultation-commented');
  });

  step('answers the comments on the closed draft and publishes the report', admin, async () => {
    await signIn(admin, ADMIN_EMAIL);
    await open(admin, '/participation/admin');
    await clickAndWait(admin, admin.page.locator(`#admin-consultations a[href="${CLOSED}/admin"]`));
    assert.equal(await admin.page.locator('.answer-form').count(), 3);
    await checkPage(admin, 'answer');
    await admin.page.fill('#report', 'Получени са три коментара.');
    await clickAndWait(admin, submitOf(admin, '#report'));
    assert.match(await admin.page.locator('.error-summary').innerText(), /Отговорете на всеки коментар/);
    await checkPage(admin, 'answer-error');
    const answers = [
      ['partly_accepted', 'Забраната ще започва в 22:00 ч. през делничните дни.'],
      ['accepted', 'Ще обозначим места край всички метростанции.'],
      ['not_accepted', 'Контролът е уреден в Закона за местното самоуправление.'],
    ];
    for (const [n, [answer, reason]] of answers.entries()) {
      await admin.page.selectOption(`#answer-${n + 1}`, answer);
      await admin.page.fill(`#reason-${n + 1}`, reason);
      await clickAndWait(admin, submitOf(admin, `#reason-${n + 1}`));
      assert.match(await admin.page.locator('main').innerText(), /Отговорът е запазен/);
    }
    await admin.page.fill('#report', 'Получени са три коментара; два са отразени.');
    await clickAndWait(admin, submitOf(admin, '#report'));
    assert.equal(currentPath(admin), CLOSED);
    assert.equal(await admin.page.locator('#answers li').count(), 3);
  });

  step('sees every comment with its answer and the report', visitor, async () => {
    await open(visitor, CLOSED);
    assert.match(await visitor.page.locator('#report').innerText(), /два са отразени/);
    const answers = await visitor.page.locator('#answers').innerText();
    assert.match(answers, /Приема се частично[\s\S]*22:00 ч\. през делничните дни/);
    assert.match(answers, /Не се приема[\s\S]*Закона за местното самоуправление/);
    await checkPage(visitor, 'consultation-published');
  });
});
