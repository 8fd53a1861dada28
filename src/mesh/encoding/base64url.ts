/**
 * @module mesh/encoding/base64url
 * Base64url without padding (RFC 4648 §5), as DARE and the Mesh JSON use it. The reader
 * skips white space and '=' so the line-wrapped values printed in the drafts decode
 * (docs/mesh-compatibility.md §4.1, §14.3); any other stray character is an error naming its position.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  // Accept the standard alphabet too: some tools emit it.
  table['+'.charCodeAt(0)] = 62;
  table['/'.charCodeAt(0)] = 63;
  return table;
})();

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18] as string;
    out += ALPHABET[(n >> 12) & 63] as string;
    out += ALPHABET[(n >> 6) & 63] as string;
    out += ALPHABET[n & 63] as string;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += (ALPHABET[n >> 18] as string) + (ALPHABET[(n >> 12) & 63] as string);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += (ALPHABET[n >> 18] as string) + (ALPHABET[(n >> 12) & 63] as string) + (ALPHABET[(n >> 6) & 63] as string);
  }
  return out;
}

export function base64urlDecode(text: string, what = 'base64url'): Uint8Array {
  if (typeof text !== 'string') {
    throw new InvalidEncodingError(`"${what}" expected a base64url string, got ${typeof text}`, {
      context: { what },
    });
  }
  const out: number[] = [];
  let buffer = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const code = text.charCodeAt(i);
    const value = code < 128 ? (VALUES[code] as number) : -1;
    if (value < 0) {
      if (ch === '=' || /\s/.test(ch)) continue;
      throw new InvalidEncodingError(
        `"${what}" has a character that is not base64url at position ${i}: ${JSON.stringify(ch)}`,
        { context: { what, position: i } },
      );
    }
    buffer = ((buffer << 6) | value) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push((buffer >> count) & 0xff);
    }
  }
  if (count >= 6) {
    // One leftover character carries fewer than 8 bits: a truncated value.
    throw new InvalidEncodingError(`"${what}" has a dangling base64url character (truncated?)`, {
      context: { what },
    });
  }
  return Uint8Array.from(out);
}
