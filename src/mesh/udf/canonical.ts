/**
 * @module mesh/udf/canonical
 * Canonical text of a UDF string: upper case, separators removed, a dash after every
 * four characters. Needed where the reference hashes the UDF *string* (EARL ids,
 * ConnectKey, docs/mesh-compatibility.md §1.5 and §6.1): it always hashes its own canonical output,
 * so canonicalising lets lower-case or re-spaced input give the same result.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';
import { dashed } from './udf.js';

const BASE32_CHAR = /^[A-Z2-7]$/;

/** Canonical form of `text`; any character other than Base32, '-' or white space is an error naming `what`. */
export function canonicalUdfString(text: string, what = 'udf'): string {
  if (typeof text !== 'string') {
    throw new InvalidEncodingError(`"${what}" expected a UDF string, got ${typeof text}`, { context: { what } });
  }
  let chars = '';
  for (let i = 0; i < text.length; i++) {
    const c = (text[i] as string).toUpperCase();
    if (BASE32_CHAR.test(c)) chars += c;
    else if (c !== '-' && !/\s/.test(c)) {
      throw new InvalidEncodingError(
        `"${what}" has a character that is not Base32 at position ${i}: ${JSON.stringify(text[i])}`,
        { context: { what, position: i } },
      );
    }
  }
  if (chars.length === 0) {
    throw new InvalidEncodingError(`"${what}" expected a UDF string, got no Base32 characters`, { context: { what } });
  }
  return dashed(chars);
}
