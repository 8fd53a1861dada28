/**
 * @module crypto/seed-derivation
 * HKDF-SHA512 from a derived-key seed's BDS (keySpecifier(2) ‖ secret) to a key secret.
 * Two variants exist and both are needed (docs/mesh-compatibility.md §2.1, §2.2, §11 item 2):
 * production (salt 64 zero bytes, info = specifier ‖ UTF8(keyName)), which is what the
 * reference's running code does and what interop needs, and the udf-13 §4.4 draft
 * variant (salt = specifier, info = ""), which only its published vectors use.
 */
import { assertBytes, concat, utf8 } from './bytes.js';
import { InvalidArgumentError } from './errors.js';
import { hkdfExpand, hmacSha512 } from './hash.js';

export type SeedVariant = 'production' | 'draft';

/** The intermediate values, exposed so vectors can check each step (T4, T11). */
export interface SeedDerivation {
  readonly ikm: Uint8Array;
  readonly salt: Uint8Array;
  readonly prk: Uint8Array;
  readonly info: Uint8Array;
  readonly okm: Uint8Array;
}

/** RFC 5869 "null salt" for SHA-512: HashLen zero bytes (docs/mesh-compatibility.md §2.1). */
const ZERO_SALT = new Uint8Array(64);

/**
 * Runs the HKDF of the chosen variant. `bds` is the seed UDF without its type byte;
 * its first two bytes are the key specifier. `keyName` is ignored by the draft variant.
 */
export function deriveSeedSecret(
  variant: SeedVariant,
  bds: Uint8Array,
  keyName: string,
  length: number,
): SeedDerivation {
  assertBytes(bds, 'bds');
  if (bds.length < 3) {
    throw new InvalidArgumentError(`"bds" expected a key specifier and a secret, got length=${bds.length}`, {
      context: { what: 'bds', actual: bds.length },
    });
  }
  if (variant !== 'production' && variant !== 'draft') {
    throw new InvalidArgumentError(`"variant" expected production|draft, got ${String(variant)}`, {
      context: { what: 'variant', actual: String(variant) },
    });
  }
  if (!Number.isInteger(length) || length < 1 || length > 255 * 64) {
    throw new InvalidArgumentError(`"length" out of range for HKDF-SHA512: ${length}`, {
      context: { what: 'length', actual: length },
    });
  }
  const specifier = bds.subarray(0, 2);
  let salt: Uint8Array;
  let info: Uint8Array;
  if (variant === 'production') {
    if (typeof keyName !== 'string' || keyName === '') {
      throw new InvalidArgumentError('"keyName" expected a non-empty key name', { context: { what: 'keyName' } });
    }
    salt = ZERO_SALT;
    info = concat(specifier, utf8(keyName));
  } else {
    salt = Uint8Array.from(specifier);
    info = new Uint8Array(0);
  }
  // RFC 5869 §2.2 extract, then §2.3 expand; kept apart so the PRK can be checked (T11).
  const prk = hmacSha512(salt, bds);
  const okm = hkdfExpand('sha512', prk, info, length);
  return { ikm: Uint8Array.from(bds), salt: Uint8Array.from(salt), prk, info, okm };
}
