/**
 * @module test/unit/mesh/udf/seed-shamir-ids
 * Derived-key seeds (T4 parse), Shamir sharing properties and rejections, EARL ids,
 * MakeID's SHA-3 quirk and canonical UDF text (docs/mesh-compatibility.md §1.4, §1.5, §6.1).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { base32Encode } from '../../../../src/mesh/encoding/base32.js';
import { canonicalUdfString } from '../../../../src/mesh/udf/canonical.js';
import { contentDigestUdf } from '../../../../src/mesh/udf/content-digest.js';
import {
  KeySpecifier,
  derivedKeySeedUdf,
  keySpecifierBytes,
  newDerivedKeySeedUdf,
  parseDerivedKeySeed,
} from '../../../../src/mesh/udf/derived-key-seed.js';
import { earlContentId, earlLocator } from '../../../../src/mesh/udf/earl.js';
import { envelopeId, makeId, responseId } from '../../../../src/mesh/udf/message-id.js';
import {
  MAX_SHAMIR_SECRET_BYTES,
  parseShareUdf,
  recombineShares,
  shamirPrime,
  shareUdf,
  splitSecret,
} from '../../../../src/mesh/udf/shamir.js';
import { encryptionKeyUdf } from '../../../../src/mesh/udf/symmetric-key.js';
import { dashed, parseUdf } from '../../../../src/mesh/udf/udf.js';

const t4 = JSON.parse(readFileSync(new URL('../../../vectors/udf/t4-seed-udfs.json', import.meta.url), 'utf8'));

describe('derived-key seed UDF', () => {
  it('parses the published T4 seeds', () => {
    for (const s of t4.seeds as { udf: string; specifier: number; ikmHex?: string }[]) {
      const seed = parseDerivedKeySeed(s.udf);
      expect(seed.specifier).toBe(s.specifier);
      expect(seed.secret).toHaveLength(16);
      expect(toHex(seed.ikm)).toBe(toHex(concat(keySpecifierBytes(s.specifier), seed.secret)));
      if (s.ikmHex) expect(toHex(seed.ikm)).toBe(toHex(fromHex(s.ikmHex)));
      expect(derivedKeySeedUdf(seed.specifier, seed.secret)).toBe(s.udf);
    }
  });

  it('KeySpecifier table (docs/mesh-compatibility.md §1.4)', () => {
    expect(KeySpecifier.MeshProfileDevice).toBe(256);
    expect(KeySpecifier.MeshActivationAccount).toBe(0x0103);
    expect(KeySpecifier.MeshActivationService).toBe(261);
    expect(KeySpecifier.RSA4096).toBe(10);
    expect(toHex(keySpecifierBytes(KeySpecifier.MeshActivationAccount))).toBe('0103');
  });

  it('build → parse round trip; 32-byte Mesh seeds are 56 characters starting ZAAQ', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(KeySpecifier)),
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        (specifier, secret) => {
          const udf = derivedKeySeedUdf(specifier, secret);
          const seed = parseDerivedKeySeed(udf);
          expect(seed.specifier).toBe(specifier);
          expect(toHex(seed.secret)).toBe(toHex(secret));
        },
      ),
    );
    const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, seededRandom(5));
    expect(seed.replace(/-/g, '')).toHaveLength(56);
    expect(seed.startsWith('ZAAQ')).toBe(true);
  });

  it('rejects wrong types and short secrets (InvalidEncodingError naming the field)', () => {
    expect(() => parseDerivedKeySeed('MDDK-7N6A-727A-JZNO-STRX')).toThrow(InvalidEncodingError);
    expect(() => parseDerivedKeySeed('MDDK-7N6A-727A-JZNO-STRX')).toThrow(
      /"seed" expected a derived-key seed UDF \(type 0xc8\), got type 0x60/,
    );
    const short = dashed(base32Encode(concat(Uint8Array.of(0xc8, 1, 0), new Uint8Array(15))));
    expect(() => parseDerivedKeySeed(short, 'deviceSeed')).toThrow(InvalidEncodingError);
    expect(() => parseDerivedKeySeed(short, 'deviceSeed')).toThrow(
      /"deviceSeed" expected a specifier and at least 16 secret bytes/,
    );
    expect(() => parseDerivedKeySeed('ZAAQ-A')).toThrow(/"seed"/);
    expect(() => parseDerivedKeySeed('ZAAQ-AO3M-?')).toThrow(/"seed" has a character that is not Base32/);
    expect(() => derivedKeySeedUdf(256, new Uint8Array(15))).toThrow(InvalidArgumentError);
    expect(() => derivedKeySeedUdf(256, new Uint8Array(15))).toThrow(/"secret"/);
    expect(() => derivedKeySeedUdf(70000, new Uint8Array(16))).toThrow(/"specifier"/);
  });
});

/** Probable-prime test (Miller-Rabin, fixed bases) used to re-check the reference's prime table. */
function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}
function probablePrime(n: bigint): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let ok = false;
    for (let i = 1; i < s; i++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        ok = true;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

describe('Shamir secret sharing', () => {
  it('each prime is prime and the least above 2^(8n) (Fermat bases 2 and 3 prove the gaps composite)', () => {
    for (let n = 1; n <= MAX_SHAMIR_SECRET_BYTES; n++) {
      const base = 1n << BigInt(8 * n);
      const p = shamirPrime(n);
      expect(probablePrime(p), `n=${n}`).toBe(true);
      for (let c = base + 1n; c < p; c += 2n) {
        // 2^32+1 is a base-2 Fermat pseudoprime, hence the second base.
        const composite = modPow(2n, c - 1n, c) !== 1n || modPow(3n, c - 1n, c) !== 1n;
        expect(composite, `2^(8*${n})+${c - base} passes Fermat`).toBe(true);
      }
    }
  });

  it('split → recombine for random secrets and random subsets of size >= threshold', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc
          .integer({ min: 1, max: 15 })
          .chain((count) => fc.tuple(fc.constant(count), fc.integer({ min: 1, max: count }), fc.integer())),
        fc.integer(),
        (secret, [count, threshold, pick], seed) => {
          const shares = splitSecret(secret, threshold, count, seededRandom(seed));
          expect(shares).toHaveLength(count);
          const udfs = shares.map(shareUdf);
          for (const [i, u] of udfs.entries()) {
            const parsed = parseShareUdf(u);
            expect(parsed.x).toBe(i + 1);
            expect(parsed.threshold).toBe(threshold);
            expect(toHex(parsed.value)).toBe(toHex(shares[i]!.value));
            expect(parsed.value).toHaveLength(secret.length);
            expect(u[0]).toBe('S');
          }
          // A deterministic pseudo-random subset of size >= threshold, in shuffled order.
          const rnd = seededRandom(pick);
          const order = [...udfs.keys()].sort(() => ((rnd(1)[0] as number) & 1 ? 1 : -1));
          const size = threshold + ((rnd(1)[0] as number) % (count - threshold + 1));
          const subset = order.slice(0, size).map((i) => udfs[i]!);
          expect(toHex(recombineShares(subset))).toBe(toHex(secret));
          expect(toHex(recombineShares(order.slice(0, size).map((i) => shares[i]!)))).toBe(toHex(secret));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('an overflowing polynomial is redrawn (random) or rejected (injected coefficients)', () => {
    // 1-byte secret: p = 257; secret 0xff with a1 = 1 gives f(1) = 256, which needs 9 bits.
    const secret = Uint8Array.of(0xff);
    expect(() => splitSecret(secret, 2, 2, seededRandom(1), { coefficients: [1n] })).toThrow(InvalidArgumentError);
    expect(() => splitSecret(secret, 2, 2, seededRandom(1), { coefficients: [1n] })).toThrow(/"coefficients"/);
    const draws = [Uint8Array.of(0, 1), Uint8Array.of(0, 0)];
    const shares = splitSecret(secret, 2, 2, () => draws.shift()!);
    expect(draws).toHaveLength(0); // the first polynomial was rejected
    expect(shares.map((s) => toHex(s.value))).toEqual(['ff', 'ff']);
  });

  it('rejects bad split arguments, naming them', () => {
    const s = new Uint8Array(16);
    expect(() => splitSecret(s, 0, 3, seededRandom(1))).toThrow(/"threshold"/);
    expect(() => splitSecret(s, 4, 3, seededRandom(1))).toThrow(/"count"/);
    expect(() => splitSecret(s, 2, 16, seededRandom(1))).toThrow(/"count"/);
    expect(() => splitSecret(new Uint8Array(65), 2, 3, seededRandom(1))).toThrow(/"secretBytes"/);
    expect(() => splitSecret(new Uint8Array(0), 2, 3, seededRandom(1))).toThrow(/"secretBytes"/);
    expect(() => splitSecret(s, 3, 3, seededRandom(1), { coefficients: [1n] })).toThrow(/"coefficients"/);
  });

  it('rejects too few shares, mixed thresholds, mixed lengths, duplicate x, bad share UDFs', () => {
    const a = splitSecret(new Uint8Array(16).fill(1), 3, 5, seededRandom(1)).map(shareUdf);
    const b = splitSecret(new Uint8Array(16).fill(1), 2, 5, seededRandom(2)).map(shareUdf);
    const c = splitSecret(new Uint8Array(8).fill(1), 3, 5, seededRandom(3)).map(shareUdf);
    const expectArg = (f: () => unknown, re: RegExp) => {
      expect(f).toThrow(InvalidArgumentError);
      expect(f).toThrow(re);
    };
    expectArg(() => recombineShares(a.slice(0, 2)), /"shares" expected at least 3 shares, got 2/);
    expectArg(() => recombineShares([a[0]!, a[1]!, b[2]!]), /"shares\[2\]" has threshold 2, expected 3/);
    expectArg(() => recombineShares([a[0]!, a[1]!, c[2]!]), /"shares\[2\]" has 8 value bytes, expected 16/);
    expectArg(() => recombineShares([a[0]!, a[1]!, a[1]!]), /"shares\[2\]" repeats x=2/);
    expectArg(() => recombineShares([]), /"shares" expected a non-empty array/);
    const expectEnc = (f: () => unknown, re: RegExp) => {
      expect(f).toThrow(InvalidEncodingError);
      expect(f).toThrow(re);
    };
    expectEnc(
      () => recombineShares([a[0]!, 'MDDK-7N6A-727A-JZNO-STRX', a[2]!]),
      /"shares\[1\]" expected a Shamir share UDF \(type 0x90\), got type 0x60/,
    );
    expectEnc(
      () => recombineShares([a[0]!, 'SAYC-UW4N-56UI-VTTZ-62UN-J6FP-ET*3-O']),
      /"shares\[1\]" has a character that is not Base32/,
    );
    expectEnc(
      () => parseShareUdf(dashed(base32Encode(Uint8Array.of(0x90, 0x30)))),
      /"share" expected a share value of 1\.\.64 bytes, got 0/,
    );
    expectEnc(() => parseShareUdf(dashed(base32Encode(Uint8Array.of(0x90, 0x02, 1, 2)))), /"share" has threshold 0/);
    expectEnc(() => parseShareUdf('S'), /"share"/);
  });
});

describe('EARL content id', () => {
  it('hashes the canonical key string at min(2·keyBits, 440)', () => {
    const key = encryptionKeyUdf(new Uint8Array(17).fill(5));
    expect(earlContentId(key, 140)).toBe(contentDigestUdf(utf8(key), 'UDFEncryption', { bits: 280 }));
    expect(earlContentId(key, 256)).toBe(contentDigestUdf(utf8(key), 'UDFEncryption', { bits: 440 }));
    expect(earlContentId(` ${key.toLowerCase().replace(/-/g, '')} `, 140)).toBe(earlContentId(key, 140));
    expect(earlLocator('example.com', earlContentId(key))).toBe(
      `https://example.com/.well-known/mmm-udf/${earlContentId(key)}`,
    );
  });
  it('rejects a non-encryption key and bad arguments, naming them', () => {
    expect(() => earlContentId('AAJP-KPYV-NSB4-GIYL-AM')).toThrow(InvalidEncodingError);
    expect(() => earlContentId('AAJP-KPYV-NSB4-GIYL-AM')).toThrow(/"keyUdf" expected an encryption key UDF/);
    expect(() => earlContentId('EADA-YKC5', 0)).toThrow(/"keyBits"/);
    expect(() => earlLocator('exa mple.com', 'MDQK')).toThrow(/"domain"/);
  });
});

describe('MakeID (docs/mesh-compatibility.md §6.1)', () => {
  it('SHA-3 exactly when the id type byte is 0x50; the BDS of the string is hashed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (type, bds) => {
        const id = dashed(base32Encode(concat(Uint8Array.of(type), bds), 140));
        const parsedBds = parseUdf(id).bds;
        const alg = type === 0x50 ? 'SHA3-512' : 'SHA2-512';
        expect(envelopeId(id)).toBe(contentDigestUdf(parsedBds, 'application/mmm/envelopeid', { algorithm: alg }));
        expect(responseId(id)).toBe(contentDigestUdf(parsedBds, 'application/mmm/responseid', { algorithm: alg }));
        expect(envelopeId(id)[0]).toBe(type === 0x50 ? 'K' : 'M');
      }),
      { numRuns: 200 },
    );
    expect(makeId('KAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA', 'x')[0]).toBe('K');
  });
  it('malformed ids name "messageId"', () => {
    expect(() => envelopeId('')).toThrow(InvalidEncodingError);
    expect(() => envelopeId('')).toThrow(/"messageId"/);
    expect(() => responseId('NBF4-4PTH-UTSC-RYHZ-EQMK-BVH7-MU3F!')).toThrow(
      /"messageId" has a character that is not Base32/,
    );
    expect(() => responseId('N')).toThrow(/"messageId" is too short/);
  });
});

describe('canonicalUdfString', () => {
  it('upper case, dash every four, separators ignored', () => {
    expect(canonicalUdfString('mddk 7n6a-727a\tjzno')).toBe('MDDK-7N6A-727A-JZNO');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (b) => {
        const s = dashed(base32Encode(b));
        expect(canonicalUdfString(s.toLowerCase())).toBe(s);
      }),
    );
  });
  it('rejects other characters and empty input, naming the field', () => {
    expect(() => canonicalUdfString('MDDK-0AAA', 'x')).toThrow(InvalidEncodingError);
    expect(() => canonicalUdfString('MDDK-0AAA', 'x')).toThrow(/"x" has a character that is not Base32 at position 5/);
    expect(() => canonicalUdfString('--', 'x')).toThrow(/"x" expected a UDF string/);
  });
});
