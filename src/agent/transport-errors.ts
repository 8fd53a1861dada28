/**
 * @module agent/transport-errors
 * The errors a MeshTransport throws, so the state machine branches on class (docs/conventions.md
 * "Errors"): a service out of reach is retried with backoff and the state kept; a
 * refusal carries the service's Status (404 means different things per flow); an answer
 * that is not in the protocol's shape is treated like a fault of that service.
 */
import { MeshError, type MeshErrorOptions } from '../crypto/errors.js';

/** No answer: refused, DNS, reset, TLS, timeout. Transient by nature. */
export class TransportUnavailableError extends MeshError {
  readonly code = 'ERR_TRANSPORT_UNAVAILABLE';
}

/** The service answered with a non-success Status. */
export class ServiceRefusedError extends MeshError {
  readonly code = 'ERR_SERVICE_REFUSED';
  readonly status: number;
  /** Seconds, when the service said when to come back. */
  readonly retryAfter: number | undefined;
  constructor(message: string, status: number, retryAfter: number | undefined, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { status, ...options.context } });
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** The answer is not in the protocol's shape (malformed, too large). */
export class ServiceAnswerError extends MeshError {
  readonly code: string = 'ERR_SERVICE_ANSWER';
}

/**
 * The service's Hello offers no protocol version or encoding the agent speaks
 * (mesh-security-05 §3.5): an answer the agent cannot use, so handled as one.
 */
export class IncompatibleServiceError extends ServiceAnswerError {
  override readonly code = 'ERR_INCOMPATIBLE_SERVICE';
}
