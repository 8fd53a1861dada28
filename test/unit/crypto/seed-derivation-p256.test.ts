import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToBigIntBE, fromHex, toHex } from '../../../src/crypto/bytes.js';
import { deriveSeedSecret } from '../../../src/crypto/seed-derivation.js';
import { parseSeed } from '../../../src/mesh/keys/derive-key.js';

const v = JSON.parse(readFileSync('test/vectors/keys/t4-draft-p256.json', 'utf8'));

describe('T4 P-256 (draft variant)', () => {
  it('reproduces the PRK prefix, the 320-bit OKM and the private scalar d = (OKM mod (p − 1)) + 1', () => {
    const { specifier, bds } = parseSeed(v.seed);
    expect(specifier).toBe(5);
    const derivation = deriveSeedSecret('draft', bds, '', v.okmBits / 8);
    expect(toHex(derivation.salt).toUpperCase()).toBe(v.salt);
    expect(toHex(derivation.prk).toUpperCase().startsWith(v.prkPrefix)).toBe(true);
    expect(toHex(derivation.okm).toUpperCase()).toBe(v.okm);
    // udf-13 §4.4 with the field prime where §2.2 of the brief says the group order.
    const d = (bytesToBigIntBE(fromHex(v.okm)) % (BigInt(v.fieldPrime) - 1n)) + 1n;
    expect(d.toString()).toBe(v.d);
  });
});
