/**
 * @module mesh/keys/key-specifier
 * The two-byte key specifier at the front of a derived-key seed's BDS (mesh-reference §1.4):
 * read as 256·b0 + b1 (the udf-13 "key use bits" are not implemented by the reference).
 */
import type { KeyAlgorithm } from '../../crypto/key-pair.js';

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

/** Name of a specifier value, or undefined for a value the reference does not define. */
export function keySpecifierName(value: number): KeySpecifierName | undefined {
  return (Object.keys(KeySpecifier) as KeySpecifierName[]).find((k) => KeySpecifier[k] === value);
}

/** Mesh seeds (0x0100–0x0105) choose the algorithm from the key name (mesh-reference §2.1). */
export function isMeshSpecifier(value: number): boolean {
  return value >= 0x0100 && value <= 0x0105;
}

/** The curve a curve specifier fixes; undefined for Mesh seeds, Any and unsupported curves. */
export function specifierCurve(value: number): KeyAlgorithm | undefined {
  switch (value) {
    case KeySpecifier.X25519:
      return 'X25519';
    case KeySpecifier.X448:
      return 'X448';
    case KeySpecifier.Ed25519:
      return 'Ed25519';
    case KeySpecifier.Ed448:
      return 'Ed448';
    default:
      return undefined;
  }
}

/** Big-endian two-byte form, as placed in the seed and in the production HKDF info. */
export function specifierBytes(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff);
}
