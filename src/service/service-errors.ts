/**
 * @module service/service-errors
 * The one error a transaction throws to answer with a 4xx (or 5xx) in the protocol's own shape
 * (docs/service-protocol.md "Status codes"). The message is the StatusDescription a client
 * sees, so it names the field or the rule at fault and never echoes a secret.
 */
import { MeshError, type MeshErrorOptions } from '../crypto/errors.js';
import { Status } from '../mesh/messages/status-codes.js';

/** The codes are part of the wire contract; re-exported for the service's modules that refuse with them. */
export { Status };

export interface ServiceErrorOptions extends MeshErrorOptions {
  readonly statusExtended?: number;
  /** Seconds; becomes the response's RetryAfter field (and the HTTP Retry-After header). */
  readonly retryAfter?: number;
  /** Extra response fields that go with this refusal (e.g. ConnectStatus `Result: "Expired"`). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** A request the service refuses; `status` is the protocol Status (HTTP mirrors it). */
export class ServiceRequestError extends MeshError {
  readonly code = 'ERR_SERVICE_REQUEST';
  readonly status: number;
  readonly statusExtended: number | undefined;
  readonly retryAfter: number | undefined;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(status: number, message: string, options: ServiceErrorOptions = {}) {
    super(message, options);
    this.status = status;
    this.statusExtended = options.statusExtended;
    this.retryAfter = options.retryAfter;
    this.fields = options.fields ?? {};
  }
}

export const badRequest = (message: string, options?: ServiceErrorOptions): ServiceRequestError =>
  new ServiceRequestError(Status.BadRequest, message, options);
export const unauthorized = (message: string, options?: ServiceErrorOptions): ServiceRequestError =>
  new ServiceRequestError(Status.Unauthorized, message, options);
export const forbidden = (message: string, options?: ServiceErrorOptions): ServiceRequestError =>
  new ServiceRequestError(Status.Forbidden, message, options);
export const notFound = (message: string, options?: ServiceErrorOptions): ServiceRequestError =>
  new ServiceRequestError(Status.NotFound, message, options);
export const conflict = (message: string, options?: ServiceErrorOptions): ServiceRequestError =>
  new ServiceRequestError(Status.Conflict, message, options);
export const gone = (message: string, options?: ServiceErrorOptions): ServiceRequestError =>
  new ServiceRequestError(Status.Gone, message, options);
