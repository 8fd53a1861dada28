/**
 * @module mesh/messages/status-codes
 * The `Status` codes a response body carries (docs/service-protocol.md "Status codes"). The
 * body's Status is authoritative; the HTTP status only mirrors it.
 */
export const Status = {
  OK: 201,
  Pending: 202,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  Gone: 410,
  TooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyAttempts: 429,
  Internal: 500,
  Unavailable: 503,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];
