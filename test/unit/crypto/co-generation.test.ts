/**
 * @module test/unit/crypto/co-generation
 * Key co-generation (docs/mesh-compatibility.md §3): combined public = point sum, combined scalar
 * = (s1 + s2) mod q; combined keys sign with a secret nonce and agree via the raw ladder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed448 } from '@noble/curves/ed448.js';
import { bytesToBigIntLE, concat, toHex, utf8 } from '../../../src/crypto/bytes.js';
import { combinePublicKeys, combineScalars, groupOrder } from '../../../src/crypto/co-generation.js';
import { edwardsCurve } from '../../../src/crypto/edwards-signing.js';
import { InvalidArgumentError, InvalidKeyError, UnsupportedAlgorithmError } from '../../../src/crypto/errors.js';
import { shake256 } from '../../../src/crypto/hash.js';
import type { KeyAlgorithm } from '../../../src/crypto/key-pair.js';
import {
  combineKeyPairs,
  generateKeyPair,
  keyPairFromSecret,
  recomputePublicKey,
  SECRET_LENGTH,
  verifySignature,
} from '../../../src/crypto/keys.js';
import { seededRandom } from '../../../src/crypto/random.js';

const ALL = ['Ed448', 'X448', 'Ed25519', 'X25519'] as const;
const secretArb = (alg: KeyAlgorithm) =>
  fc.uint8Array({ minLength: SECRET_LENGTH[alg], maxLength: SECRET_LENGTH[alg] });

describe.each(ALL)('%s', (alg) => {
  it("combined scalar's public key equals the point sum of the parts (property)", () => {
    fc.assert(
      fc.property(secretArb(alg), secretArb(alg), (s1, s2) => {
        const a = keyPairFromSecret(alg, s1);
        const b = keyPairFromSecret(alg, s2);
        const c = combineKeyPairs(a, b);
        expect(toHex(c.publicKey)).toBe(toHex(combinePublicKeys(alg, a.publicKey, b.publicKey)));
        expect(toHex(recomputePublicKey(c))).toBe(toHex(c.publicKey));
        // Point addition commutes.
        expect(toHex(combinePublicKeys(alg, b.publicKey, a.publicKey))).toBe(toHex(c.publicKey));
      }),
      { numRuns: 4 },
    );
  });

  it('combining a key with itself doubles it (the doubling branch)', () => {
    const a = generateKeyPair(alg, seededRandom(31));
    const c = combineKeyPairs(a, a);
    expect(toHex(recomputePublicKey(c))).toBe(toHex(c.publicKey));
  });

  it('a wrong-length public key names the argument', () => {
    const a = generateKeyPair(alg, seededRandom(32));
    expect(() => combinePublicKeys(alg, a.publicKey, a.publicKey.subarray(1))).toThrow(InvalidKeyError);
    expect(() => combinePublicKeys(alg, a.publicKey, a.publicKey.subarray(1))).toThrow(/"b"/);
    expect(() => combinePublicKeys(alg, new Uint8Array(2), a.publicKey)).toThrow(/"a"/);
  });

  it('the combined scalar is reduced mod q and zero is refused', () => {
    const q = groupOrder(alg);
    expect(combineScalars(alg, q - 1n, 2n)).toBe(1n);
    expect(() => combineScalars(alg, q - 5n, 5n)).toThrow(InvalidKeyError);
  });
});

describe.each(['Ed448', 'Ed25519'] as const)('%s combined signing', (alg) => {
  it('signatures verify under the summed public key (property)', () => {
    fc.assert(
      fc.property(secretArb(alg), secretArb(alg), fc.uint8Array({ maxLength: 100 }), (s1, s2, message) => {
        const c = combineKeyPairs(keyPairFromSecret(alg, s1), keyPairFromSecret(alg, s2));
        const sig = c.sign(message);
        expect(verifySignature(alg, c.publicKey, message, sig)).toBe(true);
        expect(verifySignature(alg, c.publicKey, concat(message, Uint8Array.of(1)), sig)).toBe(false);
      }),
      { numRuns: 6 },
    );
  });

  it('nonces differ between messages and are not the public nonce the reference uses', () => {
    const c = combineKeyPairs(generateKeyPair(alg, seededRandom(41)), generateKeyPair(alg, seededRandom(42)));
    const len = edwardsCurve(alg).length;
    const m1 = utf8('message one');
    const m2 = utf8('message two');
    const R1 = c.sign(m1).subarray(0, len);
    const R2 = c.sign(m2).subarray(0, len);
    expect(toHex(R1)).not.toBe(toHex(R2));
    if (alg === 'Ed448') {
      // docs/mesh-compatibility.md §3 (b): the reference's r = SHAKE256(dom4 ‖ M); ours must not be it.
      const dom4 = concat(utf8('SigEd448'), Uint8Array.of(0, 0));
      const publicR = ed448.Point.BASE.multiply(
        bytesToBigIntLE(shake256(concat(dom4, m1), 114)) % edwardsCurve(alg).q,
      ).toBytes();
      expect(toHex(R1)).not.toBe(toHex(publicR));
    }
    // Two combinations with equal public data but different scalars give different R.
    const other = combineKeyPairs(generateKeyPair(alg, seededRandom(43)), generateKeyPair(alg, seededRandom(44)));
    expect(toHex(other.sign(m1).subarray(0, len))).not.toBe(toHex(R1));
  });

  it('signing is deterministic without randomness and hedged with it', () => {
    const a = generateKeyPair(alg, seededRandom(51));
    const b = generateKeyPair(alg, seededRandom(52));
    const m = utf8('same message');
    const det = combineKeyPairs(a, b);
    expect(toHex(det.sign(m))).toBe(toHex(det.sign(m)));
    const hedged = combineKeyPairs(a, b, { random: seededRandom(53) });
    const s1 = hedged.sign(m);
    const s2 = hedged.sign(m);
    expect(toHex(s1)).not.toBe(toHex(s2));
    expect(verifySignature(alg, hedged.publicKey, m, s1)).toBe(true);
    expect(verifySignature(alg, hedged.publicKey, m, s2)).toBe(true);
  });
});

describe.each(['X448', 'X25519'] as const)('%s combined agreement', (alg) => {
  it('agree(combined, P) == agree(p, combinedPublic) (property)', () => {
    fc.assert(
      fc.property(secretArb(alg), secretArb(alg), secretArb(alg), (s1, s2, s3) => {
        const c = combineKeyPairs(keyPairFromSecret(alg, s1), keyPairFromSecret(alg, s2));
        const peer = keyPairFromSecret(alg, s3);
        expect(toHex(c.agree(peer.publicKey))).toBe(toHex(peer.agree(c.publicKey)));
      }),
      { numRuns: 4 },
    );
  });

  it('two combined keys agree with each other', () => {
    const c1 = combineKeyPairs(generateKeyPair(alg, seededRandom(61)), generateKeyPair(alg, seededRandom(62)));
    const c2 = combineKeyPairs(generateKeyPair(alg, seededRandom(63)), generateKeyPair(alg, seededRandom(64)));
    expect(toHex(c1.agree(c2.publicKey))).toBe(toHex(c2.agree(c1.publicKey)));
  });
});

describe('combineKeyPairs argument checks', () => {
  it('mismatched algorithms name "contribution"', () => {
    const a = generateKeyPair('Ed448', seededRandom(1));
    const b = generateKeyPair('X448', seededRandom(2));
    expect(() => combineKeyPairs(a, b)).toThrow(InvalidArgumentError);
    expect(() => combineKeyPairs(a, b)).toThrow(/"contribution"/);
  });
  it('a foreign KeyPair-shaped object is refused without reading anything private', () => {
    const a = generateKeyPair('Ed448', seededRandom(1));
    const fake = {
      alg: 'Ed448',
      publicKey: a.publicKey,
      sign: () => new Uint8Array(),
      agree: () => new Uint8Array(),
    } as const;
    expect(() => combineKeyPairs(a, fake)).toThrow(/"contribution"/);
    expect(() => combineKeyPairs(fake, a)).toThrow(/"base"/);
  });
  it('an unknown algorithm in combinePublicKeys is UnsupportedAlgorithmError', () => {
    expect(() => combinePublicKeys('P256' as KeyAlgorithm, new Uint8Array(1), new Uint8Array(1))).toThrow(
      UnsupportedAlgorithmError,
    );
  });
});
