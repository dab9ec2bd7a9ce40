// Unit tests of the tests' own TOTP implementation, against the published RFC test vectors, so
// that a failing sign-in in the browser flow points at the server and not at this helper.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { base32Decode, hotp, timeStep, totp } from './totp.mjs';

// RFC 6238 Appendix B, SHA-1 column; the key is the ASCII string "12345678901234567890".
const RFC6238_SHA1_VECTORS = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');
// The same key in base32, as an enrolment page would show it.
const RFC_KEY_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('TOTP matches the RFC 6238 SHA-1 test vectors (8 digits)', () => {
  for (const [time, expected] of RFC6238_SHA1_VECTORS) {
    assert.equal(totp(RFC_KEY, { time, digits: 8 }), expected, `T = ${time}`);
  }
});

test('TOTP from a base32 secret equals TOTP from the raw key', () => {
  for (const [time, expected] of RFC6238_SHA1_VECTORS) {
    assert.equal(totp(RFC_KEY_BASE32, { time, digits: 8 }), expected, `T = ${time}`);
  }
});

test('six-digit codes are the last six digits of the eight-digit ones', () => {
  for (const [time, expected] of RFC6238_SHA1_VECTORS) {
    assert.equal(totp(RFC_KEY, { time }), expected.slice(2), `T = ${time}`);
  }
});

test('HOTP matches the RFC 4226 Appendix D test values', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => assert.equal(hotp(RFC_KEY, counter), code, `counter ${counter}`));
});

test('base32 decoding follows RFC 4648 and tolerates grouping, padding and lower case', () => {
  const cases = [
    ['', ''],
    ['MY======', 'f'],
    ['MZXQ====', 'fo'],
    ['MZXW6===', 'foo'],
    ['MZXW6YQ=', 'foob'],
    ['MZXW6YTB', 'fooba'],
    ['MZXW6YTBOI======', 'foobar'],
    ['mzxw 6ytb oi', 'foobar'],
    ['MZXW-6YTB-OI', 'foobar'],
  ];
  for (const [encoded, decoded] of cases) {
    assert.equal(base32Decode(encoded).toString('ascii'), decoded, JSON.stringify(encoded));
  }
  assert.throws(() => base32Decode('MZXW1'), /not a base32 character/);
});

test('time steps are 30 seconds long', () => {
  assert.equal(timeStep(0), 0);
  assert.equal(timeStep(29.999), 0);
  assert.equal(timeStep(30), 1);
  assert.equal(timeStep(59), 1);
});
