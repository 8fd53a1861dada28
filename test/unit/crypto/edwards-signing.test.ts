/**
 * @module test/unit/crypto/edwards-signing
 * Own RFC 8032 signing from (scalar, prefix) against node:crypto and noble, and the
 * public-input checks that keep every verifier's answer the same (docs/mesh-compatibility.md §2.1, §4.2).
 */
import { createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bigIntToBytesLE, concat, toHex } from '../../../src/crypto/bytes.js';
import { InvalidKeyError } from '../../../src/crypto/errors.js';
import {
  assertEdwardsPublicKey,
  edwardsCurve,
  expandSecret,
  isWellFormedSignature,
  publicFromScalar,
  signWithScalar,
  verifyWithNoble,
  type EdwardsAlgorithm,
} from '../../../src/crypto/edwards-signing.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const RFC_SECRET: Record<EdwardsAlgorithm, number> = { Ed448: 57, Ed25519: 32 };

describe.each(['Ed448', 'Ed25519'] as const)('%s', (alg) => {
  const c = edwardsCurve(alg);
  const secretArb = fc.uint8Array({ minLength: RFC_SECRET[alg], maxLength: RFC_SECRET[alg] });

  it('expansion + own signing of an RFC 8032 secret is byte-identical to node:crypto', () => {
    fc.assert(
      fc.property(secretArb, fc.uint8Array({ maxLength: 200 }), (secret, message) => {
        const { scalar, prefix } = expandSecret(alg, secret);
        const pub = publicFromScalar(alg, scalar);
        const key = createPrivateKey({ key: { kty: 'OKP', crv: alg, d: b64(secret), x: b64(pub) }, format: 'jwk' });
        const nodePub = createPublicKey(key).export({ format: 'jwk' }).x;
        expect(b64(pub)).toBe(nodePub);
        const own = signWithScalar(alg, scalar, prefix, pub, message);
        expect(toHex(own)).toBe(toHex(new Uint8Array(nodeSign(null, message, key))));
      }),
      { numRuns: 10 },
    );
  });

  it('signatures are well formed and noble agrees they verify', () => {
    fc.assert(
      fc.property(secretArb, fc.uint8Array({ maxLength: 100 }), (secret, message) => {
        const { scalar, prefix } = expandSecret(alg, secret);
        const pub = publicFromScalar(alg, scalar);
        const sig = signWithScalar(alg, scalar, prefix, pub, message);
        expect(isWellFormedSignature(alg, sig)).toBe(true);
        expect(verifyWithNoble(alg, pub, message, sig)).toBe(true);
      }),
      { numRuns: 5 },
    );
  });

  it('S ≥ L, a wrong length or a small-order R makes a signature malformed', () => {
    const { scalar, prefix } = expandSecret(alg, new Uint8Array(RFC_SECRET[alg]).fill(7));
    const pub = publicFromScalar(alg, scalar);
    const sig = signWithScalar(alg, scalar, prefix, pub, Uint8Array.of(1, 2, 3));
    const S = sig.subarray(c.length);
    let s = 0n;
    for (let i = S.length - 1; i >= 0; i--) s = (s << 8n) | BigInt(S[i] as number);
    const malleated = concat(sig.subarray(0, c.length), bigIntToBytesLE(s + c.q, c.length));
    expect(isWellFormedSignature(alg, malleated)).toBe(false);
    expect(isWellFormedSignature(alg, sig.subarray(1))).toBe(false);
    const identityR = new Uint8Array(c.length);
    identityR[0] = 1;
    expect(isWellFormedSignature(alg, concat(identityR, S))).toBe(false);
  });

  it('public keys: small order, non-canonical or off-curve are InvalidKeyError naming the argument', () => {
    const identity = new Uint8Array(c.length);
    identity[0] = 1;
    expect(() => assertEdwardsPublicKey(alg, identity, 'publicKey')).toThrow(InvalidKeyError);
    expect(() => assertEdwardsPublicKey(alg, identity, 'publicKey')).toThrow(/"publicKey" is a small-order/);
    const nonCanonical = new Uint8Array(c.length).fill(0xff);
    nonCanonical[c.length - 1] = alg === 'Ed448' ? 0x00 : 0x7f;
    expect(() => assertEdwardsPublicKey(alg, nonCanonical, 'publicKey')).toThrow(/"publicKey" is not a canonical/);
    expect(() => assertEdwardsPublicKey(alg, new Uint8Array(5), 'publicKey')).toThrow(
      /"publicKey" expected .* got length=5/,
    );
    // The first small y for which no x exists: a point that is off the curve.
    const offCurve = new Uint8Array(c.length);
    for (let y = 2; ; y++) {
      offCurve[0] = y;
      try {
        (alg === 'Ed448' ? ed448 : ed25519).Point.fromBytes(offCurve);
      } catch {
        break;
      }
    }
    expect(() => assertEdwardsPublicKey(alg, offCurve, 'publicKey')).toThrow(InvalidKeyError);
    expect(() => assertEdwardsPublicKey(alg, offCurve, 'publicKey')).toThrow(/"publicKey" is not a point/);
  });
});

describe('Ed448 from a 56-byte Mesh secret (docs/mesh-compatibility.md §2.1)', () => {
  it('expands with SHAKE256(secret56, 114) and clamps b0 &= 0xFC, b55 |= 0x80, b56 = 0', () => {
    const { scalar } = expandSecret('Ed448', new Uint8Array(56));
    const bytes = bigIntToBytesLE(scalar, 57);
    expect((bytes[0] as number) & 0x03).toBe(0);
    expect((bytes[55] as number) & 0x80).toBe(0x80);
    expect(bytes[56]).toBe(0);
  });
  it('rejects other secret lengths naming "secret"', () => {
    expect(() => expandSecret('Ed448', new Uint8Array(32))).toThrow(InvalidKeyError);
    expect(() => expandSecret('Ed448', new Uint8Array(32))).toThrow(/"secret"/);
  });
  it('noble verifies what the 56-byte path signs', () => {
    const { scalar, prefix } = expandSecret('Ed448', new Uint8Array(56).fill(3));
    const pub = publicFromScalar('Ed448', scalar);
    const msg = new Uint8Array(64).fill(9);
    expect(ed448.verify(signWithScalar('Ed448', scalar, prefix, pub, msg), msg, pub)).toBe(true);
  });
});
