// Tests of the browser-test harness itself (no server, no browser): TOTP against the RFC 6238
// test vectors, base32, parsing of `pasip demo` output.

import assert from 'node:assert/strict';
import {test} from 'node:test';

import {base32Decode, parseDemoAccounts, totp} from './harness.mjs';

test('base32 decodes RFC 4648 text, padding and case ignored', () => {
  assert.equal(base32Decode('MZXW6YTBOI======').toString(), 'foobar');
  assert.equal(base32Decode('mzxw 6ytb oi').toString(), 'foobar');
  assert.throws(() => base32Decode('MZ1'), /base32/);
});

test('totp matches the RFC 6238 SHA-1 test vectors (last 6 digits)', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';  // "12345678901234567890"
  const vectors = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
                   [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
  for (const [time, code] of vectors) {
    assert.equal(totp(secret, time), code.slice(-6), `t=${time}`);
    assert.equal(totp(secret, time, {digits: 8}), code, `t=${time}, 8 chiffres`);
  }
});

test('demo output: one account per line, TOTP secret optional', () => {
  const out = 'Territoire de démonstration créé\n' +
      'admin\tadmin@demo.pasip.fr\tmot-de-passe-1\t\n' +
      'social\tsocial@demo.pasip.fr\tmot-de-passe-2\tJBSWY3DPEHPK3PXP\n' +
      'accueil\taccueil@demo.pasip.fr\tmot-de-passe-3\n';
  assert.deepEqual(parseDemoAccounts(out), [
    {role: 'admin', email: 'admin@demo.pasip.fr', password: 'mot-de-passe-1', totpSecret: ''},
    {role: 'social', email: 'social@demo.pasip.fr', password: 'mot-de-passe-2', totpSecret: 'JBSWY3DPEHPK3PXP'},
    {role: 'accueil', email: 'accueil@demo.pasip.fr', password: 'mot-de-passe-3', totpSecret: ''},
  ]);
});
