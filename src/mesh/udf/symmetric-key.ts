/**
 * @module mesh/udf/symmetric-key
 * Fixed-length key UDFs: encryption keys (type 0x20, 'E') and authentication keys /
 * PINs (type 0x00, 'A'), presented at full length (docs/mesh-compatibility.md §1.4, the reference's
 * UDF.SymmetricKey).
 */
import { assertBytes } from '../../crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { DEFAULT_UDF_BITS, UdfType, parseUdfOfType, presentUdf } from './udf.js';

/** Default PIN size: HEAD `account pin` defaults to 24 characters = 120 bits (docs/mesh-compatibility.md §1.4). */
export const DEFAULT_PIN_BITS = 120;

/** Largest random key the reference's HKDF-based users can take (512-bit digests). */
const MAX_KEY_BITS = 512;

/** present(type ‖ key, 8·(len+1)): every key byte is shown. */
function keyUdf(type: number, key: Uint8Array, what: string): string {
  assertBytes(key, what);
  if (key.length === 0) {
    throw new InvalidArgumentError(`"${what}" expected at least 1 byte, got length=0`, {
      context: { what, actual: 0 },
    });
  }
  return presentUdf(type, key, 8 * (key.length + 1));
}

function checkKeyBits(bits: number): number {
  if (!Number.isInteger(bits) || bits < 8 || bits > MAX_KEY_BITS) {
    throw new InvalidArgumentError(`"bits" expected an integer from 8 to ${MAX_KEY_BITS}, got ${bits}`, {
      context: { what: 'bits', actual: bits },
    });
  }
  return bits;
}

/**
 * Random key UDF as UDF.SymmetricKey(type, bits): ceil(bits/8) random bytes presented
 * at bits+8, so a 120-bit key is 26 characters and an 80-bit PIN 18.
 */
function randomKeyUdf(type: number, random: RandomSource, bits: number): string {
  checkKeyBits(bits);
  const key = random(Math.ceil(bits / 8));
  assertBytes(key, 'random output', Math.ceil(bits / 8));
  return presentUdf(type, key, bits + 8);
}

/** EncryptionKey(bytes) = present(0x20 ‖ key, 8·(len+1)): 32 bytes give 53 characters. */
export function encryptionKeyUdf(key: Uint8Array): string {
  return keyUdf(UdfType.EncryptionKey, key, 'key');
}

/** A fresh random encryption key UDF (EARL keys); 132 bits = 28 characters by default. */
export function newEncryptionKeyUdf(random: RandomSource, bits: number = DEFAULT_UDF_BITS - 8): string {
  return randomKeyUdf(UdfType.EncryptionKey, random, bits);
}

/** AuthenticationKey(bytes) = present(0x00 ‖ key, 8·(len+1)). */
export function authenticationKeyUdf(key: Uint8Array): string {
  return keyUdf(UdfType.HmacSha2, key, 'key');
}

/** AuthenticationKey(bits): a fresh PIN, 0x00 ‖ random(bits/8); 120 bits = 26 characters. */
export function newAuthenticationKeyUdf(random: RandomSource, bits: number = DEFAULT_PIN_BITS): string {
  return randomKeyUdf(UdfType.HmacSha2, random, bits);
}

/**
 * The key bytes of an encryption key UDF (type 0x20 or 0x21), the reference's
 * SymmetricKeyData. Fewer than `minBytes` bytes is rejected: a truncated key would
 * silently derive different material.
 */
export function symmetricKeyData(udf: string, what = 'key', minBytes = 1): Uint8Array {
  const parsed = parseUdfOfType(
    udf,
    [UdfType.EncryptionKey, UdfType.EncryptionSignature],
    'an encryption key UDF',
    what,
  );
  if (parsed.bds.length < minBytes) {
    throw new InvalidEncodingError(`"${what}" expected at least ${minBytes} key bytes, got ${parsed.bds.length}`, {
      context: { what, expected: minBytes, actual: parsed.bds.length },
    });
  }
  return parsed.bds;
}
