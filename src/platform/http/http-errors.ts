/**
 * @module platform/http/http-errors
 * What can go wrong talking to a Mesh service, one class per cause (conventions "Errors"):
 * the service could not be reached or did not answer in time (with the URL, so a person
 * sees at once which service), the answer was not in the protocol's shape or too large,
 * or the service answered with a non-success `Status` (docs/service-protocol.md "Status
 * codes"), which becomes a `ProtocolError` subclass per status carrying `Status`,
 * `StatusDescription` and `StatusExtended` as sent.
 */
import { MeshError, type MeshErrorOptions } from '../../crypto/errors.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';

/** The service could not be reached: refused, DNS failure, reset, TLS failure. */
export class ServiceUnavailableError extends MeshError {
  readonly code: string = 'ERR_SERVICE_UNAVAILABLE';
  readonly url: string;
  constructor(message: string, url: string, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { url, ...options.context } });
    this.url = url;
  }
}

/**
 * A plain `http://` service URL whose host is not loopback, refused before any connection:
 * the owner's signed requests, the device's profile and the answers would cross the network
 * readable and alterable by anyone on the path (docs/security.md "Transport").
 */
export class InsecureTransportError extends MeshError {
  readonly code = 'ERR_INSECURE_TRANSPORT';
}

/**
 * The connection closed or reset before the whole answer arrived (a kept-alive socket the
 * server had closed, a reset): the request may or may not have been processed, so only an
 * idempotent transaction is sent again (mesh-client.ts).
 */
export class ConnectionDroppedError extends ServiceUnavailableError {
  override readonly code = 'ERR_CONNECTION_DROPPED';
}

/** No complete answer within the client's timeout. */
export class ServiceTimeoutError extends ServiceUnavailableError {
  override readonly code = 'ERR_SERVICE_TIMEOUT';
}

/** The answer is larger than the client accepts (a broken or hostile service). */
export class ResponseTooLargeError extends MeshError {
  readonly code = 'ERR_RESPONSE_TOO_LARGE';
}

/** The answer is not `{"<Name>Response": {"Status": …, …}}` or a field has the wrong type. */
export class MalformedResponseError extends MeshError {
  readonly code = 'ERR_MALFORMED_RESPONSE';
}

export interface ProtocolErrorDetail {
  /** The transaction, e.g. `ConnectPending`. */
  readonly transaction: string;
  readonly status: number;
  readonly statusDescription?: string | undefined;
  readonly statusExtended?: number | undefined;
  /** Seconds, when the service sent `RetryAfter` (202, 429). */
  readonly retryAfter?: number | undefined;
  readonly url: string;
}

/** The service answered with a Status other than the transaction's success codes. */
export class ProtocolError extends MeshError {
  readonly code: string = 'ERR_PROTOCOL';
  readonly transaction: string;
  readonly status: number;
  readonly statusDescription: string | undefined;
  readonly statusExtended: number | undefined;
  readonly retryAfter: number | undefined;
  readonly url: string;

  constructor(detail: ProtocolErrorDetail, options: Pick<MeshErrorOptions, 'cause'> = {}) {
    // The service chose this text: shown neutralised, kept raw in the field.
    const description =
      detail.statusDescription === undefined || detail.statusDescription === ''
        ? ''
        : `: ${terminalText(detail.statusDescription, 200)}`;
    super(`${detail.transaction} refused by ${detail.url} with Status ${detail.status}${description}`, {
      context: {
        transaction: detail.transaction,
        status: detail.status,
        statusDescription: detail.statusDescription,
        statusExtended: detail.statusExtended,
        url: detail.url,
      },
      cause: options.cause,
    });
    this.transaction = detail.transaction;
    this.status = detail.status;
    this.statusDescription = detail.statusDescription;
    this.statusExtended = detail.statusExtended;
    this.retryAfter = detail.retryAfter;
    this.url = detail.url;
  }
}

/** 400: the service says the request is malformed; StatusDescription names the field. */
export class BadRequestError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_BAD_REQUEST';
}
/** 401: signature missing or invalid, timestamp outside the window, or replayed nonce. */
export class UnauthorizedError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_UNAUTHORIZED';
}
/** 403: authenticated but not allowed (wrong key, account locked out). */
export class ForbiddenError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_FORBIDDEN';
}
/** 404: no such account, request or publication. */
export class NotFoundError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_NOT_FOUND';
}
/** 409: account exists, request already answered. */
export class ConflictError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_CONFLICT';
}
/** 410: the connection request or PIN expired. */
export class GoneError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_GONE';
}
/** 413: the request body exceeds the service's limit. */
export class RequestTooLargeError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_TOO_LARGE';
}
/** 429: too many failed PIN attempts, or a rate limit; `retryAfter` says when to try again. */
export class TooManyRequestsError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_TOO_MANY_REQUESTS';
}
/** 5xx: the service failed (never caused by input, per the contract). */
export class ServiceFaultError extends ProtocolError {
  override readonly code = 'ERR_PROTOCOL_SERVICE_FAULT';
}

/** The ProtocolError subclass for a Status. */
export function protocolErrorFor(detail: ProtocolErrorDetail): ProtocolError {
  switch (detail.status) {
    case 400:
      return new BadRequestError(detail);
    case 401:
      return new UnauthorizedError(detail);
    case 403:
      return new ForbiddenError(detail);
    case 404:
      return new NotFoundError(detail);
    case 409:
      return new ConflictError(detail);
    case 410:
      return new GoneError(detail);
    case 413:
      return new RequestTooLargeError(detail);
    case 429:
      return new TooManyRequestsError(detail);
    default:
      return detail.status >= 500 ? new ServiceFaultError(detail) : new ProtocolError(detail);
  }
}
