/**
 * @module test/unit/mesh/udf/content-digest
 * Compression typing on synthetic TCDVs (searching for real zero-tailed digests is too
 * slow), precision bounds and present→parse round trips (docs/mesh-compatibility.md §1.2).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import { InvalidArgumentError } from '../../../../src/crypto/errors.js';
import { sha3_512, sha512 } from '../../../../src/crypto/hash.js';
import {
  contentDigestUdf,
  contentDigestUdfBytes,
  contentDigestUdfOfDigest,
  typedContentDigest,
  udfBinaryOfDigest,
  udfCompression,
} from '../../../../src/mesh/udf/content-digest.js';
import { parseUdf } from '../../../../src/mesh/udf/udf.js';

/** A 64-byte TCDV of 0xFF with the last `zeroBytes` bytes zero, then `tweak` applied. */
function tcdv(zeroBytes: number, tweak: (b: Uint8Array) => void = () => {}): Uint8Array {
  const b = new Uint8Array(64).fill(0xff);
  b.fill(0, 64 - zeroBytes);
  tweak(b);
  return b;
}

describe('udfCompression (reference UDF.GetCompression)', () => {
  it('0 unless at least 20 trailing zero bits', () => {
    expect(udfCompression(tcdv(0))).toBe(0);
    expect(udfCompression(tcdv(2))).toBe(0); // 16 zero bits, b61 low nibble set
    expect(udfCompression(tcdv(2, (b) => (b[61] = 0xf8)))).toBe(0); // 19 zero bits
  });
  it('1 for 20..29 trailing zero bits', () => {
    expect(udfCompression(tcdv(2, (b) => (b[61] = 0xf0)))).toBe(1); // exactly 20
    expect(udfCompression(tcdv(3, (b) => (b[60] = 0xe0)))).toBe(1); // 29 zero bits
  });
  it('2 for >= 30 zero bits until bytes 58-60 are all zero', () => {
    expect(udfCompression(tcdv(3, (b) => (b[60] = 0xc0)))).toBe(2); // 30 zero bits
    expect(udfCompression(tcdv(5))).toBe(2); // 40 zero bits: the reference still needs b58
    expect(udfCompression(tcdv(5, (b) => (b[58] = 1)))).toBe(2);
  });
  it("3 from 48 zero bits, and the reference's inverted level-4 test", () => {
    expect(udfCompression(tcdv(6))).toBe(3); // b57 = 0xff
    expect(udfCompression(tcdv(7, (b) => (b[56] = 0xfc)))).toBe(3); // (b56 & 3) == 0 -> 3 (inverted)
    expect(udfCompression(tcdv(64))).toBe(3); // all zero: the reference says 3, not 4
    expect(udfCompression(tcdv(7, (b) => (b[56] = 0x01)))).toBe(4); // b57 == 0, (b56 & 3) != 0
  });
  it('needs exactly 64 bytes, naming "tcdv"', () => {
    expect(() => udfCompression(new Uint8Array(63))).toThrow(InvalidArgumentError);
    expect(() => udfCompression(new Uint8Array(63))).toThrow(/"tcdv"/);
  });
  it('the compression level goes into the type byte, nothing is stripped', () => {
    // A digest input whose TCDV is unknown to us cannot be forced; instead check the
    // plumbing on a real input: type = base + level, BDS = TCDV[0..62].
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom('SHA2-512' as const, 'SHA3-512' as const),
        (data, alg) => {
          const digest = alg === 'SHA2-512' ? sha512(data) : sha3_512(data);
          const t = typedContentDigest(digest, 'text/plain', alg);
          const bytes = contentDigestUdfBytes(data, 'text/plain', alg);
          expect(bytes[0]).toBe((alg === 'SHA2-512' ? 0x60 : 0x50) + udfCompression(t));
          expect(toHex(bytes.subarray(1))).toBe(toHex(t.subarray(0, 63)));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('contentDigestUdf', () => {
  it('TCDV is H(ct ‖ ":" ‖ H(data)) with the same H', () => {
    const data = utf8('hello');
    expect(toHex(typedContentDigest(sha3_512(data), 'x/y', 'SHA3-512'))).toBe(
      toHex(sha3_512(concat(utf8('x/y:'), sha3_512(data)))),
    );
    expect(contentDigestUdfOfDigest(sha512(data), 'x/y')).toBe(contentDigestUdf(data, 'x/y'));
    expect(toHex(udfBinaryOfDigest(sha512(data), 'x/y'))).toBe(toHex(contentDigestUdfBytes(data, 'x/y')));
  });

  it('SHA-3 UDFs start with K, SHA-2 with M', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        expect(contentDigestUdf(data, 'text/plain', { algorithm: 'SHA3-512' })[0]).toBe('K');
        expect(contentDigestUdf(data, 'text/plain')[0]).toBe('M');
      }),
      { numRuns: 30 },
    );
  });

  it('present → parse gives a prefix of the 512-bit binary at any precision 8..440', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 8, max: 440 }), (data, bits) => {
        const udf = contentDigestUdf(data, 'application/octet-stream', { bits });
        const chars = udf.replace(/-/g, '');
        expect(chars).toHaveLength(Math.ceil(bits / 5));
        expect(udf).toMatch(/^([A-Z2-7]{4}-)*[A-Z2-7]{1,4}$/);
        const binary = contentDigestUdfBytes(data, 'application/octet-stream');
        const parsed = parseUdf(udf + (bits < 16 ? 'AAAA' : ''));
        if (bits >= 16) expect(toHex(parsed.binary)).toBe(toHex(binary.subarray(0, parsed.binary.length)));
        expect(parsed.type).toBe(binary[0]);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects precisions outside 8..440 and bad arguments, naming them', () => {
    for (const bits of [0, 7, 441, 512, 1.5]) {
      expect(() => contentDigestUdf(utf8('x'), 'text/plain', { bits })).toThrow(InvalidArgumentError);
      expect(() => contentDigestUdf(utf8('x'), 'text/plain', { bits })).toThrow(/"bits"/);
    }
    expect(() => contentDigestUdf('x' as unknown as Uint8Array, 'text/plain')).toThrow(/"data"/);
    expect(() => contentDigestUdf(utf8('x'), 3 as unknown as string)).toThrow(/"contentType"/);
    expect(() => contentDigestUdf(utf8('x'), 'a', { algorithm: 'MD5' as 'SHA2-512' })).toThrow(/"algorithm"/);
  });
});
