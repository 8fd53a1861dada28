/**
 * @module mesh/keys/derive-key
 * Derived-key seed ('Z' UDF, type 0xC8) → KeyPair (docs/mesh-compatibility.md §1.4, §2.1, §2.2).
 * The seed's specifier decides the algorithm: a curve specifier fixes the curve, a Mesh
 * specifier (0x0100–0x0105) takes it from the key name's operation (UDF.DeriveKey).
 */

import { InvalidArgumentError, UnsupportedAlgorithmError } from '../../crypto/errors.js';
import type { KeyAlgorithm, KeyPair } from '../../crypto/key-pair.js';
import { KEY_ALGORITHMS } from '../../crypto/key-pair.js';
import { keyPairFromSecret, SECRET_LENGTH } from '../../crypto/keys.js';
import { deriveSeedSecret, type SeedDerivation, type SeedVariant } from '../../crypto/seed-derivation.js';
import { OPERATION_ROLE, parseKeyName, type KeyRole } from './key-names.js';
import { parseDerivedKeySeed } from '../udf/derived-key-seed.js';
import { isMeshSpecifier, keySpecifierName, specifierCurve } from './key-specifier.js';

export interface ParsedSeed {
  /** 256·b0 + b1 of the BDS (docs/mesh-compatibility.md §1.4). */
  readonly specifier: number;
  /** The BDS: specifier(2) ‖ secret, which is the HKDF IKM. */
  readonly bds: Uint8Array;
}

/** Parses a 'Z' seed UDF, naming `what` in every error; never echoes the secret. */
export function parseSeed(seedUdf: string, what = 'seed'): ParsedSeed {
  if (typeof seedUdf !== 'string') {
    throw new InvalidArgumentError(`"${what}" expected a derived-key seed UDF string, got type=${typeof seedUdf}`, {
      context: { what },
    });
  }
  const { specifier, ikm } = parseDerivedKeySeed(seedUdf, what);
  return { specifier, bds: ikm };
}

export interface DeriveKeyOptions {
  /**
   * Forces the algorithm, as the reference's PrivateKeyUDF.AlgorithmSign/Encrypt/
   * Authenticate do. It must suit the key: a signing operation takes Ed448|Ed25519, an
   * encryption/authentication one X448|X25519, and a curve seed only its own curve.
   */
  readonly algorithm?: KeyAlgorithm;
  /** 'production' (default, docs/mesh-compatibility.md §2.1) or the udf-13 §4.4 'draft' variant (§2.2). */
  readonly variant?: SeedVariant;
}

const ROLE_ALGORITHMS: Readonly<Record<KeyRole, readonly KeyAlgorithm[]>> = {
  sign: ['Ed448', 'Ed25519'],
  encrypt: ['X448', 'X25519'],
};

/**
 * The algorithm a seed of `specifier` gives for `keyName`, after `override`. Mesh seeds
 * need a valid key name (it picks the algorithm); curve seeds accept any name.
 */
export function seedKeyAlgorithm(specifier: number, keyName: string, override?: KeyAlgorithm): KeyAlgorithm {
  if (override !== undefined && !KEY_ALGORITHMS.includes(override)) {
    throw new UnsupportedAlgorithmError(
      `"options.algorithm" expected one of ${KEY_ALGORITHMS.join('|')}, got ${String(override)}`,
      {
        context: { what: 'options.algorithm', actual: String(override) },
      },
    );
  }
  if (isMeshSpecifier(specifier)) {
    const role = OPERATION_ROLE[parseKeyName(keyName, 'keyName').operation];
    if (override === undefined) return role === 'sign' ? 'Ed448' : 'X448';
    if (!ROLE_ALGORITHMS[role].includes(override)) {
      throw new InvalidArgumentError(
        `"options.algorithm" ${override} does not suit ${keyName}; expected ${ROLE_ALGORITHMS[role].join('|')}`,
        { context: { what: 'options.algorithm', actual: override, keyName } },
      );
    }
    return override;
  }
  const curve = specifierCurve(specifier);
  if (curve !== undefined) {
    if (override !== undefined && override !== curve) {
      throw new InvalidArgumentError(`"options.algorithm" ${override} conflicts with the seed's ${curve} specifier`, {
        context: { what: 'options.algorithm', actual: override, expected: curve },
      });
    }
    return curve;
  }
  if (specifier === 0 && override !== undefined) return override;
  const name = keySpecifierName(specifier) ?? `0x${specifier.toString(16).padStart(4, '0')}`;
  throw new UnsupportedAlgorithmError(
    `"seed" key specifier ${name} is not supported here; expected X25519|X448|Ed25519|Ed448 or a Mesh specifier 0x0100-0x0105` +
      (specifier === 0 ? ' (or Any with options.algorithm)' : ''),
    { context: { what: 'seed', specifier } },
  );
}

export interface SeedOkm extends SeedDerivation {
  readonly alg: KeyAlgorithm;
  readonly specifier: number;
}

/**
 * The HKDF steps and OKM for one key, for vector tests and diagnostics. The OKM is key
 * material: callers must not log it.
 */
export function deriveSeedOkm(seedUdf: string, keyName: string, options: DeriveKeyOptions = {}): SeedOkm {
  const variant = options.variant ?? 'production';
  const { specifier, bds } = parseSeed(seedUdf, 'seed');
  if (variant === 'production' && (typeof keyName !== 'string' || keyName === '')) {
    throw new InvalidArgumentError('"keyName" expected a non-empty key name', { context: { what: 'keyName' } });
  }
  const alg = seedKeyAlgorithm(specifier, keyName, options.algorithm);
  const derivation = deriveSeedSecret(variant, bds, keyName, SECRET_LENGTH[alg]);
  return { ...derivation, alg, specifier };
}

/** deriveSeedOkm, then the algorithm's OKM → key rule (docs/mesh-compatibility.md §2.1 "Turning OKM into a key"). */
export function deriveKeyPair(seedUdf: string, keyName: string, options: DeriveKeyOptions = {}): KeyPair {
  const { alg, okm } = deriveSeedOkm(seedUdf, keyName, options);
  return keyPairFromSecret(alg, okm);
}
