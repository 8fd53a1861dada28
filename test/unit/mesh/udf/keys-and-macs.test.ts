/**
 * @module test/unit/mesh/udf/keys-and-macs
 * Key fingerprints / SPKI DER / OID UDF, SymmetricKeyMac and its verifier, keyed UDFs,
 * fixed-length key and nonce UDFs, SymetricKeyId (docs/mesh-compatibility.md §1.3, §1.4, §2.3).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import {
  InvalidArgumentError,
  InvalidEncodingError,
  InvalidKeyError,
  UnsupportedAlgorithmError,
} from '../../../../src/crypto/errors.js';
import { hmac, sha512 } from '../../../../src/crypto/hash.js';
import { PUBLIC_KEY_LENGTH, type KeyAlgorithm, type PublicKey } from '../../../../src/crypto/key-pair.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { base32Encode } from '../../../../src/mesh/encoding/base32.js';
import { contentDigestUdf } from '../../../../src/mesh/udf/content-digest.js';
import { keyFingerprint, keyFingerprintBytes } from '../../../../src/mesh/udf/key-fingerprint.js';
import { keyedContentUdf, keyStringToKey } from '../../../../src/mesh/udf/keyed-udf.js';
import { nonceUdf } from '../../../../src/mesh/udf/nonce.js';
import { oidUdf } from '../../../../src/mesh/udf/oid-udf.js';
import { spkiDer } from '../../../../src/mesh/udf/spki-der.js';
import { symmetricKeyId } from '../../../../src/mesh/udf/symmetric-key-id.js';
import {
  authenticationKeyUdf,
  encryptionKeyUdf,
  newAuthenticationKeyUdf,
  newEncryptionKeyUdf,
  symmetricKeyData,
} from '../../../../src/mesh/udf/symmetric-key.js';
import {
  leadingBitsEqual,
  symmetricKeyMac,
  symmetricKeyMacBytes,
  symmetricKeyVerifyMac,
} from '../../../../src/mesh/udf/symmetric-mac.js';
import { dashed, parseUdf } from '../../../../src/mesh/udf/udf.js';

const algs: KeyAlgorithm[] = ['Ed448', 'X448', 'Ed25519', 'X25519'];
const arbKey = fc
  .constantFrom(...algs)
  .chain((alg) =>
    fc
      .uint8Array({ minLength: PUBLIC_KEY_LENGTH[alg], maxLength: PUBLIC_KEY_LENGTH[alg] })
      .map((publicKey) => ({ alg, publicKey })),
  );

describe('SPKI DER, fingerprints, OID UDF', () => {
  it('DER layout for every curve (docs/mesh-compatibility.md §2.3)', () => {
    const head: Record<KeyAlgorithm, string> = {
      Ed25519: '302e300706032b65700500032300' + '0420',
      Ed448: '3047300706032b65710500033c00' + '0439',
      X448: '3047300706032b656f0500033c00' + '0439',
      X25519: '302f300706032b656e0500032400' + '0421',
    };
    for (const alg of algs) {
      const pub = new Uint8Array(PUBLIC_KEY_LENGTH[alg]).fill(7);
      const der = spkiDer({ alg, publicKey: pub });
      expect(toHex(der)).toBe(head[alg] + toHex(pub));
      expect(der.length).toBe((der[1] as number) + 2);
    }
  });

  it('fingerprint = UDF_SHA2("PKIXKey", DER); longer precisions extend shorter ones', () => {
    fc.assert(
      fc.property(arbKey, (key) => {
        const fp = keyFingerprint(key);
        expect(fp).toBe(contentDigestUdf(spkiDer(key), 'PKIXKey'));
        expect(keyFingerprint(key, 200).startsWith(fp)).toBe(true);
        expect(toHex(parseUdf(fp).binary)).toBe(toHex(keyFingerprintBytes(key).subarray(0, 17)));
        const oid = oidUdf(key);
        expect(toHex(parseUdf(oid).binary)).toBe(toHex(concat(Uint8Array.of(0x70), spkiDer(key))));
        expect(oid[0]).toBe('O');
      }),
      { numRuns: 40 },
    );
  });

  it('wrong public-key length is InvalidKeyError naming the argument', () => {
    for (const alg of algs) {
      const key = { alg, publicKey: new Uint8Array(PUBLIC_KEY_LENGTH[alg] - 1) };
      expect(() => keyFingerprint(key)).toThrow(InvalidKeyError);
      expect(() => keyFingerprint(key)).toThrow(/"key\.publicKey"/);
      expect(() => oidUdf(key)).toThrow(InvalidKeyError);
      expect(() => keyFingerprintBytes(key)).toThrow(/expected \d+ bytes for/);
    }
    // X448 must be the 57-byte signed form, not the 56-byte RFC 7748 u.
    expect(() => keyFingerprint({ alg: 'X448', publicKey: new Uint8Array(56) })).toThrow(
      /"key\.publicKey" expected 57/,
    );
    expect(() => keyFingerprint({ alg: 'X25519', publicKey: new Uint8Array(32) })).toThrow(/expected 33/);
    expect(() => keyFingerprint({ alg: 'Ed448', publicKey: 'x' } as unknown as PublicKey)).toThrow(InvalidKeyError);
  });

  it('unknown algorithm is UnsupportedAlgorithmError naming key.alg', () => {
    const key = { alg: 'P256', publicKey: new Uint8Array(65) } as unknown as PublicKey;
    expect(() => spkiDer(key)).toThrow(UnsupportedAlgorithmError);
    expect(() => spkiDer(key)).toThrow(/"key\.alg"/);
  });
});

describe('SymmetricKeyMac / SymmetricKeyVerifyMac', () => {
  const key = encryptionKeyUdf(new Uint8Array(32).fill(9));

  it('MAC keyed by the parsed BDS, presented as an A UDF', () => {
    const data = utf8('alice@example.com');
    const mac = hmac('sha512', new Uint8Array(32).fill(9), data);
    expect(toHex(symmetricKeyMacBytes(data, key))).toBe(toHex(mac));
    expect(symmetricKeyMac(data, key)).toBe(dashed(base32Encode(concat(Uint8Array.of(0), mac), 140)));
  });

  it('type 0x01 keys use HMAC-SHA3-512 and give type 0x01 UDFs', () => {
    const k1 = presentType(0x01, new Uint8Array(16).fill(3));
    const data = utf8('x');
    const v = symmetricKeyMac(data, k1);
    expect(parseUdf(v).type).toBe(0x01);
    expect(toHex(parseUdf(v).bds)).toBe(toHex(hmac('sha3-512', new Uint8Array(16).fill(3), data).subarray(0, 16)));
    expect(symmetricKeyVerifyMac(v, data, k1, 128)).toBe(true);
  });

  it('verifies the first minBits bits, at any minBits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 128 }), (data, minBits) => {
        const v = symmetricKeyMac(data, key);
        expect(symmetricKeyVerifyMac(v, data, key, minBits)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects another data, a flipped bit inside minBits, a short value, a wrong type, garbage', () => {
    const data = utf8('alice@example.com');
    const v = symmetricKeyMac(data, key, 200);
    expect(symmetricKeyVerifyMac(v, utf8('bob@example.com'), key)).toBe(false);
    const bin = parseUdf(v).binary.slice();
    bin[12] = (bin[12] as number) ^ 0x01; // bit 95 of the BDS
    const flipped = dashed(base32Encode(bin));
    expect(symmetricKeyVerifyMac(flipped, data, key, 96)).toBe(false);
    expect(symmetricKeyVerifyMac(flipped, data, key, 95)).toBe(true);
    expect(symmetricKeyVerifyMac(symmetricKeyMac(data, key, 100), data, key, 125)).toBe(false);
    expect(symmetricKeyVerifyMac('M' + v.slice(1), data, key)).toBe(false);
    expect(symmetricKeyVerifyMac('not a udf!', data, key)).toBe(false);
  });

  it('bad key and bad arguments throw, naming the field', () => {
    expect(() => symmetricKeyMac(utf8('x'), 'MDDK-7N6A-727A-JZNO-STRX')).toThrow(InvalidEncodingError);
    expect(() => symmetricKeyMac(utf8('x'), 'MDDK-7N6A-727A-JZNO-STRX')).toThrow(
      /"key" expected an authenticator or encryption key UDF/,
    );
    expect(() => symmetricKeyMac(utf8('x'), 'AB!D-EFGH')).toThrow(/"key" has a character that is not Base32/);
    expect(() => symmetricKeyMac(utf8('x'), 'A')).toThrow(/"key" is too short/);
    expect(() => symmetricKeyVerifyMac('A', utf8('x'), key, 0)).toThrow(InvalidArgumentError);
    expect(() => symmetricKeyVerifyMac('A', utf8('x'), key, 0)).toThrow(/"minBits"/);
    expect(() => symmetricKeyMac('x' as unknown as Uint8Array, key)).toThrow(/"data"/);
  });

  it('leadingBitsEqual is exact at bit granularity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 63 }), (a, bit) => {
        const b = a.slice();
        b[bit >> 3] = (b[bit >> 3] as number) ^ (0x80 >> (bit & 7));
        expect(leadingBitsEqual(a, b, bit)).toBe(true);
        expect(leadingBitsEqual(a, b, bit + 1)).toBe(false);
      }),
    );
  });
});

function presentType(type: number, bytes: Uint8Array): string {
  return dashed(base32Encode(concat(Uint8Array.of(type), bytes)));
}

describe('keyed content UDF', () => {
  it('is 0x00 ‖ HMAC(OKM(key), ct ‖ ":" ‖ SHA512(data))', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), fc.string({ minLength: 1, maxLength: 20 }), (data, keyString) => {
        const mac = hmac('sha512', keyStringToKey(keyString), concat(utf8('text/plain:'), sha512(data)));
        expect(keyedContentUdf(data, 'text/plain', keyString)).toBe(
          dashed(base32Encode(concat(Uint8Array.of(0), mac), 140)),
        );
      }),
      { numRuns: 30 },
    );
  });
  it('bad arguments name the field', () => {
    expect(() => keyedContentUdf(utf8('x'), 'text/plain', '')).toThrow(/"keyString"/);
    expect(() => keyedContentUdf(utf8('x'), 'text/plain', 'k', 500)).toThrow(/"bits"/);
    expect(() => keyedContentUdf(utf8('x'), null as unknown as string, 'k')).toThrow(/"contentType"/);
  });
});

describe('fixed-length key and nonce UDFs (docs/mesh-compatibility.md §1.4)', () => {
  it('EncryptionKey: 0x20 ‖ key at 8·(len+1) bits; 15 bytes = 26 chars, 32 bytes = 53', () => {
    expect(encryptionKeyUdf(new Uint8Array(15)).replace(/-/g, '')).toHaveLength(26);
    expect(encryptionKeyUdf(new Uint8Array(32)).replace(/-/g, '')).toHaveLength(53);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (key) => {
        const udf = encryptionKeyUdf(key);
        expect(udf[0]).toBe('E');
        expect(toHex(symmetricKeyData(udf))).toBe(toHex(key));
        const a = parseUdf(authenticationKeyUdf(key));
        expect(a.type).toBe(0);
        expect(toHex(a.bds)).toBe(toHex(key));
      }),
    );
  });

  it('random PINs: 120 bits = 26 chars, 80 bits = 18 chars, type 0x00, random injected', () => {
    const pin = newAuthenticationKeyUdf(seededRandom(1));
    expect(pin.replace(/-/g, '')).toHaveLength(26);
    expect(pin[0]).toBe('A');
    expect(newAuthenticationKeyUdf(seededRandom(1))).toBe(pin);
    expect(newAuthenticationKeyUdf(seededRandom(1), 80).replace(/-/g, '')).toHaveLength(18);
    expect(toHex(parseUdf(pin).bds)).toBe(toHex(seededRandom(1)(15)));
    expect(newEncryptionKeyUdf(seededRandom(2)).replace(/-/g, '')).toHaveLength(28);
    expect(() => newAuthenticationKeyUdf(seededRandom(1), 4)).toThrow(/"bits"/);
    expect(() => newAuthenticationKeyUdf(() => new Uint8Array(3), 120)).toThrow(/"random output"/);
  });

  it('nonce: 0x68 ‖ 17 random bytes, 28 characters', () => {
    let asked = 0;
    const n = nonceUdf((len) => {
      asked = len;
      return new Uint8Array(len).fill(0xab);
    });
    expect(asked).toBe(17);
    expect(n.replace(/-/g, '')).toHaveLength(28);
    expect(n[0]).toBe('N');
    expect(parseUdf(n).type).toBe(0x68);
    expect(toHex(parseUdf(n).bds)).toBe('ab'.repeat(16));
    expect(() => nonceUdf(seededRandom(1), 0)).toThrow(/"bits"/);
  });

  it('symmetricKeyData rejects other types and short keys, naming the field', () => {
    expect(() => symmetricKeyData('AAJP-KPYV-NSB4-GIYL-AM')).toThrow(InvalidEncodingError);
    expect(() => symmetricKeyData('AAJP-KPYV-NSB4-GIYL-AM', 'connectKey')).toThrow(
      /"connectKey" expected an encryption key UDF/,
    );
    expect(() => symmetricKeyData(encryptionKeyUdf(new Uint8Array(4)), 'k', 8)).toThrow(
      /"k" expected at least 8 key bytes/,
    );
    expect(() => encryptionKeyUdf(new Uint8Array(0))).toThrow(/"key"/);
  });
});

describe('SymetricKeyId (docs/mesh-compatibility.md §1.4)', () => {
  it('= present(0x20 ‖ (0x60+c) ‖ SHA512("UDFEncryption:" ‖ key), 140): starts EBQ', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (key) => {
        const id = symmetricKeyId(key);
        const t = sha512(concat(utf8('UDFEncryption:'), key));
        expect(id.startsWith('EB')).toBe(true);
        if (t[63] !== 0) {
          expect(id.startsWith('EBQ')).toBe(true);
          expect(id).toBe(dashed(base32Encode(concat(Uint8Array.of(0x20, 0x60), t), 140)));
        }
      }),
    );
  });
});
