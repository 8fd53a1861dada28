/**
 * @module test/unit/mesh/keys/derive-key
 * Seed UDF → key pairs: the draft vectors (T4), the full production derivation (T11), the
 * activation contributions and their combination (T13), and the parse errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../src/crypto/bytes.js';
import { combinePublicKeys } from '../../../../src/crypto/co-generation.js';
import {
  InvalidArgumentError,
  InvalidEncodingError,
  UnsupportedAlgorithmError,
} from '../../../../src/crypto/errors.js';
import { PUBLIC_KEY_LENGTH, type KeyAlgorithm } from '../../../../src/crypto/key-pair.js';
import {
  combineKeyPairs,
  keyPairFromSecret,
  recomputePublicKey,
  verifySignature,
} from '../../../../src/crypto/keys.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { deriveActivatedKeyPair, deriveContributionKeyPair } from '../../../../src/mesh/keys/activation-keys.js';
import { newDerivedKeySeedUdf } from '../../../../src/mesh/udf/derived-key-seed.js';
import { deriveKeyPair, deriveSeedOkm, parseSeed, seedKeyAlgorithm } from '../../../../src/mesh/keys/derive-key.js';
import { KeySpecifier } from '../../../../src/mesh/keys/key-specifier.js';
import { presentBinary } from '../../../../src/mesh/udf/udf.js';
import t4 from '../../../vectors/keys/t4-draft-seed-derivation.json' with { type: 'json' };
import t11 from '../../../vectors/keys/t11-production-seed.json' with { type: 'json' };
import t13 from '../../../vectors/keys/t13-activation.json' with { type: 'json' };

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

describe('T4 draft variant (udf-13 §4.4)', () => {
  it.each(t4.vectors.map((v) => [v.alg, v] as const))('%s key bytes reproduce', (alg, v) => {
    const d = deriveSeedOkm(v.seed, '', { variant: 'draft' });
    expect(d.alg).toBe(alg);
    expect(toHex(d.okm)).toBe(v.key.toLowerCase());
    if (v.ikm !== undefined) expect(toHex(d.ikm)).toBe(v.ikm.toLowerCase());
    // The OKM is a usable secret of the seed's curve.
    const kp = deriveKeyPair(v.seed, '', { variant: 'draft' });
    expect(kp.publicKey.length).toBe(PUBLIC_KEY_LENGTH[alg as KeyAlgorithm]);
  });
});

describe('T11 production derivation (schema-08 §9.2)', () => {
  it('IKM, PRK and OKM of BaseDeviceProfile', () => {
    const d = deriveSeedOkm(t11.seed, t11.okm.keyName);
    expect(d.specifier).toBe(t11.specifier);
    expect(toHex(d.ikm)).toBe(t11.ikm);
    expect(toHex(d.prk)).toBe(t11.prk);
    expect(toHex(d.okm)).toBe(t11.okm.value);
  });
  it.each(t11.publicKeys.map((k) => [k.field, k] as const))(
    '%s public key (checks the X448 signed encoding)',
    (_field, k) => {
      const kp = deriveKeyPair(t11.seed, k.keyName);
      expect(kp.alg).toBe(k.alg);
      expect(b64(kp.publicKey)).toBe(k.public);
    },
  );
  it('the derived keys work: Ed448 signs, X448 agrees', () => {
    const sign = deriveKeyPair(t11.seed, 'BaseDeviceSign');
    const msg = new Uint8Array(64).fill(1);
    expect(verifySignature('Ed448', sign.publicKey, msg, sign.sign(msg))).toBe(true);
    const enc = deriveKeyPair(t11.seed, 'BaseDeviceEncrypt');
    const auth = deriveKeyPair(t11.seed, 'BaseDeviceAuthenticate');
    expect(toHex(enc.agree(auth.publicKey))).toBe(toHex(auth.agree(enc.publicKey)));
  });
  it('an algorithm override changes the curve', () => {
    const kp = deriveKeyPair(t11.seed, 'BaseDeviceEncrypt', { algorithm: 'X25519' });
    expect(kp.alg).toBe('X25519');
    expect(kp.publicKey.length).toBe(33);
    expect(deriveSeedOkm(t11.seed, 'BaseDeviceEncrypt', { algorithm: 'X25519' }).okm.length).toBe(32);
  });
});

describe('T13 activation (co-generation, docs/mesh-compatibility.md §3)', () => {
  it('the activation seed is a MeshActivationAccount (0x0103) seed', () => {
    expect(parseSeed(t13.activationKey).specifier).toBe(t13.activationSpecifier);
  });
  it.each(t13.keys.map((k) => [k.field, k] as const))(
    '%s: contribution derives and sums with the published base key',
    (_f, k) => {
      const contribution = deriveContributionKeyPair(
        t13.activationKey,
        k.operation as 'Encrypt' | 'Sign' | 'Authenticate',
      );
      expect(contribution.alg).toBe(k.alg);
      const base = fromB64(k.basePublic);
      const sum = combinePublicKeys(k.alg as KeyAlgorithm, base, contribution.publicKey);
      expect(sum.length).toBe(PUBLIC_KEY_LENGTH[k.alg as KeyAlgorithm]);
      expect(toHex(sum)).toBe(toHex(combinePublicKeys(k.alg as KeyAlgorithm, contribution.publicKey, base)));
      expect(toHex(sum)).not.toBe(toHex(base));
    },
  );
  it.each(t13.keys.map((k) => [k.field, k] as const))(
    "%s: with a known base seed, the combined private key's public equals the point sum",
    (_f, k) => {
      // The T13 base seed is not published, so the T11 device seed stands in as the base.
      const op = k.operation as 'Encrypt' | 'Sign' | 'Authenticate';
      const combined = deriveActivatedKeyPair(t11.seed, t13.activationKey, op);
      const base = deriveKeyPair(t11.seed, `BaseDevice${op}`);
      const contribution = deriveKeyPair(t13.activationKey, `ActivationDevice${op}`);
      const sum = combinePublicKeys(k.alg as KeyAlgorithm, base.publicKey, contribution.publicKey);
      expect(toHex(combined.publicKey)).toBe(toHex(sum));
      expect(toHex(recomputePublicKey(combined))).toBe(toHex(sum));
      if (k.alg === 'Ed448') {
        const msg = new Uint8Array(64).fill(7);
        expect(verifySignature('Ed448', combined.publicKey, msg, combined.sign(msg))).toBe(true);
      } else {
        const peer = keyPairFromSecret('X448', new Uint8Array(56).fill(9));
        expect(toHex(combined.agree(peer.publicKey))).toBe(toHex(peer.agree(combined.publicKey)));
      }
    },
  );
  it('deriveActivatedKeyPair equals combining the two derived pairs', () => {
    const a = deriveActivatedKeyPair(t11.seed, t13.activationKey, 'Sign');
    const b = combineKeyPairs(
      deriveKeyPair(t11.seed, 'BaseDeviceSign'),
      deriveKeyPair(t13.activationKey, 'ActivationDeviceSign'),
    );
    expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
    const m = Uint8Array.of(1, 2);
    expect(toHex(a.sign(m))).toBe(toHex(b.sign(m)));
  });
});

describe('algorithm choice (docs/mesh-compatibility.md §2.1)', () => {
  it.each([
    ['BaseDeviceEncrypt', 'X448'],
    ['CompleteAccountEscrow', 'X448'],
    ['CompleteAccountAdminEncrypt', 'X448'],
    ['BaseDeviceAuthenticate', 'X448'],
    ['BaseDeviceSign', 'Ed448'],
    ['BaseDeviceProfile', 'Ed448'],
    ['CompleteAccountAdminSign', 'Ed448'],
  ])('%s → %s for Mesh seeds', (name, alg) => {
    for (let s = 0x0100; s <= 0x0105; s++) expect(seedKeyAlgorithm(s, name)).toBe(alg);
  });
  it('curve seeds use their curve for any name', () => {
    expect(seedKeyAlgorithm(KeySpecifier.X25519, 'anything')).toBe('X25519');
    expect(seedKeyAlgorithm(KeySpecifier.Ed448, 'BaseDeviceEncrypt')).toBe('Ed448');
  });
  it('an override must suit the key and the seed', () => {
    expect(() => seedKeyAlgorithm(0x0100, 'BaseDeviceSign', 'X448')).toThrow(InvalidArgumentError);
    expect(() => seedKeyAlgorithm(0x0100, 'BaseDeviceSign', 'X448')).toThrow(/"options.algorithm"/);
    expect(() => seedKeyAlgorithm(KeySpecifier.X448, 'k', 'Ed448')).toThrow(/"options.algorithm"/);
    expect(seedKeyAlgorithm(KeySpecifier.Any, 'k', 'Ed25519')).toBe('Ed25519');
  });
  it('unsupported specifiers are UnsupportedAlgorithmError naming "seed"', () => {
    expect(() => seedKeyAlgorithm(KeySpecifier.P256, 'k')).toThrow(UnsupportedAlgorithmError);
    expect(() => seedKeyAlgorithm(KeySpecifier.P256, 'k')).toThrow(/"seed" key specifier P256/);
    expect(() => seedKeyAlgorithm(0x0200, 'k')).toThrow(/0x0200/);
    expect(() => seedKeyAlgorithm(KeySpecifier.Any, 'k')).toThrow(UnsupportedAlgorithmError);
  });
});

describe('newDerivedKeySeedUdf', () => {
  it('makes a 56-character Z seed that parses back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        const seed = newDerivedKeySeedUdf(KeySpecifier.MeshActivationAccount, seededRandom(n));
        expect(seed.replace(/-/g, '').length).toBe(56);
        expect(seed.startsWith('ZAAQ')).toBe(true);
        const parsed = parseSeed(seed);
        expect(parsed.specifier).toBe(0x0103);
        expect(parsed.bds.length).toBe(34);
      }),
      { numRuns: 20 },
    );
  });
  it('names bad arguments', () => {
    expect(() => newDerivedKeySeedUdf(-1, seededRandom(1))).toThrow(/"specifier"/);
    expect(() => newDerivedKeySeedUdf(0x0100, seededRandom(1), 8)).toThrow(/"secretBytes"/);
    expect(() => newDerivedKeySeedUdf(0x0100, () => new Uint8Array(1))).toThrow(/"random output"/);
  });
});

describe('bad seeds and names', () => {
  const secretPart = t11.seed.slice(10);
  const expectNoSecret = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      const err = e as Error & { context: Record<string, unknown> };
      expect(err.message + JSON.stringify(err.context)).not.toContain(secretPart);
      return;
    }
    throw new Error('expected a throw');
  };

  it('wrong UDF type → InvalidEncodingError naming "seed" and the type', () => {
    const digestUdf = 'MC6H-2IFS-4OXA-U2YQ-QZ6Y-RZWX-JC3Q';
    expect(() => deriveKeyPair(digestUdf, 'BaseDeviceSign')).toThrow(InvalidEncodingError);
    expect(() => deriveKeyPair(digestUdf, 'BaseDeviceSign')).toThrow(
      /"seed" expected a derived-key seed UDF .*got type 0x60/,
    );
  });
  it('a short secret → InvalidEncodingError naming "seed"', () => {
    const short = presentBinary(Uint8Array.of(0xc8, 0x01, 0x00, ...new Uint8Array(8).fill(1)));
    expect(() => deriveKeyPair(short, 'BaseDeviceSign')).toThrow(InvalidEncodingError);
    expect(() => deriveKeyPair(short, 'BaseDeviceSign')).toThrow(
      /"seed" expected a specifier and at least 16 secret bytes, got 8/,
    );
  });
  it('an unknown key name → InvalidArgumentError naming "keyName"', () => {
    expect(() => deriveKeyPair(t11.seed, 'BaseDeviceSigning')).toThrow(InvalidArgumentError);
    expect(() => deriveKeyPair(t11.seed, 'Base_Device_Sign')).toThrow(/"keyName"/);
    expect(() => deriveKeyPair(t11.seed, '')).toThrow(/"keyName"/);
  });
  it('a non-string seed names "seed"', () => {
    expect(() => deriveKeyPair(42 as unknown as string, 'BaseDeviceSign')).toThrow(/"seed"/);
  });
  it('no error message or context carries the seed secret', () => {
    expectNoSecret(() => deriveKeyPair(t11.seed, 'BaseDeviceSigning'));
    expectNoSecret(() => deriveKeyPair(t11.seed, 'BaseDeviceSign', { algorithm: 'X448' }));
    expectNoSecret(() => deriveKeyPair(t11.seed.replace('ZAAQ', 'MAAQ'), 'BaseDeviceSign'));
    expectNoSecret(() => deriveKeyPair(t11.seed + '!', 'BaseDeviceSign'));
  });
  it('T4 hex fixture sanity', () => {
    expect(fromHex(t11.ikm).length).toBe(34);
  });
});
