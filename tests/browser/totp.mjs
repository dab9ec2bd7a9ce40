// An independent TOTP implementation (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1) written only with
// node:crypto. The browser tests use it to answer the server's authenticator prompts, so a bug
// shared by the server and its own TOTP library cannot make both sides agree by accident.

import { createHmac } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Time step length in seconds, as authenticator apps use. */
export const TOTP_STEP_SECONDS = 30;

/**
 * Decodes RFC 4648 base32 text into bytes. Spaces, dashes and `=` padding are ignored and lower
 * case is accepted, because pages show secrets in groups for people to type.
 */
export function base32Decode(text) {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const value = BASE32_ALPHABET.indexOf(ch);
    if (value === -1) {
      throw new Error(`not a base32 character: ${JSON.stringify(ch)}`);
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet emitted, so the number stays small
  }
  return Buffer.from(bytes);
}

/** RFC 4226 HOTP: HMAC-SHA-1 of the 8-byte big-endian counter, dynamically truncated. */
export function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary =
    ((mac[offset] & 0x7f) << 24) |
    (mac[offset + 1] << 16) |
    (mac[offset + 2] << 8) |
    mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP time step that a Unix time (seconds) falls in. */
export function timeStep(unixSeconds = Date.now() / 1000) {
  return Math.floor(unixSeconds / TOTP_STEP_SECONDS);
}

/**
 * RFC 6238 TOTP. `secret` is base32 text (as shown on the enrolment page) or raw bytes (Buffer);
 * `time` is Unix seconds (default now).
 */
export function totp(secret, { time = Date.now() / 1000, digits = 6 } = {}) {
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  return hotp(key, timeStep(time), digits);
}

/** Seconds left in the current time step. */
export const secondsLeftInStep = () => TOTP_STEP_SECONDS - ((Date.now() / 1000) % TOTP_STEP_SECONDS);

/**
 * A code Portico will accept now from an account whose last used step is `lastStep` (null when
 * none): the earliest step after it in the server's window, which allows for a phone's clock
 * being one step off either way (crates/identity/src/service/totp.rs, `matching_step`). A person
 * typing slowly sends the step before; a fast clock, the step after. So a test signs the same
 * person in up to three times in one step instead of waiting half a minute each time; it waits
 * only when all three are used, or when the step ends in under 3 s (the server must see the same
 * window). Returns { code, step }.
 */
export async function acceptableCode(secret, lastStep = null) {
  for (;;) {
    const left = secondsLeftInStep();
    if (left >= 3) {
      const now = timeStep();
      for (let step = now - 1; step <= now + 1; step++) {
        if (lastStep === null || lastStep === undefined || step > lastStep) {
          return { code: totp(secret, { time: step * TOTP_STEP_SECONDS }), step };
        }
      }
    }
    await new Promise((wake) => setTimeout(wake, left * 1000 + 250));
  }
}
