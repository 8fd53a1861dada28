/**
 * @module crypto/errors
 * The error hierarchy shared by every layer. Each class is named by cause, carries the
 * context that lets a field engineer see what was wrong and where, and keeps `cause`.
 * Callers branch on the class (or on the stable `code`), never on message text.
 */

export interface MeshErrorOptions {
  /** Structured detail: the field, the expected shape, what was found. Never key material. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Base class of every error this project throws. */
export abstract class MeshError extends Error {
  /** Stable identifier derived from the class, e.g. `ERR_INVALID_ENCODING`. */
  abstract readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, options: MeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** An argument has the wrong type, length or range (noble's TypeError/RangeError, named). */
export class InvalidArgumentError extends MeshError {
  readonly code = 'ERR_INVALID_ARGUMENT';
}

/** Bytes or text that do not parse: Base32, base64url, UDF, JSON, JSON-B, DER. */
export class InvalidEncodingError extends MeshError {
  readonly code = 'ERR_INVALID_ENCODING';
}

/** A key is malformed, of the wrong algorithm, or not a valid curve point. */
export class InvalidKeyError extends MeshError {
  readonly code = 'ERR_INVALID_KEY';
}

/** An algorithm, curve or key type this implementation does not support. */
export class UnsupportedAlgorithmError extends MeshError {
  readonly code = 'ERR_UNSUPPORTED_ALGORITHM';
}

/** A signature, MAC, digest or witness does not verify. */
export class VerificationError extends MeshError {
  readonly code = 'ERR_VERIFICATION_FAILED';
}

/**
 * Decryption failed. Deliberately uniform: the message never says which step failed
 * (unwrap, MAC, padding), so a caller cannot be used as a padding or key oracle.
 */
export class DecryptionError extends MeshError {
  readonly code = 'ERR_DECRYPTION_FAILED';
}
