/**
 * @module mesh/keys/key-specifier
 * The two-byte key specifier at the front of a derived-key seed's BDS (docs/mesh-compatibility.md §1.4):
 * read as 256·b0 + b1 (the udf-13 "key use bits" are not implemented by the reference).
 */
import type { KeyAlgorithm } from '../../crypto/key-pair.js';
import { KeySpecifier, type KeySpecifierName } from '../udf/derived-key-seed.js';

// The table lives with the seed format (udf/derived-key-seed); these helpers interpret it.
export { KeySpecifier, type KeySpecifierName } from '../udf/derived-key-seed.js';

/** Name of a specifier value, or undefined for a value the reference does not define. */
export function keySpecifierName(value: number): KeySpecifierName | undefined {
  return (Object.keys(KeySpecifier) as KeySpecifierName[]).find((k) => KeySpecifier[k] === value);
}

/** Mesh seeds (0x0100–0x0105) choose the algorithm from the key name (docs/mesh-compatibility.md §2.1). */
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
