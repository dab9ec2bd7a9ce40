// The open data portal as people use it, on the demo's generated datasets:
//
//   - a visitor follows the footer to /data, searches with a word ending and a typo forgiven,
//     narrows by a facet, opens Sofia's districts and sees the preview table, the chart and the
//     map (SVG drawn on the server: no script, no tiles), then an organisation's page;
//   - Sofia's data publisher (data@sofia.portico.demo) signs in, publishes a dataset (first with
//     mistakes, for the error summary), uploads a CSV and sees its preview, then uploads a CSV over
//     20 MB, whose stored file is taken away while it loads: the load fails and says why, the
//     file is put back, the publisher presses "Start loading again" and watches it on the
//     resource's page until every row is in.
//
// Every page is checked at 320 px and 1280 px (no sideways scrolling) and with axe-core, and
// screenshotted to tests/browser/artifacts/opendata/<db>/. After a failed step the rest are skipped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const ARTIFACTS = join('opendata', databaseKind());

// What `portico demo` seeds (crates/portico/demo/accounts.json, crates/opendata/src/demo.rs).
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PUBLISHER_EMAIL = 'data@sofia.portico.demo';
const SOFIA_EIK = '000696327';

let server;
let browser;
let failedStep = null;

const visitor = { label: 'visitor' };
const publisher = { label: 'publisher' };

const currentPath = (who) => new URL(who.page.url()).pathname;
const heading = async (who) => (await who.page.locator('main h1').first().innerText()).trim();
const open = (who, path) => who.page.goto(`${server.baseUrl}${path}`);
const checkPage = (who, name) => checkLayout(who.page, `${who.label}-${name}`, ARTIFACTS);
const count = async (who) => Number((await who.page.locator('#od-count').innerText()).trim());

function step(name, who, fn, timeout = STEP_TIMEOUT_MS) {
  it(`${who.label}: ${name}`, { timeout }, async (t) => {
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

describe(`open data: search, facets, a dataset with preview, chart and map, publishing (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    for (const who of [visitor, publisher]) {
      Object.assign(who, await browser.newContext(), { lastTotpStep: null });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step('finds the portal from the footer and searches, endings and typos forgiven', visitor, async () => {
    await open(visitor, '/');
    await clickAndWait(visitor, visitor.page.locator('#footer-open-data'));
    assert.equal(currentPath(visitor), '/data');
    assert.equal(await heading(visitor), 'Отворени данни');
    assert.ok((await count(visitor)) > 300, 'the demo publishes a few hundred datasets');
    await checkPage(visitor, 'data');
    await visitor.page.fill('#q', 'бюджета');
    await clickAndWait(visitor, visitor.page.locator('form[role="search"] button[type="submit"]'));
    const budgets = await count(visitor);
    assert.ok(budgets >= 100, `budgets of every administration: ${budgets}`);
    await visitor.page.fill('#q', 'бюжет');
    await clickAndWait(visitor, visitor.page.locator('form[role="search"] button[type="submit"]'));
    assert.equal(await count(visitor), budgets, 'a letter missing finds the same');
    await checkPage(visitor, 'search');
  });

  step('narrows the search by a facet and removes it again', visitor, async () => {
    await open(visitor, '/data?q=%D1%80%D0%B0%D0%B9%D0%BE%D0%BD%D0%B8');
    const all = await count(visitor);
    await clickAndWait(visitor, visitor.page.locator('#od-facet-format a', { hasText: 'GeoJSON' }).first());
    const geojson = await count(visitor);
    assert.ok(geojson >= 1 && geojson <= all, `${geojson} of ${all}`);
    assert.equal(await visitor.page.locator('#od-chosen li').count(), 1);
    await checkPage(visitor, 'facet');
    await clickAndWait(visitor, visitor.page.locator('#od-chosen a').first());
    assert.equal(await count(visitor), all);
  });

  step("opens Sofia's districts: metadata, preview table, chart and map", visitor, async () => {
    await open(visitor, '/data/sofia-districts');
    assert.equal(await heading(visitor), 'Райони на Столична община');
    assert.equal(await visitor.page.locator('#od-preview tbody tr').count(), 10);
    assert.equal(await visitor.page.locator('#od-chart rect').count(), 10);
    assert.equal(await visitor.page.locator('#od-map path').count(), 24, "the 24 districts as polygons");
    assert.ok((await visitor.page.locator('#od-map').boundingBox()).width > 200, 'the map is drawn at a usable size');
    await checkPage(visitor, 'dataset');
  });

  step("goes to the publisher's page", visitor, async () => {
    await clickAndWait(visitor, visitor.page.locator('#od-publisher'));
    assert.equal(currentPath(visitor), `/organization/${SOFIA_EIK}`);
    assert.equal(await heading(visitor), 'Столична община');
    assert.ok((await count(visitor)) >= 12);
    await checkPage(visitor, 'organisation');
  });

  step("opens the platform's own service catalog and its publisher, the platform", visitor, async () => {
    await open(visitor, '/data/portico-service-catalog');
    await clickAndWait(visitor, visitor.page.locator('#od-publisher'));
    assert.equal(currentPath(visitor), '/organization/portico');
    assert.equal(await heading(visitor), 'Портико');
    assert.match(await visitor.page.locator('.caption').first().innerText(), /платформа/);
    assert.ok((await count(visitor)) >= 2, 'the service catalog and the performance figures');
    await checkPage(visitor, 'platform organisation');
  });

  step('signs in as the data publisher', publisher, async () => {
    await open(publisher, '/login');
    await publisher.page.fill('[name="identifier"]', PUBLISHER_EMAIL);
    await publisher.page.fill('[name="password"]', DEMO_PASSWORD);
    await clickAndWait(publisher, publisher.page.locator('form:has([name="identifier"]) button[type="submit"]'));
    await submitAuthenticatorCode(publisher, DEMO_TOTP_SECRET);
    await open(publisher, '/data');
    await clickAndWait(publisher, publisher.page.locator('#od-new'));
    assert.equal(currentPath(publisher), '/data/new');
    await checkPage(publisher, 'new');
  });

  step('publishes a dataset, first with mistakes', publisher, async () => {
    const { page } = publisher;
    await page.fill('#name', 'Дървета');
    await page.fill('#title_en', 'Street trees of Sofia');
    await clickAndWait(publisher, page.locator('#od-save'));
    assert.equal(await page.locator('.error-summary li').count(), 2, 'the name and the Bulgarian title');
    await checkPage(publisher, 'new-errors');
    await page.fill('#name', 'sofia-street-trees');
    await page.fill('#title_bg', 'Улични дървета в София');
    await page.fill('#notes_bg', 'Уличните дървета с вида и височината им.');
    await page.fill('#keywords', 'дървета, зеленина');
    await page.check('#themes-ENVI');
    await page.check('#state-published');
    await clickAndWait(publisher, page.locator('#od-save'));
    assert.equal(currentPath(publisher), '/data/sofia-street-trees');
    assert.equal(await heading(publisher), 'Улични дървета в София');
  });

  step('uploads a CSV and sees its preview', publisher, async () => {
    const { page } = publisher;
    await clickAndWait(publisher, page.locator('main a[href="/data/sofia-street-trees/resources/new"]'));
    await checkPage(publisher, 'resource');
    const file = join(tmpdir(), `trees-${process.pid}.csv`);
    await writeFile(file, 'species,height_m,lat,lon\nЛипа,12,42.6953,23.3240\nЧинар,18,42.6920,23.3300\nКестен,9,42.6890,23.3350\n');
    await page.fill('#name', 'Дървета по улиците');
    await page.setInputFiles('#upload', file);
    await clickAndWait(publisher, page.locator('#od-upload'));
    assert.equal(currentPath(publisher), '/data/sofia-street-trees');
    assert.equal(await page.locator('#od-preview tbody tr').count(), 3);
    assert.equal(await page.locator('#od-map circle').count(), 3, 'a CSV with coordinates is mapped too');
    await checkPage(publisher, 'published');
  });

  // A CSV over the 20 MB request limit is streamed and checked as it comes, then loaded by a
  // job; its page says how far the load has got and, when asked, refreshes itself until done.
  step('uploads a CSV over 20 MB and watches it load', publisher, async () => {
    const { page } = publisher;
    await clickAndWait(publisher, page.locator('main a[href="/data/sofia-street-trees/resources/new"]'));
    const file = join(tmpdir(), `residents-${process.pid}.csv`);
    const rows = ['n,district,residents,note'];
    for (let i = 1; i <= 180_000; i += 1) {
      rows.push(`${i},Район ${i % 24},${i % 1000},Ред ${i} от голям файл с данни за районите на София и жителите им`);
    }
    const text = `${rows.join('\n')}\n`;
    assert.ok(Buffer.byteLength(text) > 20 * 1024 * 1024, 'over the 20 MB limit');
    await writeFile(file, text);
    await page.fill('#name', 'Жители по райони');
    await page.setInputFiles('#upload', file);
    // The file is checked as it arrives: the answer comes when all of it is in (slow in a
    // debug build on a busy machine).
    const uploaded = page.waitForNavigation({ waitUntil: 'load', timeout: 240_000 });
    await page.locator('#od-upload').click({ timeout: 240_000 });
    await uploaded;
    // Its stored file taken away while it loads (the blob store keys it by its SHA-256), the
    // load fails at its next step and the page says why.
    const key = createHash('sha256').update(text).digest('hex');
    const stored = join(server.dataDir, 'blobs', key.slice(0, 2), key);
    await rename(stored, `${stored}.aside`);
    assert.match(currentPath(publisher), /^\/data\/sofia-street-trees\/resources\/[^/]+$/);
    assert.equal(await heading(publisher), 'Жители по райони');
    const state = await page.locator('#od-load').getAttribute('data-state');
    assert.ok(['queued', 'loading'].includes(state), `a load under way, not ${state}`);
    assert.equal(await page.locator('#od-load-progress').count(), 1);
    await checkPage(publisher, 'loading');
    await clickAndWait(publisher, page.locator('#od-load-watch'));
    await page.waitForSelector('#od-load[data-state="failed"]', { timeout: 240_000 });
    assert.match(await page.locator('#od-load-text').innerText(), /Запазеният файл липсва/);
    await checkPage(publisher, 'load-failed');
    // The file back, its publisher presses "Start loading again" and watches it to the end.
    await rename(`${stored}.aside`, stored);
    await clickAndWait(publisher, page.locator('#od-load-restart'));
    const again = await page.locator('#od-load').getAttribute('data-state');
    assert.ok(['queued', 'loading', 'done'].includes(again), `started again, not ${again}`);
    await checkPage(publisher, 'load-restarted');
    if (again !== 'done') await clickAndWait(publisher, page.locator('#od-load-watch'));
    // The Refresh header reloads the page until the rows are in.
    await page.waitForSelector('#od-load[data-state="done"]', { timeout: 240_000 });
    assert.match(await page.locator('#od-load-text').innerText(), /180000/);
    assert.equal(await page.locator('#od-load-stop').count(), 0, 'a finished load is not watched');
    await checkPage(publisher, 'loaded');
  }, 300_000);
});
