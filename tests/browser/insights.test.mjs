// The performance dashboard and giving feedback, as a visitor (with and without JavaScript) and as the
// administration's operator meets them:
//
//   - /performance, an administration's page and a service's page at 320 px and 1280 px: no
//     sideways scrolling, axe-core clean; every chart is an image with a title and a description
//     and has its data table; the demo's year of history is there;
//   - giving feedback on the service: first without a rating (an error summary linking to the
//     question), then a rating and a comment; the thanks page;
//   - asking the administration a question, with a reference and a deadline;
//   - three more people rate it (a comment shows once 5 people gave feedback in its month);
//   - Sofia's operator sees the question in the back office and the comment, with no name.
//
// Screenshots go to tests/browser/artifacts/insights/<db>/. The steps run in order; after a
// failed step the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { clickAndWait, submitAuthenticatorCode } from './journey.mjs';
import { databaseKind, startServer } from './server.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('insights', databaseKind());
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const COMMENT = 'Формата е ясна, но искам да виждам срока по-рано.';

let server;
let browser;
let failedStep = null;
let servicePath = null;
let reference = null;

const visitor = { label: 'visitor' };
// axe-core needs JavaScript in the page (its timers), so pages are checked with it on; this one
// shows the same pages and posts the same form with it off.
const noScript = { label: 'no-js', options: { javaScriptEnabled: false } };
const operator = { label: 'operator', email: 'operator.sredets@sofia.portico.demo' };

async function open(who, target) {
  const response = await who.page.goto(`${server.baseUrl}${target}`);
  assert.ok(response.status() < 400, `${target} answered HTTP ${response.status()}`);
  return response;
}

async function signIn(who) {
  await open(who, '/login');
  await who.page.fill('[name="identifier"]', who.email);
  await who.page.fill('[name="password"]', DEMO_PASSWORD);
  await clickAndWait(who, who.page.locator('form:has([name="identifier"]) button[type="submit"]'));
  await submitAuthenticatorCode(who, DEMO_TOTP_SECRET);
}

/** Every chart on the page is an image named by its title and described, with a data table. */
async function chartsHaveTextAlternatives(who) {
  const charts = await who.page.locator('svg.chart').evaluateAll((svgs) =>
    svgs.map((svg) => {
      const ids = (svg.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
      return {
        role: svg.getAttribute('role'),
        texts: ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? ''),
        table: !!svg.closest('section')?.querySelector('table tbody tr'),
      };
    }),
  );
  assert.equal(charts.length, 3, 'three charts');
  for (const c of charts) {
    assert.equal(c.role, 'img');
    assert.equal(c.texts.length, 2, 'a title and a description');
    assert.ok(c.texts.every((t) => t.length > 5), `text alternatives: ${JSON.stringify(c.texts)}`);
    assert.ok(c.table, 'a data table beside the chart');
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
        err.message += `\n\n${who.label}'s page: ${who.page.url()}`;
      }
      err.message += `\n\n--- server log (tail) ---\n${server?.logTail() ?? '(no server)'}`;
      throw err;
    }
  });
}

describe(`the performance dashboard and feedback (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    for (const who of [visitor, noScript, operator]) {
      Object.assign(who, await browser.newContext(who.options));
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step('the footer leads to the platform dashboard, with a year of figures', visitor, async () => {
    await open(visitor, '/');
    await clickAndWait(visitor, visitor.page.locator('#footer-performance'));
    assert.equal(new URL(visitor.page.url()).pathname, '/performance');
    await chartsHaveTextAlternatives(visitor);
    const rows = await visitor.page.locator('#chart-take-up-table tbody tr').count();
    assert.equal(rows, 12, 'twelve months');
    const takeUp = await visitor.page.locator('#kpi-take_up .kpi-value').textContent();
    assert.match(takeUp, /%/, `take-up is a percentage: ${takeUp}`);
    await checkLayout(visitor.page, 'platform', ARTIFACTS);
  });

  step('an administration and one of its services, compared with others', visitor, async () => {
    await clickAndWait(visitor, visitor.page.locator('#groups-table a', { hasText: 'Столична община' }));
    await chartsHaveTextAlternatives(visitor);
    await checkLayout(visitor.page, 'administration', ARTIFACTS);
    await clickAndWait(visitor, visitor.page.locator('#groups-table a').first());
    servicePath = new URL(visitor.page.url()).pathname;
    assert.match(servicePath, /^\/performance\/services\//);
    await chartsHaveTextAlternatives(visitor);
    await checkLayout(visitor.page, 'service', ARTIFACTS);
    const csv = await visitor.page.request.get(`${server.baseUrl}${servicePath}?format=csv`);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /^month,started,submitted,/);
  });

  step('giving feedback: first without a rating, then with one', visitor, async () => {
    await clickAndWait(visitor, visitor.page.locator('#give-feedback'));
    await checkLayout(visitor.page, 'feedback', ARTIFACTS);
    await visitor.page.fill('#comment', COMMENT);
    await clickAndWait(visitor, visitor.page.locator('form button[type="submit"]'));
    const summary = visitor.page.locator('.error-summary a[href="#rating"]');
    assert.equal(await summary.count(), 1, 'the error summary links to the question');
    assert.equal(await visitor.page.inputValue('#comment'), COMMENT, 'the comment is kept');
    await checkLayout(visitor.page, 'feedback-error', ARTIFACTS);
    await visitor.page.check('#rating-4');
    await clickAndWait(visitor, visitor.page.locator('form button[type="submit"]'));
    assert.equal(await visitor.page.locator('#feedback-thanks').count(), 1);
    await checkLayout(visitor.page, 'feedback-thanks', ARTIFACTS);
  });

  step('asking the administration a question', visitor, async () => {
    await open(visitor, servicePath);
    await clickAndWait(visitor, visitor.page.locator('#ask-question'));
    await checkLayout(visitor.page, 'inquiry', ARTIFACTS);
    await visitor.page.fill('#email', 'maria@example.bg');
    await visitor.page.fill('#question', 'Мога ли да подам заявлението вместо майка си?');
    await clickAndWait(visitor, visitor.page.locator('form button[type="submit"]'));
    reference = (await visitor.page.locator('#inquiry-reference').textContent()).trim();
    assert.match(reference, /^Q-\d{4}-[A-Z0-9]{6}$/);
    await checkLayout(visitor.page, 'inquiry-sent', ARTIFACTS);
  });

  step('without JavaScript: the charts, their tables and a rating given', noScript, async () => {
    await open(noScript, servicePath);
    await chartsHaveTextAlternatives(noScript);
    await screenshot(noScript.page, 'service-no-js', ARTIFACTS);
    await clickAndWait(noScript, noScript.page.locator('#give-feedback'));
    await noScript.page.check('#rating');
    await clickAndWait(noScript, noScript.page.locator('form button[type="submit"]'));
    assert.equal(await noScript.page.locator('#feedback-thanks').count(), 1);
  });

  step('three more people rate the service, so its comments of the month can be shown', noScript, async () => {
    // A comment shows only once at least 5 people gave feedback on the service in its month.
    for (const rating of ['#rating', '#rating-3', '#rating-1']) {
      await open(noScript, `${servicePath.replace('/performance/services/', '/feedback/')}?stage=result`);
      await noScript.page.check(rating);
      await clickAndWait(noScript, noScript.page.locator('form button[type="submit"]'));
      assert.equal(await noScript.page.locator('#feedback-thanks').count(), 1);
    }
  });

  step('the dashboard in English', visitor, async () => {
    await open(visitor, '/lang?to=en&back=%2Fperformance');
    assert.equal(await visitor.page.locator('h1').textContent(), 'How public services perform');
    await checkLayout(visitor.page, 'platform-en', ARTIFACTS);
  });

  step("Sofia's operator sees the question and the comment, with no name", operator, async () => {
    await signIn(operator);
    await open(operator, '/office/inquiries');
    assert.equal(await operator.page.locator('#inquiries-table a', { hasText: reference }).count(), 1);
    await checkLayout(operator.page, 'office-inquiries', ARTIFACTS);
    await clickAndWait(operator, operator.page.locator('#inquiries-table a', { hasText: reference }));
    await checkLayout(operator.page, 'office-inquiry', ARTIFACTS);
    await open(operator, '/office/feedback');
    const item = operator.page.locator('.feedback-item', { hasText: COMMENT });
    assert.equal(await item.count(), 1);
    await checkLayout(operator.page, 'office-feedback', ARTIFACTS);
  });
});
