/**
 * @module test/unit/crypto/seed-derivation
 * The HKDF steps of both seed variants against the published intermediate values
 * (docs/mesh-compatibility.md §10 T4 draft variant, §10 T11 production).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/crypto/bytes.js';
import { InvalidArgumentError } from '../../../src/crypto/errors.js';
import { deriveSeedSecret } from '../../../src/crypto/seed-derivation.js';
import t4 from '../../vectors/keys/t4-draft-seed-derivation.json' with { type: 'json' };
import t11 from '../../vectors/keys/t11-production-seed.json' with { type: 'json' };

describe('production variant (T11)', () => {
  it('reproduces PRK and OKM for BaseDeviceProfile', () => {
    const d = deriveSeedSecret('production', fromHex(t11.ikm), t11.okm.keyName, t11.okm.length);
    expect(toHex(d.salt)).toBe('00'.repeat(64));
    expect(toHex(d.prk)).toBe(t11.prk);
    expect(toHex(d.okm)).toBe(t11.okm.value);
    expect(toHex(d.info)).toBe('0100' + Buffer.from(t11.okm.keyName).toString('hex'));
  });
});

describe('draft variant (T4)', () => {
  it('reproduces the X25519 vector PRK (salt = specifier, info = "")', () => {
    const v = t4.vectors[0];
    if (v === undefined || v.prk === undefined || v.ikm === undefined) throw new Error('vector missing');
    const d = deriveSeedSecret('draft', fromHex(v.ikm), '', 32);
    expect(toHex(d.salt)).toBe(v.salt);
    expect(toHex(d.prk)).toBe(toHex(fromHex(v.prk)));
    expect(toHex(d.okm)).toBe(v.key.toLowerCase());
  });
});

describe('bad input', () => {
  it('names the argument', () => {
    expect(() => deriveSeedSecret('production', new Uint8Array(2), 'BaseDeviceSign', 56)).toThrow(InvalidArgumentError);
    expect(() => deriveSeedSecret('production', new Uint8Array(2), 'BaseDeviceSign', 56)).toThrow(/"bds"/);
    expect(() => deriveSeedSecret('production', new Uint8Array(34), '', 56)).toThrow(/"keyName"/);
    expect(() => deriveSeedSecret('production', new Uint8Array(34), 'X', 0)).toThrow(/"length"/);
    expect(() => deriveSeedSecret('other' as 'draft', new Uint8Array(34), 'X', 32)).toThrow(/"variant"/);
  });
});
