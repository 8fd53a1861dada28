/**
 * @module mesh/profiles/seed-type
 * Each profile is derived from a seed of its own kind (docs/mesh-compatibility.md §1.4, §2.1): a device
 * profile from a MeshProfileDevice (0x0100) seed, an account from 0x0102, a service from
 * 0x0104, an activation from 0x0103 (§3 step 1). A seed of another kind derives valid but
 * different keys without complaint, so the kind is checked before any key is made.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { KeySpecifier, parseDerivedKeySeed, type KeySpecifierName } from '../udf/derived-key-seed.js';
import { canonicalUdfString } from '../udf/canonical.js';

/** Checks `seed` is a derived-key seed of `kind`; returns its canonical string. */
export function requireSeedOfKind(seed: string, kind: KeySpecifierName, what = 'seed'): string {
  const { specifier } = parseDerivedKeySeed(seed, what);
  const expected = KeySpecifier[kind];
  if (specifier !== expected) {
    throw new InvalidArgumentError(
      `"${what}" expected a ${kind} seed (specifier 0x${expected.toString(16).padStart(4, '0')}), got specifier 0x${specifier.toString(16).padStart(4, '0')}`,
      { context: { what, expected, actual: specifier } },
    );
  }
  return canonicalUdfString(seed, what);
}
