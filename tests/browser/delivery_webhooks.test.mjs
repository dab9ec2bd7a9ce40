// The webhooks console in a browser: Sofia's administration admin signs in, follows the
// console's link to the administration's webhook endpoints (none yet), and the administration's
// system registers endpoints over the API: one at an internal address (refused: the server runs
// as in production, without PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE) and one at a public
// address that answers nothing here. The system sends a notice; the admin sees its evidence
// events failing with the reason, then removes the endpoint.
//
// Every page is checked with axe-core (WCAG 2.1 A/AA) at 320 px and 1280 px without sideways
// scrolling, and screenshotted into artifacts/delivery_webhooks/<db>/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { makeEgn } from './people.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ADMIN_EMAIL = 'admin@sofia.portico.demo';
const PUBLIC_ENDPOINT = 'https://93.184.215.14/portico-hook';
const ARTIFACTS = join('delivery_webhooks', databaseKind());
// A tiny but real PDF, as the API's attachments are checked on their content.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let server;
let browser;
let failedStep = null;
const admin = { label: 'admin', lastTotpStep: null };
let administrationId = null;
let token = null;

const open = (who, path) => who.page.goto(`${server.baseUrl}${path}`);
const currentPath = (who) => new URL(who.page.url()).pathname;

async function api(method, path, body) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : null };
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

describe(`the webhooks console at 320 px and 1280 px (${databaseKind()})`, () => {
  before(async () => {
    await resetArtifacts(ARTIFACTS);
    server = await startServer();
    browser = await launchBrowserForPeople();
    Object.assign(admin, await browser.newContext());
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  step('signs in and finds the webhooks page from the console', admin, async () => {
    await open(admin, '/login');
    await admin.page.fill('[name="identifier"]', ADMIN_EMAIL);
    await admin.page.fill('[name="password"]', DEMO_PASSWORD);
    await clickAndWait(admin, admin.page.locator('form:has([name="identifier"]) button[type="submit"]'));
    assert.equal(currentPath(admin), '/login/second-factor');
    await submitAuthenticatorCode(admin, DEMO_TOTP_SECRET);
    await open(admin, '/admin');
    await clickAndWait(admin, admin.page.locator('a.console-webhooks').first());
    assert.equal(currentPath(admin), '/mailbox/webhooks');
    administrationId = new URL(admin.page.url()).searchParams.get('administration');
    assert.ok(administrationId, 'the link names the administration');
    assert.ok(await admin.page.locator('#webhooks-none').isVisible(), 'no endpoints yet');
    await checkLayout(admin.page, 'admin-webhooks-empty', ARTIFACTS);
  });

  step("the administration's system registers endpoints: an internal one is refused", admin, async () => {
    const created = await admin.page.request.post(
      `${server.baseUrl}/api/v1/administrations/${administrationId}/api-clients`,
      { data: { name: 'Деловодна система', scopes: ['delivery'], auth_method: 'client_secret' } },
    );
    assert.equal(created.status(), 201, await created.text());
    const client = await created.json();
    const tokenResponse = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.client.id,
        client_secret: client.client_secret,
      }),
    });
    assert.equal(tokenResponse.status, 200);
    token = (await tokenResponse.json()).access_token;

    for (const url of ['https://169.254.169.254/latest/meta-data/', 'https://localhost:8443/hook', 'http://example.org/hook']) {
      const refused = await api('POST', '/api/v1/mailbox/webhooks', { url });
      assert.equal(refused.status, 422, `${url}: ${refused.text}`);
    }
    const registered = await api('POST', '/api/v1/mailbox/webhooks', { url: PUBLIC_ENDPOINT });
    assert.equal(registered.status, 201, registered.text);

    const sent = await api('POST', '/api/v1/mailbox/messages', {
      sender: { kind: 'administration', identifier: administrationId },
      recipients: [{ kind: 'person', identifier: makeEgn(new Date(Date.UTC(1990, 2, 3)), 456) }],
      subject: 'Известие',
      body: 'Съдържание на съобщението.',
      attachments: [{ file_name: 'notice.pdf', media_type: 'application/pdf', content_base64: PDF.toString('base64') }],
    });
    assert.equal(sent.status, 201, sent.text);
  });

  step('sees the endpoint, its events and why they fail', admin, async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      await open(admin, `/mailbox/webhooks?administration=${administrationId}`);
      const errors = await admin.page.locator('.webhook-error').count();
      if (errors > 0) break;
      assert.ok(Date.now() < deadline, 'the failed deliveries are shown within a minute');
      await sleep(1_000);
    }
    assert.deepEqual(await admin.page.locator('.webhook-url').allTextContents(), [PUBLIC_ENDPOINT]);
    assert.deepEqual(
      (await admin.page.locator('.webhook-event code').allTextContents()).sort(),
      ['evidence', 'evidence'],
      'acceptance and consignment evidence',
    );
    assert.equal(await admin.page.locator('.webhook-delivered').textContent(), '0');
    await checkLayout(admin.page, 'admin-webhooks-failing', ARTIFACTS);
  });

  step('removes the endpoint', admin, async () => {
    await clickAndWait(admin, admin.page.locator('form.webhook-remove button[type="submit"]'));
    assert.equal(currentPath(admin), '/mailbox/webhooks');
    assert.ok(await admin.page.locator('#webhooks-banner').isVisible());
    assert.ok(await admin.page.locator('#webhooks-none').isVisible());
    const listed = await api('GET', '/api/v1/mailbox/webhooks');
    assert.equal(listed.json.items.length, 0);
    await checkLayout(admin.page, 'admin-webhooks-removed', ARTIFACTS);
  });
});
