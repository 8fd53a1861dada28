/**
 * @module test/unit/crypto/keys
 * KeyPair contract (src/crypto/key-pair.ts): sign/verify, agree, node:crypto equivalence
 * for standard keys, the T10 published signature, and that private values never show.
 */
import { createPrivateKey, createPublicKey, diffieHellman, sign as nodeSign } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigIntToBytesLE, bytesToBigIntLE, concat, toHex } from '../../../src/crypto/bytes.js';
import { InvalidArgumentError, InvalidKeyError, UnsupportedAlgorithmError } from '../../../src/crypto/errors.js';
import { edwardsCurve, verifyWithNoble } from '../../../src/crypto/edwards-signing.js';
import { PUBLIC_KEY_LENGTH, type KeyAlgorithm } from '../../../src/crypto/key-pair.js';
import { generateKeyPair, keyPairFromSecret, SECRET_LENGTH, verifySignature } from '../../../src/crypto/keys.js';
import { seededRandom } from '../../../src/crypto/random.js';
import t10 from '../../vectors/keys/t10-signature.json' with { type: 'json' };
import t3 from '../../vectors/keys/t3-public-keys.json' with { type: 'json' };

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const SIGNERS = ['Ed448', 'Ed25519'] as const;
const AGREERS = ['X448', 'X25519'] as const;

describe('T10: published reference signature (pure Ed448 over the PayloadDigest)', () => {
  const pub = fromB64(t10.publicKey);
  const digest = fromB64(t10.payloadDigest);
  const sig = fromB64(t10.signature);

  it('verifies with node:crypto and with noble', () => {
    expect(digest.length).toBe(64);
    expect(verifySignature('Ed448', pub, digest, sig)).toBe(true);
    expect(verifyWithNoble('Ed448', pub, digest, sig)).toBe(true);
  });
  it('fails for a changed digest or signature', () => {
    const d = Uint8Array.from(digest);
    d[0] = (d[0] as number) ^ 1;
    expect(verifySignature('Ed448', pub, d, sig)).toBe(false);
    const s = Uint8Array.from(sig);
    s[10] = (s[10] as number) ^ 1;
    expect(verifySignature('Ed448', pub, digest, s)).toBe(false);
  });
  it('a malleated S (S + L) is refused although it satisfies the group equation', () => {
    const L = edwardsCurve('Ed448').q;
    const S = bytesToBigIntLE(sig.subarray(57));
    const malleated = concat(sig.subarray(0, 57), bigIntToBytesLE(S + L, 57));
    expect(verifySignature('Ed448', pub, digest, malleated)).toBe(false);
    expect(verifyWithNoble('Ed448', pub, digest, malleated)).toBe(false);
  });
});

describe('T3 public keys are valid points', () => {
  it.each(t3.keys.map((k) => [k.alg, k]))('%s', (alg, k) => {
    const bytes =
      'hex' in k && k.hex !== undefined ? new Uint8Array(Buffer.from(k.hex, 'hex')) : fromB64(k.b64url as string);
    expect(bytes.length).toBe(PUBLIC_KEY_LENGTH[alg as KeyAlgorithm]);
    if (alg === 'X448') {
      const me = generateKeyPair('X448', seededRandom(5));
      expect(me.agree(bytes).length).toBe(56);
    } else {
      // A key accepted by verifySignature: a wrong signature is false, not a key error.
      expect(verifySignature(alg as KeyAlgorithm, bytes, new Uint8Array(1), new Uint8Array(bytes.length * 2))).toBe(
        false,
      );
    }
  });
});

describe.each(SIGNERS)('%s signing', (alg) => {
  it('round-trips; any change to message or signature fails (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: SECRET_LENGTH[alg], maxLength: SECRET_LENGTH[alg] }),
        fc.uint8Array({ maxLength: 128 }),
        fc.nat(),
        (secret, message, where) => {
          const kp = keyPairFromSecret(alg, secret);
          const sig = kp.sign(message);
          expect(sig.length).toBe(2 * PUBLIC_KEY_LENGTH[alg]);
          expect(verifySignature(alg, kp.publicKey, message, sig)).toBe(true);
          const badSig = Uint8Array.from(sig);
          badSig[where % badSig.length] = (badSig[where % badSig.length] as number) ^ 0x40;
          expect(verifySignature(alg, kp.publicKey, message, badSig)).toBe(false);
          const badMsg = concat(message, Uint8Array.of(0));
          expect(verifySignature(alg, kp.publicKey, badMsg, sig)).toBe(false);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('node:crypto and noble give the same verdict on tampered signatures', () => {
    const kp = generateKeyPair(alg, seededRandom(11));
    const msg = Uint8Array.of(1, 2, 3);
    const sig = kp.sign(msg);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (where, x) => {
        const s = Uint8Array.from(sig);
        s[where % s.length] = (s[where % s.length] as number) ^ x;
        expect(verifySignature(alg, kp.publicKey, msg, s)).toBe(verifyWithNoble(alg, kp.publicKey, msg, s));
      }),
      { numRuns: 30 },
    );
  });

  it('a generated key signs exactly as node:crypto does with the same RFC 8032 secret', () => {
    const length = alg === 'Ed448' ? 57 : 32;
    const secret = seededRandom(3)(length);
    const kp = generateKeyPair(alg, () => Uint8Array.from(secret));
    const key = createPrivateKey({
      key: { kty: 'OKP', crv: alg, d: b64(secret), x: b64(kp.publicKey) },
      format: 'jwk',
    });
    expect(b64(kp.publicKey)).toBe(createPublicKey(key).export({ format: 'jwk' }).x);
    const msg = new Uint8Array(64).fill(0x5a);
    expect(toHex(kp.sign(msg))).toBe(toHex(new Uint8Array(nodeSign(null, msg, key))));
  });

  it('cannot agree', () => {
    const kp = generateKeyPair(alg, seededRandom(1));
    expect(() => kp.agree(kp.publicKey)).toThrow(UnsupportedAlgorithmError);
  });
});

describe.each(AGREERS)('%s agreement', (alg) => {
  const secretArb = fc.uint8Array({ minLength: SECRET_LENGTH[alg], maxLength: SECRET_LENGTH[alg] });

  it('agree(a, B) == agree(b, A) and equals node:crypto (property)', () => {
    fc.assert(
      fc.property(secretArb, secretArb, (sa, sb) => {
        const a = keyPairFromSecret(alg, sa);
        const b = keyPairFromSecret(alg, sb);
        const ab = a.agree(b.publicKey);
        expect(toHex(ab)).toBe(toHex(b.agree(a.publicKey)));
        expect(ab.length).toBe(SECRET_LENGTH[alg]);
        const uLen = SECRET_LENGTH[alg];
        const priv = createPrivateKey({
          key: { kty: 'OKP', crv: alg, d: b64(sa), x: b64(a.publicKey.subarray(0, uLen)) },
          format: 'jwk',
        });
        const pub = createPublicKey({
          key: { kty: 'OKP', crv: alg, x: b64(b.publicKey.subarray(0, uLen)) },
          format: 'jwk',
        });
        expect(toHex(ab)).toBe(toHex(new Uint8Array(diffieHellman({ privateKey: priv, publicKey: pub }))));
      }),
      { numRuns: 8 },
    );
  });

  it('accepts the bare RFC 7748 u as well as the signed encoding', () => {
    const a = generateKeyPair(alg, seededRandom(21));
    const b = generateKeyPair(alg, seededRandom(22));
    expect(toHex(a.agree(b.publicKey.subarray(0, SECRET_LENGTH[alg])))).toBe(toHex(a.agree(b.publicKey)));
  });

  it('cannot sign', () => {
    const kp = generateKeyPair(alg, seededRandom(1));
    expect(() => kp.sign(new Uint8Array(1))).toThrow(UnsupportedAlgorithmError);
  });

  it('bad peer keys are InvalidKeyError naming "peerPublicKey"', () => {
    const kp = generateKeyPair(alg, seededRandom(2));
    const wrongSign = Uint8Array.from(kp.publicKey);
    wrongSign[wrongSign.length - 1] = 0x7f;
    for (const bad of [new Uint8Array(3), wrongSign, new Uint8Array(SECRET_LENGTH[alg] + 1)]) {
      expect(() => kp.agree(bad)).toThrow(InvalidKeyError);
      expect(() => kp.agree(bad)).toThrow(/"peerPublicKey"/);
    }
  });
});

describe('verifySignature argument checks', () => {
  const kp = generateKeyPair('Ed448', seededRandom(9));
  const msg = Uint8Array.of(1);
  const sig = kp.sign(msg);
  it('wrong public key length → InvalidKeyError naming "publicKey"', () => {
    expect(() => verifySignature('Ed448', kp.publicKey.subarray(1), msg, sig)).toThrow(InvalidKeyError);
    expect(() => verifySignature('Ed448', kp.publicKey.subarray(1), msg, sig)).toThrow(/"publicKey"/);
  });
  it('a small-order public key is refused', () => {
    const identity = new Uint8Array(57);
    identity[0] = 1;
    expect(() => verifySignature('Ed448', identity, msg, sig)).toThrow(/"publicKey" is a small-order/);
  });
  it('wrong signature length is a failed verification', () => {
    expect(verifySignature('Ed448', kp.publicKey, msg, sig.subarray(1))).toBe(false);
  });
  it('a Montgomery algorithm or unknown name is UnsupportedAlgorithmError naming "alg"', () => {
    expect(() => verifySignature('X448', kp.publicKey, msg, sig)).toThrow(UnsupportedAlgorithmError);
    expect(() => verifySignature('P256' as KeyAlgorithm, kp.publicKey, msg, sig)).toThrow(/"alg"/);
  });
  it('a non-Uint8Array message is InvalidArgumentError naming "message"', () => {
    expect(() => verifySignature('Ed448', kp.publicKey, 'x' as unknown as Uint8Array, sig)).toThrow(
      InvalidArgumentError,
    );
    expect(() => verifySignature('Ed448', kp.publicKey, 'x' as unknown as Uint8Array, sig)).toThrow(/"message"/);
  });
});

describe('key construction errors', () => {
  it.each(['Ed448', 'X448', 'Ed25519', 'X25519'] as const)('%s: wrong secret length names "secret"', (alg) => {
    expect(() => keyPairFromSecret(alg, new Uint8Array(5))).toThrow(InvalidKeyError);
    expect(() => keyPairFromSecret(alg, new Uint8Array(5))).toThrow(/"secret" expected/);
  });
  it('a short random source is refused', () => {
    expect(() => generateKeyPair('X448', () => new Uint8Array(3))).toThrow(/"random\(length\)"/);
  });
  it('an unknown algorithm names "alg"', () => {
    expect(() => generateKeyPair('RSA' as KeyAlgorithm, seededRandom(1))).toThrow(UnsupportedAlgorithmError);
  });
});

describe('private material stays private', () => {
  it.each(['Ed448', 'X448', 'Ed25519', 'X25519'] as const)(
    '%s: JSON, inspect, keys and spread show only public values',
    (alg) => {
      const secret = new Uint8Array(SECRET_LENGTH[alg]).fill(0xab);
      const kp = keyPairFromSecret(alg, secret);
      const json = JSON.stringify(kp);
      expect(JSON.parse(json)).toEqual({ alg, publicKey: b64(kp.publicKey) });
      const shown =
        inspect(kp, { showHidden: true, depth: 10 }) +
        json +
        JSON.stringify({ ...kp }) +
        Object.getOwnPropertyNames(kp).join();
      expect(shown).not.toMatch(/abab/i);
      expect(shown).not.toMatch(/q6ur/i); // 0xABAB… in base64url
      expect(shown).not.toMatch(/scalar|prefix|secret/i);
    },
  );
  it('the exposed public key is a copy', () => {
    const kp = generateKeyPair('Ed448', seededRandom(4));
    const pk = kp.publicKey;
    pk[0] = (pk[0] as number) ^ 1;
    expect(toHex(kp.publicKey)).not.toBe(toHex(pk));
  });
});
