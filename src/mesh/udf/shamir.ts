/**
 * @module mesh/udf/shamir
 * Shamir secret sharing over GF(p) with share UDFs 0x90 ‖ (threshold<<4 | (x-1)) ‖ f(x)
 * (udf-13 §4.5, docs/mesh-compatibility.md §1.4, §10 T5). p is the first prime above 2^(8n) for an
 * n-byte secret, from the reference's KeyShareSymmetric.PrimeOffsetNext table
 * (n = 16 gives 2^128+51). Shares are f(x) big-endian, zero-padded to n bytes.
 */
import { assertBytes, bigIntToBytesBE, bytesToBigIntBE, concat } from '../../crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { UdfType, parseUdfOfType, presentUdf } from './udf.js';

/**
 * Offsets d_n with 2^(8n) + d_n the least prime above 2^(8n), n = 1..64 (the reference's
 * PrimeOffsetNext; each entry re-checked prime and minimal by the unit tests).
 */
const PRIME_OFFSET_NEXT: readonly number[] = [
  1, 1, 43, 15, 15, 21, 81, 13, 15, 13, 7, 61, 111, 25, 451, 51, 85, 175, 253, 7, 87, 427, 27, 133, 235, 375, 423, 735,
  357, 115, 81, 297, 175, 57, 45, 127, 61, 37, 91, 27, 15, 241, 231, 55, 105, 127, 115, 231, 207, 181, 37, 235, 163,
  1093, 187, 211, 21, 841, 445, 165, 777, 583, 133, 75,
];

/** Secret sizes the prime table covers: 1..64 bytes (8..512 bits). */
export const MAX_SHAMIR_SECRET_BYTES = PRIME_OFFSET_NEXT.length;
/** The share's first byte holds threshold and x-1 in four bits each; the reference caps both at 15. */
export const MAX_SHAMIR_SHARES = 15;

export interface ShamirShare {
  /** Shares needed to recombine (1..15). */
  readonly threshold: number;
  /** Evaluation point, 1..15. */
  readonly x: number;
  /** f(x), big-endian, exactly as long as the secret. */
  readonly value: Uint8Array;
}

export interface SplitOptions {
  /**
   * Coefficients a1..a(t-1) of f (a0 is the secret), for reproducing published vectors.
   * With these, shares that would overflow n bytes are an error instead of a retry.
   */
  readonly coefficients?: readonly bigint[];
}

/** The modulus for an n-byte secret. */
export function shamirPrime(secretBytes: number): bigint {
  if (!Number.isInteger(secretBytes) || secretBytes < 1 || secretBytes > MAX_SHAMIR_SECRET_BYTES) {
    throw new InvalidArgumentError(
      `"secretBytes" expected an integer from 1 to ${MAX_SHAMIR_SECRET_BYTES}, got ${secretBytes}`,
      { context: { what: 'secretBytes', actual: secretBytes } },
    );
  }
  return (1n << BigInt(8 * secretBytes)) + BigInt(PRIME_OFFSET_NEXT[secretBytes - 1] as number);
}

function mod(a: bigint, p: bigint): bigint {
  const r = a % p;
  return r < 0n ? r + p : r;
}

function modPow(base: bigint, exponent: bigint, p: bigint): bigint {
  let result = 1n;
  let b = mod(base, p);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % p;
    b = (b * b) % p;
  }
  return result;
}

/** f(x) mod p by Horner's rule; coefficients[0] is the constant term. */
export function evaluatePolynomial(coefficients: readonly bigint[], x: bigint, p: bigint): bigint {
  let acc = 0n;
  for (let i = coefficients.length - 1; i >= 0; i--) acc = mod(acc * x + (coefficients[i] as bigint), p);
  return acc;
}

/** A uniform value in [0, p) by rejection: p is just above 2^(8n), so about half the draws pass. */
function randomBelow(p: bigint, secretBytes: number, random: RandomSource): bigint {
  const limit = 1n << BigInt(8 * secretBytes + 1);
  for (;;) {
    const draw = random(secretBytes + 1);
    assertBytes(draw, 'random output', secretBytes + 1);
    const v = bytesToBigIntBE(draw) % limit;
    if (v < p) return v;
  }
}

function checkCounts(threshold: number, count: number): void {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > MAX_SHAMIR_SHARES) {
    throw new InvalidArgumentError(`"threshold" expected an integer from 1 to ${MAX_SHAMIR_SHARES}, got ${threshold}`, {
      context: { what: 'threshold', actual: threshold },
    });
  }
  if (!Number.isInteger(count) || count < threshold || count > MAX_SHAMIR_SHARES) {
    throw new InvalidArgumentError(
      `"count" expected an integer from threshold (${threshold}) to ${MAX_SHAMIR_SHARES}, got ${count}`,
      { context: { what: 'count', actual: count } },
    );
  }
}

/**
 * Splits `secret` into `count` shares, any `threshold` of which recombine it. Shares
 * must fit in n bytes although f(x) < p may not: the reference's retry loop never runs
 * (its condition starts false), so here an overflowing polynomial is redrawn, as
 * docs/mesh-compatibility.md §1.4 requires.
 */
export function splitSecret(
  secret: Uint8Array,
  threshold: number,
  count: number,
  random: RandomSource,
  options: SplitOptions = {},
): ShamirShare[] {
  assertBytes(secret, 'secret');
  const n = secret.length;
  const p = shamirPrime(n);
  checkCounts(threshold, count);
  const limit = 1n << BigInt(8 * n);
  const a0 = bytesToBigIntBE(secret);
  for (;;) {
    let rest: bigint[];
    if (options.coefficients !== undefined) {
      rest = [...options.coefficients];
      if (rest.length !== threshold - 1 || rest.some((c) => typeof c !== 'bigint' || c < 0n || c >= p)) {
        throw new InvalidArgumentError(
          `"coefficients" expected ${threshold - 1} integers in [0, p), got ${rest.length}`,
          { context: { what: 'coefficients', expected: threshold - 1, actual: rest.length } },
        );
      }
    } else {
      rest = Array.from({ length: threshold - 1 }, () => randomBelow(p, n, random));
    }
    const polynomial = [a0, ...rest];
    const values = Array.from({ length: count }, (_, i) => evaluatePolynomial(polynomial, BigInt(i + 1), p));
    if (values.every((v) => v < limit)) {
      return values.map((v, i) => ({ threshold, x: i + 1, value: bigIntToBytesBE(v, n) }));
    }
    if (options.coefficients !== undefined) {
      throw new InvalidArgumentError(
        `"coefficients" give a share of ${n * 8 + 1} bits or more, which cannot be encoded`,
        {
          context: { what: 'coefficients' },
        },
      );
    }
  }
}

/** present(0x90 ‖ (threshold<<4 | (x-1)) ‖ f(x), full length). */
export function shareUdf(share: ShamirShare): string {
  checkShare(share, 'share');
  const binary = concat(Uint8Array.of((share.threshold << 4) | (share.x - 1)), share.value);
  return presentUdf(UdfType.ShamirShare, binary, 8 * (binary.length + 1));
}

function checkShare(share: ShamirShare, what: string): void {
  if (typeof share !== 'object' || share === null) {
    throw new InvalidArgumentError(`"${what}" expected a share object or UDF string`, { context: { what } });
  }
  if (!Number.isInteger(share.threshold) || share.threshold < 1 || share.threshold > MAX_SHAMIR_SHARES) {
    throw new InvalidArgumentError(`"${what}.threshold" expected 1..${MAX_SHAMIR_SHARES}, got ${share.threshold}`, {
      context: { what: `${what}.threshold`, actual: share.threshold },
    });
  }
  if (!Number.isInteger(share.x) || share.x < 1 || share.x > 16) {
    throw new InvalidArgumentError(`"${what}.x" expected 1..16, got ${share.x}`, {
      context: { what: `${what}.x`, actual: share.x },
    });
  }
  assertBytes(share.value, `${what}.value`);
  if (share.value.length < 1 || share.value.length > MAX_SHAMIR_SECRET_BYTES) {
    throw new InvalidArgumentError(
      `"${what}.value" expected 1..${MAX_SHAMIR_SECRET_BYTES} bytes, got length=${share.value.length}`,
      { context: { what: `${what}.value`, actual: share.value.length } },
    );
  }
}

/** Parses a share UDF (type 0x90); a zero threshold or an empty value is InvalidEncodingError. */
export function parseShareUdf(udf: string, what = 'share'): ShamirShare {
  const { bds } = parseUdfOfType(udf, [UdfType.ShamirShare], 'a Shamir share UDF', what);
  const first = bds[0] as number;
  const value = bds.slice(1);
  if (value.length < 1 || value.length > MAX_SHAMIR_SECRET_BYTES) {
    throw new InvalidEncodingError(
      `"${what}" expected a share value of 1..${MAX_SHAMIR_SECRET_BYTES} bytes, got ${value.length}`,
      { context: { what, actual: value.length } },
    );
  }
  if (first >> 4 === 0) {
    throw new InvalidEncodingError(`"${what}" has threshold 0`, { context: { what } });
  }
  return { threshold: first >> 4, x: (first & 0x0f) + 1, value };
}

/**
 * Recombines shares (objects or UDF strings) by Lagrange interpolation at 0. All shares
 * must agree on threshold and length, x values must be distinct, and at least threshold
 * of them are needed; the first `threshold` are used. The reference interpolates with
 * every share given but sums only `threshold` terms, which is wrong when more are given.
 */
export function recombineShares(shares: readonly (ShamirShare | string)[]): Uint8Array {
  if (!Array.isArray(shares) || shares.length === 0) {
    throw new InvalidArgumentError('"shares" expected a non-empty array', { context: { what: 'shares' } });
  }
  const parsed = shares.map((s, i) => {
    const what = `shares[${i}]`;
    if (typeof s === 'string') return parseShareUdf(s, what);
    checkShare(s, what);
    return s;
  });
  const first = parsed[0] as ShamirShare;
  const { threshold } = first;
  const n = first.value.length;
  const seen = new Set<number>();
  parsed.forEach((s, i) => {
    if (s.threshold !== threshold) {
      throw new InvalidArgumentError(
        `"shares[${i}]" has threshold ${s.threshold}, expected ${threshold} as in shares[0] (mixed share sets)`,
        { context: { what: `shares[${i}]`, expected: threshold, actual: s.threshold } },
      );
    }
    if (s.value.length !== n) {
      throw new InvalidArgumentError(
        `"shares[${i}]" has ${s.value.length} value bytes, expected ${n} as in shares[0]`,
        {
          context: { what: `shares[${i}]`, expected: n, actual: s.value.length },
        },
      );
    }
    if (seen.has(s.x)) {
      throw new InvalidArgumentError(`"shares[${i}]" repeats x=${s.x}`, { context: { what: `shares[${i}]`, x: s.x } });
    }
    seen.add(s.x);
  });
  if (parsed.length < threshold) {
    throw new InvalidArgumentError(`"shares" expected at least ${threshold} shares, got ${parsed.length}`, {
      context: { what: 'shares', expected: threshold, actual: parsed.length },
    });
  }
  const p = shamirPrime(n);
  const used = parsed.slice(0, threshold);
  let secret = 0n;
  for (const [j, sj] of used.entries()) {
    let numerator = 1n;
    let denominator = 1n;
    const xj = BigInt(sj.x);
    for (const [m, sm] of used.entries()) {
      if (m === j) continue;
      const xm = BigInt(sm.x);
      numerator = mod(numerator * -xm, p);
      denominator = mod(denominator * (xj - xm), p);
    }
    const lagrange = mod(numerator * modPow(denominator, p - 2n, p), p);
    secret = mod(secret + bytesToBigIntBE(sj.value) * lagrange, p);
  }
  if (secret >= 1n << BigInt(8 * n)) {
    throw new InvalidArgumentError(`"shares" are inconsistent: the recombined value does not fit in ${n} bytes`, {
      context: { what: 'shares' },
    });
  }
  return bigIntToBytesBE(secret, n);
}
