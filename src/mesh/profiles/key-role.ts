/**
 * @module mesh/profiles/key-role
 * Reads a profile's KeyData and checks the key suits its slot: signature slots hold Ed448
 * or Ed25519, encryption and authentication slots X448 or X25519 (docs/mesh-compatibility.md §2.1
 * "Algorithms for Mesh seeds"). Without this a profile could name an X448 key as its
 * signer and fail later with a less useful error, or not at all.
 */
import { InvalidKeyError } from '../../crypto/errors.js';
import type { PublicKey } from '../../crypto/key-pair.js';
import { publicKeyOf } from '../keys/key-data.js';
import type { KeyData } from '../objects/key-data.js';

export type KeyRole = 'sign' | 'encrypt';

const ROLE_ALGORITHMS: Readonly<Record<KeyRole, readonly string[]>> = {
  sign: ['Ed448', 'Ed25519'],
  encrypt: ['X448', 'X25519'],
};

/** publicKeyOf (Udf must be the key's fingerprint), then the algorithm check; errors name `path`. */
export function keyOfRole(keyData: KeyData, role: KeyRole, path: string): PublicKey {
  const key = publicKeyOf(keyData, path);
  const allowed = ROLE_ALGORITHMS[role];
  if (!allowed.includes(key.alg)) {
    throw new InvalidKeyError(`"${path}" expected an ${allowed.join(' or ')} key, got ${key.alg}`, {
      context: { path, expected: allowed, actual: key.alg },
    });
  }
  return key;
}
