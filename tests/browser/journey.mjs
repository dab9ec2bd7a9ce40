// Steps every journey test takes the same way: following a link or a form to the next page,
// typing a fresh authenticator code, and reading what the server e-mailed.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { acceptableCode } from './totp.mjs';

/** Clicks something that submits a form or follows a link, and waits for the next page to load. */
export async function clickAndWait(who, locator) {
  const navigation = who.page.waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return navigation;
}

/**
 * Types an authenticator code for `secret` into #code and submits its form. The server accepts
 * each time step once per account, so this takes a step after the one this person last used
 * (`who.lastTotpStep`; see `acceptableCode`).
 */
export async function submitAuthenticatorCode(who, secret) {
  const { code, step } = await acceptableCode(secret, who.lastTotpStep ?? null);
  await who.page.fill('#code', code);
  const response = await clickAndWait(who, who.page.locator('form:has(#code) button[type="submit"]').first());
  who.lastTotpStep = step;
  return response;
}

/**
 * The newest match of `pattern` (a /g regex; its first group if it has one) in the mail the
 * server wrote to <dataDir>/mail.log for `email`. A background job sends mail, so this waits up
 * to 15 s for it to appear.
 */
export async function newestInMail(dataDir, email, pattern) {
  const deadline = Date.now() + 15_000;
  let log = '';
  while (Date.now() < deadline) {
    log = await readFile(join(dataDir, 'mail.log'), 'utf8').catch(() => '');
    const messages = log.split('\n----\n').filter((m) => m.startsWith(`To: ${email}\n`) || m.includes(`\nTo: ${email}\n`));
    const found = messages.flatMap((m) => [...m.matchAll(pattern)].map((x) => x[1] ?? x[0]));
    if (found.length > 0) {
      return found.at(-1);
    }
    await sleep(250);
  }
  throw new Error(`nothing like ${pattern} for ${email} in mail.log within 15 s; mail.log has:\n${log.slice(-2_000)}`);
}
