import { hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aes256CbcDecrypt, aes256CbcEncrypt, aesKeyUnwrap, aesKeyWrap } from '../../../src/crypto/aes.js';
import {
  assertBytes,
  bigIntToBytesLE,
  bytesToBigIntLE,
  concat,
  equalBytes,
  fromHex,
  toHex,
} from '../../../src/crypto/bytes.js';
import { DecryptionError, InvalidArgumentError, InvalidEncodingError } from '../../../src/crypto/errors.js';
import { hkdf, hkdfExpand, hmacSha256, hmacSha512, sha3_512, sha512, shake256 } from '../../../src/crypto/hash.js';
import { seededRandom, systemRandom } from '../../../src/crypto/random.js';

describe('hash', () => {
  it('computes the FIPS 180 / FIPS 202 "abc" digests', () => {
    const abc = new TextEncoder().encode('abc');
    expect(toHex(sha512(abc)).slice(0, 32)).toBe('ddaf35a193617abacc417349ae204131');
    expect(toHex(sha3_512(abc)).slice(0, 32)).toBe('b751850b1a57168a5693cd924b6b096e');
    expect(shake256(abc, 114)).toHaveLength(114);
  });

  it('reproduces RFC 5869 test case 1 (HKDF-SHA256)', () => {
    const ikm = fromHex('0b'.repeat(22));
    const salt = fromHex('000102030405060708090a0b0c');
    const info = fromHex('f0f1f2f3f4f5f6f7f8f9');
    expect(toHex(hkdf('sha256', ikm, salt, info, 42))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
    const prk = hmacSha256(salt, ikm);
    expect(toHex(hkdfExpand('sha256', prk, info, 42))).toBe(toHex(hkdf('sha256', ikm, salt, info, 42)));
  });

  it('hkdfExpand over HMAC(zeros, ikm) agrees with node:crypto HKDF for any input and length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.integer({ min: 1, max: 300 }),
        (ikm, info, length) => {
          // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
          const expected = toHex(new Uint8Array(hkdfSync('sha512', ikm, new Uint8Array(0), info, length)));
          expect(toHex(hkdf('sha512', ikm, undefined, info, length))).toBe(expected);
          expect(toHex(hkdfExpand('sha512', hmacSha512(new Uint8Array(64), ikm), info, length))).toBe(expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects an HKDF length beyond 255 × HashLen, naming the argument', () => {
    expect(() => hkdf('sha256', new Uint8Array(8), undefined, new Uint8Array(), 255 * 32 + 1)).toThrow(
      InvalidArgumentError,
    );
    expect(() => hkdfExpand('sha512', new Uint8Array(64), new Uint8Array(), 0)).toThrow(/"length"/);
  });
});

describe('aes', () => {
  it('reproduces the RFC 3394 §4.6 vector (256-bit key with a 256-bit KEK)', () => {
    const kek = fromHex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const key = fromHex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
    const wrapped = aesKeyWrap(kek, key);
    expect(toHex(wrapped).toUpperCase()).toBe(
      '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21',
    );
    expect(toHex(aesKeyUnwrap(kek, wrapped))).toBe(toHex(key));
  });

  it('fails a tampered key wrap or ciphertext with the same uniform error', () => {
    const kek = randomBytes(32);
    const wrapped = aesKeyWrap(kek, randomBytes(32));
    wrapped[5]! ^= 1;
    const e1 = (() => {
      try {
        aesKeyUnwrap(kek, wrapped);
      } catch (e) {
        return e as Error;
      }
    })();
    const key = new Uint8Array(randomBytes(32));
    const iv = new Uint8Array(16);
    const ct = aes256CbcEncrypt(key, iv, new TextEncoder().encode('sixteen byte msg and more'));
    const wrongKey = new Uint8Array(randomBytes(32));
    const e2 = (() => {
      try {
        aes256CbcDecrypt(wrongKey, iv, ct);
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(e1).toBeInstanceOf(DecryptionError);
    // A wrong key usually breaks the padding; when it does, the error is the uniform one.
    if (e2 !== undefined) {
      expect(e2).toBeInstanceOf(DecryptionError);
      expect(e2.message).toBe(e1!.message);
    }
  });

  it('round-trips AES-256-CBC for any plaintext length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (pt) => {
        const key = new Uint8Array(32).fill(7);
        const iv = new Uint8Array(16).fill(9);
        const ct = aes256CbcEncrypt(key, iv, pt);
        expect(ct.length % 16).toBe(0);
        expect(toHex(aes256CbcDecrypt(key, iv, ct))).toBe(toHex(pt));
      }),
    );
  });

  it('names the argument when a key has the wrong length', () => {
    expect(() => aes256CbcEncrypt(new Uint8Array(31), new Uint8Array(16), new Uint8Array())).toThrow(
      /"key" expected Uint8Array of length 32, got length=31/,
    );
  });
});

describe('bytes', () => {
  it('converts little-endian integers both ways and rejects overflow', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => {
        expect(bytesToBigIntLE(bigIntToBytesLE(n, 32))).toBe(n);
      }),
    );
    expect(() => bigIntToBytesLE(1n << 64n, 8)).toThrow(InvalidArgumentError);
  });

  it('compares, concatenates and checks arguments', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 3))).toBe(false);
    expect(toHex(concat(Uint8Array.of(1), Uint8Array.of(), Uint8Array.of(2, 3)))).toBe('010203');
    expect(() => assertBytes('x', 'publicKey')).toThrow(/"publicKey" expected Uint8Array, got type=string/);
    expect(() => fromHex('abc', 'seed')).toThrow(InvalidEncodingError);
  });

  it('draws random bytes from the system and reproducibly from a seed', () => {
    expect(systemRandom(70000)).toHaveLength(70000);
    expect(toHex(seededRandom(5)(16))).toBe(toHex(seededRandom(5)(16)));
    expect(toHex(seededRandom(5)(16))).not.toBe(toHex(seededRandom(6)(16)));
  });
});
