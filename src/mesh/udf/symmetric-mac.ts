/**
 * @module mesh/udf/symmetric-mac
 * SymmetricKeyMac / SymmetricKeyVerifyMac: a MAC over data, keyed by the BDS of a key
 * UDF and presented as an authenticator UDF (docs/mesh-compatibility.md §1.3). PINs, PIN ids and the
 * static-QR claim values (§6.1) are all built from it.
 */
import { assertBytes } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { hmac } from '../../crypto/hash.js';
import { checkDigestBits } from './content-digest.js';
import { DEFAULT_UDF_BITS, UdfType, parseUdfOfType, presentUdf, type ParsedUdf } from './udf.js';

/** Key UDF types SymmetricKeyMac accepts (the reference's switch in UDF.SymmetricKeyMac). */
export const MAC_KEY_TYPES: readonly number[] = [
  UdfType.HmacSha2,
  UdfType.HmacSha3,
  UdfType.EncryptionKey,
  UdfType.EncryptionSignature,
];

interface MacKey {
  readonly key: Uint8Array;
  readonly hash: 'sha512' | 'sha3-512';
  /** Type byte of the resulting authenticator UDF. */
  readonly outputType: number;
}

/** Only a type-0x01 key selects HMAC-SHA3-512; 0x00, 0x20 and 0x21 all use HMAC-SHA2-512. */
function macKey(udfKey: string, what: string): MacKey {
  const parsed: ParsedUdf = parseUdfOfType(udfKey, MAC_KEY_TYPES, 'an authenticator or encryption key UDF', what);
  return parsed.type === UdfType.HmacSha3
    ? { key: parsed.bds, hash: 'sha3-512', outputType: UdfType.HmacSha3 }
    : { key: parsed.bds, hash: 'sha512', outputType: UdfType.HmacSha2 };
}

/** The raw 64-byte MAC that SymmetricKeyMac presents. */
export function symmetricKeyMacBytes(data: Uint8Array, udfKey: string, what = 'key'): Uint8Array {
  assertBytes(data, 'data');
  const { key, hash } = macKey(udfKey, what);
  return hmac(hash, key, data);
}

/**
 * present(type ‖ HMAC(BDS(udfKey), data), bits): the key is the *parsed* BDS, so a
 * 28-character key UDF gives a 16-byte HMAC key (docs/mesh-compatibility.md §6.1).
 */
export function symmetricKeyMac(
  data: Uint8Array,
  udfKey: string,
  bits: number = DEFAULT_UDF_BITS,
  what = 'key',
): string {
  checkDigestBits(bits);
  assertBytes(data, 'data');
  const { key, hash, outputType } = macKey(udfKey, what);
  const mac = hmac(hash, key, data);
  return presentUdf(outputType, mac.subarray(0, mac.length - 1), bits);
}

/**
 * Constant-time check that the first `minBits` bits of `value`'s BDS equal the MAC of
 * `data` (the reference's UDF.Matches). False for a wrong type byte or a value shorter
 * than `minBits`; those facts are not secret. A malformed `value` string is also false,
 * since it comes from the peer; a malformed `udfKey` is a caller error and throws.
 */
export function symmetricKeyVerifyMac(value: string, data: Uint8Array, udfKey: string, minBits = 100): boolean {
  if (!Number.isInteger(minBits) || minBits < 1 || minBits > 504) {
    throw new InvalidArgumentError(`"minBits" expected an integer from 1 to 504, got ${minBits}`, {
      context: { what: 'minBits', actual: minBits },
    });
  }
  const { key, hash, outputType } = macKey(udfKey, 'key');
  assertBytes(data, 'data');
  let parsed: ParsedUdf;
  try {
    parsed = parseUdfOfType(value, [outputType], 'an authenticator UDF', 'value');
  } catch {
    return false;
  }
  if (parsed.bds.length * 8 < minBits) return false;
  return leadingBitsEqual(parsed.bds, hmac(hash, key, data), minBits);
}

/** Constant-time comparison of the first `bits` bits of two byte strings long enough to hold them. */
export function leadingBitsEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  const rest = bits & 7;
  if (a.length * 8 < bits || b.length * 8 < bits) return false;
  let diff = 0;
  for (let i = 0; i < whole; i++) diff |= (a[i] as number) ^ (b[i] as number);
  if (rest !== 0) {
    const mask = (0xff << (8 - rest)) & 0xff;
    diff |= ((a[whole] as number) ^ (b[whole] as number)) & mask;
  }
  return diff === 0;
}
