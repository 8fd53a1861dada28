/**
 * @module mesh/udf/derived-key-seed
 * Derived-key seed UDF ('Z', type 0xC8): 0xC8 ‖ keySpecifier(2, big-endian) ‖ secret,
 * presented at full length; the BDS (specifier ‖ secret) is the HKDF IKM of every key
 * derived from it (docs/mesh-compatibility.md §1.4, §2.1).
 */
import { assertBytes, concat } from '../../crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { UdfType, parseUdfOfType, presentUdf } from './udf.js';

/**
 * UdfAlgorithmIdentifier values (docs/mesh-compatibility.md §1.4). The code reads the specifier as
 * 256·b0 + b1; the udf-13 "bits 6-7 = key use" is not implemented, so neither is it here.
 */
export const KeySpecifier = {
  Any: 0,
  X25519: 1,
  X448: 2,
  Ed25519: 3,
  Ed448: 4,
  P256: 5,
  P384: 6,
  P521: 7,
  RSA2048: 8,
  RSA3072: 9,
  RSA4096: 10,
  MeshProfileDevice: 0x0100,
  MeshActivationDevice: 0x0101,
  MeshProfileAccount: 0x0102,
  MeshActivationAccount: 0x0103,
  MeshProfileService: 0x0104,
  MeshActivationService: 0x0105,
} as const;

export type KeySpecifierName = keyof typeof KeySpecifier;

/** The reference never makes a seed secret shorter than 128 bits (UDF.DerivedKey). */
export const MIN_SEED_SECRET_BYTES = 16;
/** Secret length the reference uses for Mesh seeds (256 bits). */
export const DEFAULT_SEED_SECRET_BYTES = 32;

export interface DerivedKeySeed {
  /** 256·b0 + b1 of the BDS. */
  readonly specifier: number;
  /** The bytes after the specifier. */
  readonly secret: Uint8Array;
  /** BDS = specifier(2) ‖ secret: the HKDF IKM of docs/mesh-compatibility.md §2.1. */
  readonly ikm: Uint8Array;
}

/** The two big-endian specifier bytes. */
export function keySpecifierBytes(specifier: number): Uint8Array {
  if (!Number.isInteger(specifier) || specifier < 0 || specifier > 0xffff) {
    throw new InvalidArgumentError(`"specifier" expected an integer from 0 to 65535, got ${specifier}`, {
      context: { what: 'specifier', actual: specifier },
    });
  }
  return Uint8Array.of(specifier >> 8, specifier & 0xff);
}

/** Builds the seed UDF string from a specifier and a secret of at least 16 bytes. */
export function derivedKeySeedUdf(specifier: number, secret: Uint8Array): string {
  assertBytes(secret, 'secret');
  if (secret.length < MIN_SEED_SECRET_BYTES) {
    throw new InvalidArgumentError(
      `"secret" expected at least ${MIN_SEED_SECRET_BYTES} bytes, got length=${secret.length}`,
      { context: { what: 'secret', expected: MIN_SEED_SECRET_BYTES, actual: secret.length } },
    );
  }
  const bds = concat(keySpecifierBytes(specifier), secret);
  return presentUdf(UdfType.DerivedKeySeed, bds, 8 * (bds.length + 1));
}

/** A fresh seed: `secretBytes` random bytes (32 by default, as the reference's Mesh seeds). */
export function newDerivedKeySeedUdf(
  specifier: number,
  random: RandomSource,
  secretBytes: number = DEFAULT_SEED_SECRET_BYTES,
): string {
  if (!Number.isInteger(secretBytes) || secretBytes < MIN_SEED_SECRET_BYTES || secretBytes > 64) {
    throw new InvalidArgumentError(
      `"secretBytes" expected an integer from ${MIN_SEED_SECRET_BYTES} to 64, got ${secretBytes}`,
      { context: { what: 'secretBytes', actual: secretBytes } },
    );
  }
  const secret = random(secretBytes);
  assertBytes(secret, 'random output', secretBytes);
  return derivedKeySeedUdf(specifier, secret);
}

/** Parses a seed UDF; a wrong type byte or a secret under 16 bytes is InvalidEncodingError. */
export function parseDerivedKeySeed(udf: string, what = 'seed'): DerivedKeySeed {
  const parsed = parseUdfOfType(udf, [UdfType.DerivedKeySeed], 'a derived-key seed UDF', what);
  const ikm = parsed.bds;
  if (ikm.length < 2 + MIN_SEED_SECRET_BYTES) {
    throw new InvalidEncodingError(
      `"${what}" expected a specifier and at least ${MIN_SEED_SECRET_BYTES} secret bytes, got ${Math.max(0, ikm.length - 2)} secret bytes`,
      { context: { what, expected: MIN_SEED_SECRET_BYTES, actual: Math.max(0, ikm.length - 2) } },
    );
  }
  return {
    specifier: 256 * (ikm[0] as number) + (ikm[1] as number),
    secret: ikm.slice(2),
    ikm: ikm.slice(),
  };
}
