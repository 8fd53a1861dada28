/**
 * @module mesh/udf/keyed-udf
 * Keyed (authenticator) content UDF: a content fingerprint that only holders of a key
 * string can compute (udf-13 §5.2, docs/mesh-compatibility.md §1.3 and §10 T2).
 */
import { assertBytes, concat, utf8 } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { hkdfExpand, hmacSha512, sha512 } from '../../crypto/hash.js';
import { checkDigestBits } from './content-digest.js';
import { DEFAULT_UDF_BITS, UdfType, presentUdf } from './udf.js';

/** HKDF salt of the key-string extraction (the reference's KeyDerive.KeyedUDFMaster). */
export const KEYED_UDF_MASTER = 'KeyedUDFMaster';
/** HKDF info of the expansion (KeyDerive.KeyedUDFExpand). */
export const KEYED_UDF_EXPAND = 'KeyedUDFExpand';

/**
 * MAC key of a key string: PRK = HMAC-SHA512("KeyedUDFMaster", UTF8(keyString)),
 * OKM = HKDF-Expand(PRK, "KeyedUDFExpand", 64). The string is used as typed, dashes
 * included (docs/mesh-compatibility.md §1.3): it need not be a UDF at all.
 */
export function keyStringToKey(keyString: string): Uint8Array {
  if (typeof keyString !== 'string' || keyString.length === 0) {
    throw new InvalidArgumentError('"keyString" expected a non-empty string', { context: { what: 'keyString' } });
  }
  const prk = hmacSha512(utf8(KEYED_UDF_MASTER), utf8(keyString));
  return hkdfExpand('sha512', prk, utf8(KEYED_UDF_EXPAND), 64);
}

/**
 * Keyed content UDF: 0x00 ‖ HMAC-SHA512(OKM, UTF8(ct) ‖ ':' ‖ SHA512(data)) at `bits`.
 * Authenticators carry no compression typing (docs/mesh-compatibility.md §1.3).
 */
export function keyedContentUdf(
  data: Uint8Array,
  contentType: string,
  keyString: string,
  bits: number = DEFAULT_UDF_BITS,
): string {
  assertBytes(data, 'data');
  if (typeof contentType !== 'string') {
    throw new InvalidArgumentError(`"contentType" expected a string, got ${typeof contentType}`, {
      context: { what: 'contentType' },
    });
  }
  checkDigestBits(bits);
  const mac = hmacSha512(keyStringToKey(keyString), concat(utf8(contentType), Uint8Array.of(0x3a), sha512(data)));
  return presentUdf(UdfType.HmacSha2, mac.subarray(0, mac.length - 1), bits);
}
