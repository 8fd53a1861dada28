/**
 * @module agent/secret-store-errors
 * The errors of the SecretStore port itself, the same from every store (adapter or fake), so
 * the one contract suite can name them: a bad name or value, and a store used after close.
 * What only a backend can go wrong with (storage not private, a blob that does not
 * authenticate, a backend absent) is in platform/keystore/keystore-errors.
 */
import { MeshError } from '../crypto/errors.js';

/** A secret name that does not match SECRET_NAME_PATTERN (agent/secret-store). */
export class InvalidSecretNameError extends MeshError {
  readonly code = 'ERR_INVALID_SECRET_NAME';
}

/** A secret value that is not a Uint8Array (the port's only value type). */
export class InvalidSecretValueError extends MeshError {
  readonly code = 'ERR_INVALID_SECRET_VALUE';
}

/** The store was closed; its key material is gone from memory. */
export class KeystoreClosedError extends MeshError {
  readonly code = 'ERR_KEYSTORE_CLOSED';
}
