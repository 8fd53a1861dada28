/**
 * @module mesh/encoding/base32
 * RFC 4648 Base32 (A-Z 2-7), MSB first, no padding; a trailing partial group is
 * zero-padded on output and a trailing partial byte is dropped on input
 * (docs/mesh-compatibility.md §1.1, the reference's BaseConvert).
 */
import { InvalidEncodingError } from '../../crypto/errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) {
    table[ALPHABET.charCodeAt(i)] = i;
    table[ALPHABET.toLowerCase().charCodeAt(i)] = i;
  }
  return table;
})();

/** Encodes the first `bits` bits of `bytes` (all of them by default). */
export function base32Encode(bytes: Uint8Array, bits = bytes.length * 8): string {
  const chars = Math.ceil(bits / 5);
  let out = '';
  for (let c = 0; c < chars; c++) {
    const bit = c * 5;
    const index = bit >> 3;
    const shift = bit & 7;
    const word = (((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)) >> (11 - shift);
    out += ALPHABET[word & 31];
  }
  return out;
}

/**
 * Decodes Base32. `-` and white space are separators and skipped. With `lenient`, every
 * other non-alphabet character is skipped too (the reference's behaviour); otherwise it
 * is an error that names the position.
 */
export function base32Decode(text: string, what = 'base32', lenient = false): Uint8Array {
  const out: number[] = [];
  let buffer = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (VALUES[code] as number) : -1;
    if (value < 0) {
      if (lenient || text[i] === '-' || /\s/.test(text[i] as string)) continue;
      throw new InvalidEncodingError(
        `"${what}" has a character that is not Base32 at position ${i}: ${JSON.stringify(text[i])}`,
        { context: { what, position: i } },
      );
    }
    buffer = ((buffer << 5) | value) & 0xfff;
    count += 5;
    if (count >= 8) {
      count -= 8;
      out.push((buffer >> count) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
