/**
 * @module mesh/errors
 * Errors of the pure protocol layer. A `SchemaError` says where in a Mesh object the input
 * went wrong (the full path, e.g. `ProfileDevice.Encryption.PublicParameters.PublicKeyECDH.crv`),
 * what the schema expected and what kind of value it found, so a field engineer can fix the
 * sender without a debugger. Values themselves are never echoed except short, non-secret
 * enumerations and dates: a Mesh object may carry seeds and private keys
 * (conventions "Errors"; docs/mesh-compatibility.md §2.3 `PrivateKeyUDF.PrivateValue`).
 */
import { MeshError, type MeshErrorOptions } from '../crypto/errors.js';

export interface SchemaErrorDetail {
  /** Full path of the offending value, rooted at the object's type name. */
  readonly path: string;
  /** What the schema wanted, e.g. `base64url binary of 16 bytes`. */
  readonly expected: string;
  /** The kind of value found, e.g. `a number`, `absent`, `an array of 4`. Never the value. */
  readonly actual: string;
}

/** A JSON value does not match the Mesh object schema it was parsed (or written) against. */
export class SchemaError extends MeshError {
  readonly code = 'ERR_SCHEMA';
  readonly path: string;
  readonly expected: string;
  readonly actual: string;

  constructor(detail: SchemaErrorDetail, options: Pick<MeshErrorOptions, 'cause'> = {}) {
    super(`"${detail.path}" expected ${detail.expected}, got ${detail.actual}`, {
      context: { path: detail.path, expected: detail.expected, actual: detail.actual },
      cause: options.cause,
    });
    this.path = detail.path;
    this.expected = detail.expected;
    this.actual = detail.actual;
  }
}
