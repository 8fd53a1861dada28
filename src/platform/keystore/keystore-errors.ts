/**
 * @module platform/keystore/keystore-errors
 * What can go wrong keeping the agent's secrets in a backend, one class per cause (conventions
 * "Errors"): storage that is not private, a stored blob that does not authenticate, a backend
 * that is absent, locked or failing. The port's own errors (a bad name or value, a store used
 * after close) are agent/secret-store-errors, shared with the memory fake.
 * The agent branches on the class: an unavailable backend is a configuration problem a
 * person fixes; an integrity failure means the state directory was tampered with or
 * belongs to another TPM. No message or context ever carries secret bytes
 * (docs/decisions/0002-seed-based-secret-store.md); they carry names, paths, tools and exit codes only.
 */
import { MeshError, type MeshErrorOptions } from '../../crypto/errors.js';

/**
 * A directory or file of the store is readable by others, owned by another user, or not
 * the kind expected (a symlink, a directory where a file belongs). The store refuses to
 * use it rather than widen the exposure of a secret or trust a file someone else planted.
 */
export class InsecureStorageError extends MeshError {
  readonly code = 'ERR_INSECURE_STORAGE';
  readonly path: string;
  constructor(message: string, path: string, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { path, ...options.context } });
    this.path = path;
  }
}

/** The configured keystore is not one of auto, tpm, secret-service, file, memory. */
export class UnknownKeystoreChoiceError extends MeshError {
  readonly code = 'ERR_UNKNOWN_KEYSTORE_CHOICE';
}

/** A stored blob does not authenticate: tampered, truncated, or sealed under another key. */
export class KeystoreIntegrityError extends MeshError {
  readonly code = 'ERR_KEYSTORE_INTEGRITY';
}

/** A keystore backend cannot be used here: absent, not installed, or not answering. */
export class KeystoreUnavailableError extends MeshError {
  readonly code: string = 'ERR_KEYSTORE_UNAVAILABLE';
}

/** No TPM answers: no device node and no TCTI, tpm2-tools missing, or the TPM not responding. */
export class TpmUnavailableError extends KeystoreUnavailableError {
  override readonly code = 'ERR_TPM_UNAVAILABLE';
}

/** A tpm2-tools command failed; carries the tool and its exit code, never its input or output. */
export class TpmCommandError extends MeshError {
  readonly code = 'ERR_TPM_COMMAND';
  readonly tool: string;
  readonly exitCode: number | null;
  constructor(message: string, tool: string, exitCode: number | null, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { tool, exitCode, ...options.context } });
    this.tool = tool;
    this.exitCode = exitCode;
  }
}

/** No Secret Service on the session bus, or the bus itself cannot be reached. */
export class SecretServiceUnavailableError extends KeystoreUnavailableError {
  override readonly code = 'ERR_SECRET_SERVICE_UNAVAILABLE';
}

/**
 * The keyring collection is locked. Unlocking needs a password prompt, which a headless
 * agent cannot answer, so the store reports it instead of waiting on a prompt forever.
 */
export class SecretServiceLockedError extends MeshError {
  readonly code = 'ERR_SECRET_SERVICE_LOCKED';
}

/** A Secret Service call failed; carries the method and the D-Bus error name. */
export class SecretServiceCallError extends MeshError {
  readonly code = 'ERR_SECRET_SERVICE_CALL';
  readonly method: string;
  readonly dbusError: string | undefined;
  constructor(message: string, method: string, dbusError: string | undefined, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { method, dbusError, ...options.context } });
    this.method = method;
    this.dbusError = dbusError;
  }
}
