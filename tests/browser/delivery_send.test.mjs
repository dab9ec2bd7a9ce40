// The office's send page in a browser, without JavaScript doing the work: Sofia's
// administration admin signs in, follows "Send a message with files" from the mailbox, sends the
// form first with a missing subject and a wrong personal number (the error summary names both,
// what was typed is kept, the files must be chosen again), then a PDF and a text file to a
// person; the confirmation shows the message's number and its evidence, and the evidence chain
// downloads.
//
// Every page is checked with axe-core (WCAG 2.1 A/AA) at 320 px and 1280 px without sideways
// scrolling, and screenshotted into artifacts/delivery_send/<db>/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { checkLayout, launchBrowserForPeople, resetArtifacts, screenshot } from './browser.mjs';
import { makeEgn } from './people.mjs';
import { databaseKind, startServer } from './server.mjs';
import { clickAndWait, submitAuthenticatorCode } from './journey.mjs';

const STEP_TIMEOUT_MS = 120_000;
const DEMO_PASSWORD = 'portico-demo-password';
const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ADMIN_EMAIL = 'admin@sofia.portico.demo';
const ARTIFACTS = join('delivery_send', databaseKind());
// A tiny but real PDF: files are checked on their content.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const LIST = Buffer.from('Опис на приложенията: удостоверение.\n');
const RECIPIENT = makeEgn(new Date(Date.UTC(1979, 10, 23)), 321);
const SECOND_RECIPIENT = makeEgn(new Date(Date.UTC(1984, 2, 7)), 456);

let server;
let browser;
let failedStep = null;
const admin = { label: 'admin', lastTotpStep: null };
let messageId = null;

const open = (who, path) => who.page.goto(`${server.baseUrl}${path}`);
const currentPath = (who) => new URL(who.page.url()).pathname;

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

async function chooseFiles(page) {
  await page.setInputFiles('#attachments', [
    { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'list.txt', mimeType: 'text/plain', buffer: LIST },
  ]);
}

describe(`the office's send page at 320 px and 1280 px (${databaseKind()})`, () => {
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

  step('signs in and finds the send page from the mailbox', admin, async () => {
    await open(admin, '/login');
    await admin.page.fill('[name="identifier"]', ADMIN_EMAIL);
    await admin.page.fill('[name="password"]', DEMO_PASSWORD);
    await clickAndWait(admin, admin.page.locator('form:has([name="identifier"]) button[type="submit"]'));
    assert.equal(currentPath(admin), '/login/second-factor');
    await submitAuthenticatorCode(admin, DEMO_TOTP_SECRET);
    await open(admin, '/mailbox');
    await clickAndWait(admin, admin.page.locator('#mailbox-send'));
    assert.equal(currentPath(admin), '/mailbox/send');
    assert.ok((await admin.page.locator('#sender option').count()) >= 1, 'a mailbox to send from');
    assert.equal(
      await admin.page.locator('form[enctype="multipart/form-data"] input[name="_csrf"]').count(),
      1,
    );
    await checkLayout(admin.page, 'send-form', ARTIFACTS);
  });

  step('sends it with a missing subject and a wrong number on one line: both named', admin, async () => {
    const page = admin.page;
    await page.check('#recipient_kind');
    await page.fill('#recipient', `${RECIPIENT}\n1234567890`);
    await page.fill('#body', 'Приложено е удостоверението.');
    await chooseFiles(page);
    await clickAndWait(admin, page.locator('form[enctype="multipart/form-data"] button[type="submit"]'));
    assert.equal(currentPath(admin), '/mailbox/send');
    const links = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(links, ['#subject', '#recipient']);
    const wrongLines = await page.locator('#recipient-lines li').allTextContents();
    assert.equal(wrongLines.length, 1, 'only the wrong line is named');
    assert.match(wrongLines[0], /2 \(1234567890\)/);
    assert.equal(await page.inputValue('#body'), 'Приложено е удостоверението.');
    assert.ok(await page.locator('#attachments-again').isVisible(), 'the files must be chosen again');
    await checkLayout(page, 'send-errors', ARTIFACTS);
  });

  step('sends a PDF and a text file to two people and sees the number and the evidence', admin, async () => {
    const page = admin.page;
    await page.fill('#recipient', `${RECIPIENT}\n${SECOND_RECIPIENT}`);
    await page.fill('#subject', 'Удостоверение за адресна регистрация');
    await chooseFiles(page);
    await clickAndWait(admin, page.locator('form[enctype="multipart/form-data"] button[type="submit"]'));
    assert.match(currentPath(admin), /^\/mailbox\/sent\//);
    messageId = (await page.locator('#sent-message-id').textContent()).trim();
    assert.equal(currentPath(admin), `/mailbox/sent/${messageId}`);
    assert.deepEqual(await page.locator('#attachments .attachment-name').allTextContents(), [
      'certificate.pdf',
      'list.txt',
    ]);
    assert.equal(await page.locator('#evidence li').count(), 3, 'accepted, and delivered to each');
    await checkLayout(page, 'sent', ARTIFACTS);
  });

  step('downloads the evidence chain of the message', admin, async () => {
    const response = await admin.page.request.get(`${server.baseUrl}/mailbox/messages/${messageId}/evidence`);
    assert.equal(response.status(), 200);
    const lines = (await response.text()).trim().split('\n');
    assert.equal(lines.length, 3);
    for (const jws of lines) {
      const payload = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString());
      assert.equal(payload.message, messageId);
    }
  });
});
