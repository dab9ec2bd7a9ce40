// Unit tests of the synthetic-person helpers: an invalid "valid" EGN would make the registration
// step fail for the wrong reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { egnCheckDigit, makeEgn, newPerson, withWrongCheckDigit } from './people.mjs';

test('check digit matches published sample EGNs', () => {
  // The same samples crates/core uses: 16 March 1875 and 5 December 1880.
  assert.equal(egnCheckDigit('752316926'), 3);
  assert.equal(egnCheckDigit('803205603'), 1);
});

test('makeEgn encodes the century in the month', () => {
  assert.equal(makeEgn(new Date(Date.UTC(1875, 2, 16)), 926), '7523169263');
  assert.match(makeEgn(new Date(Date.UTC(1985, 6, 1)), 123), /^850701123\d$/);
  assert.match(makeEgn(new Date(Date.UTC(2010, 10, 30)), 5), /^105130005\d$/);
});

test('makeEgn gives ten digits with a correct check digit', () => {
  for (let i = 0; i < 200; i++) {
    const egn = newPerson().egn;
    assert.match(egn, /^\d{10}$/);
    assert.equal(Number(egn[9]), egnCheckDigit(egn.slice(0, 9)), egn);
  }
});

test('withWrongCheckDigit breaks only the check digit', () => {
  const egn = makeEgn(new Date(Date.UTC(1990, 4, 17)), 42);
  const bad = withWrongCheckDigit(egn);
  assert.equal(bad.slice(0, 9), egn.slice(0, 9));
  assert.notEqual(Number(bad[9]), egnCheckDigit(bad.slice(0, 9)));
});
