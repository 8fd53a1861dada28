/**
 * @module test/unit/crypto/montgomery
 * Signed Montgomery encoding, the raw ladder and affine addition (docs/mesh-compatibility.md §2.3, §3),
 * checked against node:crypto's RFC 7748 for clamped scalars and against each other.
 */
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigIntToBytesLE, bytesToBigIntLE, toHex } from '../../../src/crypto/bytes.js';
import { InvalidKeyError } from '../../../src/crypto/errors.js';
import {
  addPoints,
  baseMultiply,
  clampScalar,
  CURVE448,
  CURVE25519,
  decodeSigned,
  decodeU,
  encodeSigned,
  montgomeryCurve,
  rawScalarMultU,
  type MontgomeryAlgorithm,
} from '../../../src/crypto/montgomery.js';

const ALGS: MontgomeryAlgorithm[] = ['X448', 'X25519'];
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function nodePublicU(alg: MontgomeryAlgorithm, secret: Uint8Array): Uint8Array {
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: alg, d: b64(secret), x: b64(new Uint8Array(montgomeryCurve(alg).uLength)) },
    format: 'jwk',
  });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
}

describe('curve constants', () => {
  it.each([CURVE448, CURVE25519])('$alg base point (u0, v0) satisfies v² = u³ + A·u² + u', (c) => {
    const { Fp } = c;
    expect(Fp.sqr(c.v0)).toBe(Fp.add(Fp.mul(Fp.sqr(c.u0), Fp.add(c.u0, c.A)), c.u0));
  });
  it.each([CURVE448, CURVE25519])('$alg base point has order q', (c) => {
    expect(baseMultiply(c.alg, c.q)).toBeNull();
    expect(baseMultiply(c.alg, c.q + 1n)).toEqual({ u: c.u0, v: c.v0 });
  });
});

describe.each(ALGS)('%s', (alg) => {
  const c = montgomeryCurve(alg);
  const secretArb = fc.uint8Array({ minLength: c.uLength, maxLength: c.uLength });

  it('u of the clamped base multiple equals node:crypto public key', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const P = baseMultiply(alg, clampScalar(alg, secret));
        expect(toHex(encodeSigned(alg, P).subarray(0, c.uLength))).toBe(toHex(nodePublicU(alg, secret)));
      }),
      { numRuns: 10 },
    );
  });

  it('recovered v lies on the curve and the signed encoding round-trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: c.q - 1n }), (k) => {
        const P = baseMultiply(alg, k);
        if (P === null) throw new Error('unreachable');
        const { Fp } = c;
        expect(Fp.sqr(P.v)).toBe(Fp.add(Fp.mul(Fp.sqr(P.u), Fp.add(P.u, c.A)), P.u));
        expect(decodeSigned(alg, encodeSigned(alg, P), 'p')).toEqual(P);
      }),
      { numRuns: 10 },
    );
  });

  it('raw ladder equals node:crypto X448/X25519 for clamped scalars', () => {
    fc.assert(
      fc.property(secretArb, secretArb, (a, b) => {
        const peerU = nodePublicU(alg, b);
        const viaLadder = rawScalarMultU(alg, clampScalar(alg, a), bytesToBigIntLE(peerU));
        const priv = createPrivateKey({
          key: { kty: 'OKP', crv: alg, d: b64(a), x: b64(nodePublicU(alg, a)) },
          format: 'jwk',
        });
        const pub = createPublicKey({ key: { kty: 'OKP', crv: alg, x: b64(peerU) }, format: 'jwk' });
        expect(toHex(viaLadder)).toBe(toHex(new Uint8Array(diffieHellman({ privateKey: priv, publicKey: pub }))));
      }),
      { numRuns: 5 },
    );
  });

  it('affine addition matches scalar multiplication: aB + bB = (a+b)B, doubling, inverse, identity', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: c.q - 1n }), fc.bigInt({ min: 1n, max: c.q - 1n }), (a, b) => {
        const sum = addPoints(alg, baseMultiply(alg, a), baseMultiply(alg, b));
        expect(sum).toEqual(baseMultiply(alg, a + b));
        expect(addPoints(alg, baseMultiply(alg, a), baseMultiply(alg, a))).toEqual(baseMultiply(alg, 2n * a));
        expect(addPoints(alg, baseMultiply(alg, a), baseMultiply(alg, c.q - a))).toBeNull();
        expect(addPoints(alg, null, baseMultiply(alg, b))).toEqual(baseMultiply(alg, b));
      }),
      { numRuns: 4 },
    );
  });

  it('k·B for k = q − 1 is −B (the Z(Q+P) = 0 branch of y-recovery)', () => {
    expect(baseMultiply(alg, c.q - 1n)).toEqual({ u: c.u0, v: c.Fp.neg(c.v0) });
  });

  describe('bad input', () => {
    const valid = encodeSigned(alg, baseMultiply(alg, 12345n));

    it('wrong length names the argument', () => {
      expect(() => decodeU(alg, valid.subarray(0, 10), 'peerPublicKey')).toThrow(InvalidKeyError);
      expect(() => decodeU(alg, valid.subarray(0, 10), 'peerPublicKey')).toThrow(/"peerPublicKey".*length=10/);
      expect(() => decodeSigned(alg, valid.subarray(0, c.uLength), 'a')).toThrow(/"a" expected a signed/);
    });

    it('a sign byte other than 0x00/0x80 is refused', () => {
      const bad = Uint8Array.from(valid);
      bad[c.uLength] = 0x01;
      expect(() => decodeSigned(alg, bad, 'a')).toThrow(InvalidKeyError);
      expect(() => decodeSigned(alg, bad, 'a')).toThrow(/"a" sign byte/);
    });

    it('a u on the twist is refused', () => {
      // Search a small u whose right-hand side is not a square.
      let u = 2n;
      const { Fp } = c;
      while (Fp.pow(Fp.add(Fp.mul(Fp.sqr(u), Fp.add(u, c.A)), u), (c.p - 1n) / 2n) === 1n) u++;
      const bytes = new Uint8Array(c.uLength + 1);
      bytes.set(bigIntToBytesLE(u, c.uLength));
      expect(() => decodeU(alg, bytes, 'peerPublicKey')).toThrow(InvalidKeyError);
      expect(() => decodeU(alg, bytes, 'peerPublicKey')).toThrow(/"peerPublicKey" u coordinate is not on/);
    });

    it('u ≥ p is refused', () => {
      const bytes = new Uint8Array(c.uLength + 1);
      bytes.set(bigIntToBytesLE(c.p, c.uLength));
      expect(() => decodeU(alg, bytes, 'peerPublicKey')).toThrow(/"peerPublicKey" u coordinate is not reduced/);
    });

    it('a small-order peer point gives an InvalidKeyError, not an all-zero secret', () => {
      expect(() => rawScalarMultU(alg, 12345n, 0n)).toThrow(InvalidKeyError);
      expect(() => rawScalarMultU(alg, 12345n, 0n)).toThrow(/"peerPublicKey"/);
    });
  });
});

describe('X448 base multiplication through the Ed448 isogeny', () => {
  it('agrees with the independent ladder on u and lands on the curve, for any scalar (property)', () => {
    const { Fp, A, q } = CURVE448;
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 448n) - 1n }), (k) => {
        fc.pre(k % q !== 0n);
        const point = baseMultiply('X448', k);
        expect(point).not.toBeNull();
        const { u, v } = point!;
        expect(toHex(bigIntToBytesLE(u, 56))).toBe(toHex(rawScalarMultU('X448', k, CURVE448.u0)));
        expect(Fp.sqr(v)).toBe(Fp.add(Fp.add(Fp.mul(Fp.sqr(u), u), Fp.mul(A, Fp.sqr(u))), u));
      }),
      { numRuns: 25 },
    );
  });

  it('maps k and q − k to the same u with opposite v', () => {
    const k = 0x1234567890abcdefn;
    const a = baseMultiply('X448', k)!;
    const b = baseMultiply('X448', CURVE448.q - k)!;
    expect(a.u).toBe(b.u);
    expect(CURVE448.Fp.add(a.v, b.v)).toBe(0n);
  });
});
