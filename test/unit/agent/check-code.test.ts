/**
 * @module test/unit/agent/check-code.test
 * The countable check code: its definition recomputed here independently with
 * node:crypto, separators and case ignored, digits always 1–9 and four of them, a skipped byte
 * ≥ 252, the digits about equally likely, and bad witnesses refused naming the field.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_CODE_DIGITS, checkCode, checkCodeDigits } from '../../../src/agent/check-code.js';
import { InvalidEncodingError } from '../../../src/crypto/errors.js';

const WITNESS = 'NBXW-NVYA-6Q4H-2ZMJ-JH2C-3YQP-E7RD';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The definition in docs/led-and-console.md, written out again without the implementation's helpers. */
function reference(witness: string): string {
  const chars = witness.toUpperCase().replace(/[-\s]/g, '');
  const canonical = chars.match(/.{1,4}/g)?.join('-') ?? '';
  let block = createHash('sha256').update(canonical, 'utf8').digest();
  const digits: number[] = [];
  for (;;) {
    for (const b of block) {
      if (b >= 252) continue;
      digits.push(1 + (b % 9));
      if (digits.length === 4) return digits.join('');
    }
    block = createHash('sha256').update(block).digest();
  }
}

const witnessArb = fc
  .array(fc.constantFrom(...BASE32), { minLength: 28, maxLength: 28 })
  .map((chars) => chars.join('').match(/.{4}/g)!.join('-'));

describe('check code', () => {
  it('is four digits 1–9 from SHA-256 of the canonical witness', () => {
    const code = checkCode(WITNESS);
    expect(code).toMatch(/^[1-9]{4}$/);
    expect(code).toBe(reference(WITNESS));
    // docs/led-and-console.md's worked example: SHA-256 starts f0 83 1d 92 → 240, 131, 29, 146 → 7 6 3 3.
    expect(code).toBe('7633');
    expect(checkCodeDigits(WITNESS).join('')).toBe(code);
    expect(CHECK_CODE_DIGITS).toBe(4);
    // The first digit by hand: the first byte of the digest below 252, mod 9, plus 1.
    const first = [...createHash('sha256').update(WITNESS).digest()].find((b) => b < 252)!;
    expect(checkCodeDigits(WITNESS)[0]).toBe(1 + (first % 9));
  });

  it('ignores case, dashes and spacing, as the witness comparison does', () => {
    const code = checkCode(WITNESS);
    expect(checkCode(WITNESS.toLowerCase())).toBe(code);
    expect(checkCode(WITNESS.replaceAll('-', ''))).toBe(code);
    expect(checkCode(WITNESS.replaceAll('-', ' '))).toBe(code);
    expect(checkCode(` ${WITNESS.slice(0, 7)}${WITNESS.slice(7)} `)).toBe(code);
  });

  it('matches the definition for any witness (property)', () => {
    fc.assert(
      fc.property(witnessArb, (w) => {
        const code = checkCode(w);
        expect(code).toMatch(/^[1-9]{4}$/);
        expect(code).toBe(reference(w));
      }),
      { numRuns: 300 },
    );
  });

  it('skips digest bytes of 252 and above (no digit is favoured)', () => {
    // Find a witness whose digest has a rejected byte among the bytes that make the code.
    let found: string | undefined;
    for (let i = 0; i < 5000 && found === undefined; i++) {
      const w = `AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-${BASE32[i % 32]}${BASE32[(i >> 5) % 32]}${BASE32[(i >> 10) % 32]}A`;
      const digest = [...createHash('sha256').update(w).digest()];
      const used = digest.slice(0, 5);
      if (used.slice(0, 4).some((b) => b >= 252)) found = w;
    }
    expect(found).toBeDefined();
    const digest = [...createHash('sha256').update(found!).digest()];
    const expected = digest
      .filter((b) => b < 252)
      .slice(0, 4)
      .map((b) => 1 + (b % 9))
      .join('');
    expect(checkCode(found!)).toBe(expected);
  });

  it('spreads over the nine digits evenly', () => {
    const counts = new Array<number>(10).fill(0);
    fc.assert(
      fc.property(witnessArb, (w) => {
        for (const d of checkCodeDigits(w)) counts[d] = (counts[d] ?? 0) + 1;
      }),
      { numRuns: 2000, seed: 5 },
    );
    expect(counts[0]).toBe(0);
    const total = 8000;
    for (let d = 1; d <= 9; d++) expect(Math.abs((counts[d] ?? 0) - total / 9)).toBeLessThan(total / 9 / 5);
  });

  it('refuses a witness that is not a UDF string, naming the field', () => {
    expect(() => checkCode('')).toThrow(InvalidEncodingError);
    expect(() => checkCode('')).toThrow(/"witness"/);
    expect(() => checkCode('NBXW-NVYA-1Q4H')).toThrow(InvalidEncodingError);
    expect(() => checkCode('NBXW-NVYA-1Q4H')).toThrow(/"witness" has a character that is not Base32 at position 10/);
  });
});
