// Synthetic people for the browser tests. Every run makes new ones (random EGN serial, e-mail and
// phone), so reruns against a database that was not cleaned never collide with earlier accounts.

import { randomBytes, randomInt } from 'node:crypto';

const EGN_WEIGHTS = [2, 4, 8, 5, 10, 9, 7, 3, 6];

/** The EGN check digit of the first nine digits: weighted sum mod 11, and 10 counts as 0. */
export function egnCheckDigit(firstNine) {
  const sum = [...firstNine].reduce((acc, ch, i) => acc + Number(ch) * EGN_WEIGHTS[i], 0);
  return (sum % 11) % 10;
}

const pad = (n, width) => String(n).padStart(width, '0');

/**
 * A valid EGN for a date of birth: YYMMDD (month +20 for the 1800s, +40 for the 2000s), a 3-digit
 * serial (random unless given) and the check digit.
 */
export function makeEgn(date, serial = randomInt(1000)) {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const monthCode = year < 1900 ? month + 20 : year >= 2000 ? month + 40 : month;
  const body = `${pad(year % 100, 2)}${pad(monthCode, 2)}${pad(date.getUTCDate(), 2)}${pad(serial, 3)}`;
  return `${body}${egnCheckDigit(body)}`;
}

/** The same EGN with a wrong last digit: passes the length check, fails the checksum. */
export function withWrongCheckDigit(egn) {
  const last = Number(egn.at(-1));
  return `${egn.slice(0, -1)}${(last + 1) % 10}`;
}

/** An adult's random date of birth (1950–1999; day ≤ 28 so every month has it). */
function randomAdultBirthDate() {
  return new Date(Date.UTC(1950 + randomInt(50), randomInt(12), 1 + randomInt(28)));
}

/** A new person to register: Cyrillic names on purpose, to check they round-trip. */
export function newPerson() {
  const tag = randomBytes(4).toString('hex');
  return {
    egn: makeEgn(randomAdultBirthDate()),
    givenName: 'Иванка',
    familyName: 'Петрова',
    email: `ivanka.petrova.${tag}@example.com`,
    phone: `+359888${pad(randomInt(1_000_000), 6)}`,
    // At least 12 characters, as the registration form requires.
    password: `kestenyava-gora-${tag}`,
  };
}
