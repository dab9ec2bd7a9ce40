// Layout, navigation and landing, as each kind of person meets them:
//
//   - every page of the catalog, the console and the office, and the citizen's pages of the other
//     blocks (mailbox, payments, my data, the register of registers, document check), at 320 px
//     and at 1280 px: no sideways scrolling (WCAG 1.4.10 reflow), axe-core clean, a screenshot of
//     each width;
//   - after a failed post, focus is on the error summary (portico.js), and without JavaScript
//     the summary is there all the same;
//   - after sign-in, each role (citizen, operator, administration admin, platform admin) lands on
//     the page with their work and the header links to it;
//   - /design, the component gallery, in both languages.
//
// Screenshots go to tests/browser/artifacts/layout/<db>/. The steps run in order; after a failed
// step the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { clickAndWait, submitAuthenticatorCode } from './journey.mjs';
import { databaseKind, startServer } from './server.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('layout', databaseKind());

// What `portico demo` seeds (crates/portico/src/demo.rs).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const SERVICE_SLUG = 'address-registration-sofia';

let server;
let browser;
let failedStep = null;

const visitor = { label: 'visitor' };
const noScript = { label: 'no-js', options: { javaScriptEnabled: false } };
const citizen = { label: 'citizen', email: 'ivan.petrov@portico.demo' };
const operator = { label: 'operator', email: 'operator.sredets@sofia.portico.demo' };
const admin = { label: 'admin', email: 'admin@sofia.portico.demo' };
const platformAdmin = { label: 'platform-admin', email: 'platform@portico.demo' };
const everyone = [visitor, noScript, citizen, operator, admin, platformAdmin];

const path = (who) => new URL(who.page.url()).pathname;

async function open(who, target) {
  const response = await who.page.goto(`${server.baseUrl}${target}`);
  assert.ok(response.status() < 400, `${target} answered HTTP ${response.status()}`);
  return response;
}

/** Opens each path and checks it at both widths. */
async function checkPages(who, paths) {
  for (const [name, target] of paths) {
    await open(who, target);
    await checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
  }
}

/** The header's links to people's work (the language switch left out), in order. */
async function headerLinks(who) {
  return who.page
    .locator('.header__nav a')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')).filter((href) => !href.startsWith('/lang')));
}

/** Whether the focused element is the page's error summary. */
const errorSummaryHasFocus = (who) =>
  who.page.evaluate(() => document.activeElement?.classList.contains('error-summary') ?? false);

/** Signs a demo account in from /login (no `next`): password, then an authenticator code. */
async function signIn(who) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', who.email);
  await who.page.fill('[name="password"]', DEMO_PASSWORD);
  await clickAndWait(who, who.page.locator('form:has([name="identifier"]) button[type="submit"]'));
  assert.equal(path(who), '/login/second-factor');
  await submitAuthenticatorCode(who, DEMO_TOTP_SECRET);
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
        err.message += `\n\n${who.label}'s page: ${who.page.url()}`;
      }
      err.message += `\n\n--- server log (tail) ---\n${server?.logTail() ?? '(no server)'}`;
      throw err;
    }
  });
}

describe(`layout, navigation and landing at 320 px and 1280 px (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    // The design page is on in debug builds; asked for explicitly, it is on in any build.
    server = await startServer({ env: { PORTICO_DESIGN_PAGE: 'true' } });
    browser = await launchBrowserForPeople();
    for (const who of everyone) {
      Object.assign(who, await browser.newContext(who.options));
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step('the catalog pages fit 320 px and 1280 px', visitor, async () => {
    await checkPages(visitor, [
      ['home', '/'],
      ['search', `/services?q=${encodeURIComponent('адресна регистрация')}`],
      ['search-all', '/services'],
      ['service', `/services/${SERVICE_SLUG}`],
      ['login', '/login'],
      ['register', '/register'],
      ['registers', '/registries'],
      ['documents', '/documents'],
      ['home-en', '/lang?to=en&back=%2F'],
      ['service-en', `/services/${SERVICE_SLUG}`],
      ['home-bg', '/lang?to=bg&back=%2F'],
    ]);
  });

  step("the home page's search button sits beside the input, as tall as it", visitor, async () => {
    await open(visitor, '/');
    for (const width of [320, 1280]) {
      await visitor.page.setViewportSize({ width, height: 900 });
      const input = await visitor.page.locator('#q').boundingBox();
      const button = await visitor.page.locator('form[role="search"] button').boundingBox();
      assert.ok(Math.abs(input.y - button.y) <= 1, `same row at ${width} px: input y ${input.y}, button y ${button.y}`);
      assert.ok(Math.abs(input.height - button.height) <= 1, `same height at ${width} px: ${input.height} vs ${button.height}`);
      assert.ok(button.x >= input.x + input.width - 3, `the button is right of the input at ${width} px`);
    }
  });

  step('signed out, the header offers sign-in and registration', visitor, async () => {
    await open(visitor, '/');
    assert.deepEqual(await headerLinks(visitor), ['/login', '/register']);
  });

  step('a failed sign-in puts focus on the error summary', visitor, async () => {
    await open(visitor, '/login');
    await clickAndWait(visitor, visitor.page.locator('form:has([name="identifier"]) button[type="submit"]'));
    assert.equal(await visitor.page.locator('.error-summary').count(), 1, 'an error summary');
    assert.ok(await errorSummaryHasFocus(visitor), 'focus is on the error summary');
    await checkLayout(visitor.page, 'visitor-login-error', ARTIFACTS);
  });

  step('a failed registration puts focus on the error summary', visitor, async () => {
    await open(visitor, '/register');
    await clickAndWait(visitor, visitor.page.locator('form[action="/register"] button[type="submit"]'));
    assert.equal(await visitor.page.locator('.error-summary').count(), 1, 'an error summary');
    assert.ok(await errorSummaryHasFocus(visitor), 'focus is on the error summary');
    const first = visitor.page.locator('.error-summary a').first();
    const target = await first.getAttribute('href');
    await first.click();
    assert.equal(await visitor.page.evaluate(() => document.activeElement?.id), target.slice(1), 'its link leads to the field');
    await checkLayout(visitor.page, 'visitor-register-errors', ARTIFACTS);
  });

  step('without JavaScript the error summary is shown all the same', noScript, async () => {
    await open(noScript, '/login');
    await clickAndWait(noScript, noScript.page.locator('form:has([name="identifier"]) button[type="submit"]'));
    assert.equal(await noScript.page.locator('.error-summary a[href="#identifier"]').count(), 1);
    await screenshot(noScript.page, 'no-js-login-error', ARTIFACTS);
  });

  step('/design shows every component in both languages', visitor, async () => {
    await open(visitor, '/design');
    for (const lang of ['bg', 'en']) {
      assert.ok((await visitor.page.locator(`.design-example[lang="${lang}"]`).count()) >= 15, `examples in ${lang}`);
    }
    for (const kind of ['draft', 'waiting', 'progress', 'decided', 'refused']) {
      assert.equal(await visitor.page.locator(`.design-example .tag--${kind}`).count() > 0, true, `a ${kind} tag`);
    }
    // Conditional reveal works with CSS alone: the e-mail address appears once "by e-mail" is chosen.
    const reveal = visitor.page.locator('#contact-email-en-conditional');
    assert.equal(await reveal.isVisible(), false, 'hidden before a choice');
    await visitor.page.locator('label[for="contact-email-en"]').click();
    assert.equal(await reveal.isVisible(), true, 'shown once chosen');
    // The (transparent) input the person clicks is at least 40 × 40 px, and so is the circle drawn.
    const radio = await visitor.page.locator('#contact-email-en').boundingBox();
    assert.ok(radio.height >= 40 && radio.width >= 40, `radios are 40 px targets (${radio.width} × ${radio.height})`);
    const circle = await visitor.page
      .locator('label[for="contact-email-en"]')
      .evaluate((label) => getComputedStyle(label, '::before').height);
    assert.equal(circle, '40px');
    // The character count counts down as the person types.
    await visitor.page.fill('#details-en', 'Twelve chars');
    assert.equal((await visitor.page.locator('#details-en-info').innerText()).trim(), 'You have 188 characters remaining');
    await checkLayout(visitor.page, 'visitor-design', ARTIFACTS);
  });

  step('without JavaScript conditional questions still appear when chosen', noScript, async () => {
    await open(noScript, '/design');
    await noScript.page.locator('label[for="notify-sms-bg"]').click();
    assert.equal(await noScript.page.locator('#notify-sms-bg-conditional').isVisible(), true);
  });

  step('a citizen lands on their work and the header links to it', citizen, async () => {
    await signIn(citizen);
    // The demo citizen has no applications and no consent requests yet: the home page.
    assert.equal(path(citizen), '/', 'a citizen with nothing waiting lands on the home page');
    assert.deepEqual(await headerLinks(citizen), ['/applications', '/consents', '/mailbox', '/payments', '/my-data', '/account']);
    await checkPages(citizen, [
      ['applications', '/applications'],
      ['consents', '/consents'],
      ['account', '/account'],
    ]);
    assert.equal(await citizen.page.locator('.header__nav a[aria-current="page"]').getAttribute('href'), '/account');
    // The demo citizen's identifier is only claimed (low): the mailbox, payments and "my data" need
    // substantial, so they explain why and how to raise it, and that page must fit too.
    for (const [name, target] of [['mailbox', '/mailbox'], ['payments', '/payments'], ['my-data', '/my-data']]) {
      const response = await citizen.page.goto(`${server.baseUrl}${target}`);
      assert.equal(response.status(), 403, `${target} for a low session`);
      assert.equal(await citizen.page.locator('#assurance-why').count(), 1, `${target} says why`);
      await checkLayout(citizen.page, `citizen-${name}-assurance-needed`, ARTIFACTS);
    }
  });

  step('an operator lands on the work queue', operator, async () => {
    await signIn(operator);
    assert.equal(path(operator), '/office');
    assert.deepEqual(await headerLinks(operator), ['/office', '/account']);
    assert.equal(await operator.page.locator('.header__nav a[aria-current="page"]').getAttribute('href'), '/office');
    await checkLayout(operator.page, 'operator-office', ARTIFACTS);
    // The other work of the office, each linked from the queue.
    for (const target of ['/office/payments', '/office/inquiries']) {
      assert.equal(await operator.page.locator(`main a[href="${target}"]`).count(), 1, `the queue links to ${target}`);
    }
    await checkPages(operator, [
      ['payments', '/office/payments'],
      ['reconciliation', '/office/payments/reconciliation'],
      ['statements', '/office/payments/statements'],
      ['inquiries', '/office/inquiries'],
      ['feedback', '/office/feedback'],
    ]);
  });

  step("an administration admin lands on the console, and its pages fit", admin, async () => {
    await signIn(admin);
    assert.equal(path(admin), '/admin');
    assert.deepEqual(await headerLinks(admin), ['/admin', '/account']);
    await checkLayout(admin.page, 'admin-console', ARTIFACTS);
    const adopt = admin.page.locator('main a[href^="/admin/catalog/adopt"]').first();
    await clickAndWait(admin, adopt);
    assert.equal(path(admin), '/admin/catalog/adopt');
    await checkLayout(admin.page, 'admin-adopt', ARTIFACTS);
    // Sent without a template chosen: errors, with focus on their summary.
    await clickAndWait(admin, admin.page.locator('form[action="/admin/catalog/adopt"] button[type="submit"]'));
    assert.equal(await admin.page.locator('.error-summary').count(), 1);
    assert.ok(await errorSummaryHasFocus(admin), 'focus is on the error summary');
    await checkLayout(admin.page, 'admin-adopt-errors', ARTIFACTS);
    await checkPages(admin, [
      ['office', '/office'],
      ['api-clients', '/admin/api-clients'],
      ['figures', '/office/figures'],
      ['service-console', `/admin/services/${SERVICE_SLUG}`],
      ['service-applications', `/admin/services/${SERVICE_SLUG}/applications`],
    ]);
  });

  step('a platform admin lands on the console too', platformAdmin, async () => {
    await signIn(platformAdmin);
    assert.equal(path(platformAdmin), '/admin');
    assert.ok((await headerLinks(platformAdmin)).includes('/admin'));
    await checkLayout(platformAdmin.page, 'platform-console', ARTIFACTS);
    await checkPages(platformAdmin, [['adopt-choose', '/admin/catalog/adopt']]);
  });
});
