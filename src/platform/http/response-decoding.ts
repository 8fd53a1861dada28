/**
 * @module platform/http/response-decoding
 * From a response body to the typed answer of one transaction. The service is not trusted
 * (docs/decisions/0003-untrusted-service.md), so every field a caller relies on is checked
 * against the transaction's response schema (src/mesh/messages) and a failure is a
 * `MalformedResponseError` naming the field path (`ConnectPendingResponse.Pending[0].Expires`).
 *
 * - `openResponse` unwraps `{"<Name>Response": {…}}` and applies the body's Status, which is
 *   authoritative: a refusal becomes the `ProtocolError` subclass for it (http-errors.ts).
 * - `decodeFields` checks the fields after the Status fields. Envelopes are shape-checked
 *   only; their signatures and contents are the caller's to check.
 * - The Status fields are read leniently: a StatusDescription or StatusExtended of the wrong
 *   type is dropped rather than failing an otherwise good answer.
 */
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import type { UncheckedObject } from '../../mesh/encoding/json-value.js';
import { SchemaError } from '../../mesh/errors.js';
import type { StatusFields } from '../../mesh/messages/status-fields.js';
import { UNKNOWN_FIELDS, isPlainObject, type Schema, type UnknownFields } from '../../mesh/schema/index.js';
import { MalformedResponseError, protocolErrorFor } from './http-errors.js';

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What the client needs to say where an answer came from. */
export interface ResponseOrigin {
  /** The transaction, `ConnectStatus`. */
  readonly name: string;
  readonly url: string;
  readonly httpStatus: number;
}

/**
 * The `<Name>Response` object of a parsed body once its Status is a success or one of
 * `accept` (a result such as ConnectStatus's 202 Pending, not a refusal).
 */
export function openResponse(parsed: unknown, origin: ResponseOrigin, accept: readonly number[] = []): UncheckedObject {
  const { name, url, httpStatus } = origin;
  const path = `${name}Response`;
  const inner = isPlainObject(parsed) ? parsed[path] : undefined;
  if (!isPlainObject(parsed) || Object.keys(parsed).length !== 1 || !isPlainObject(inner)) {
    const tags = isPlainObject(parsed)
      ? Object.keys(parsed).slice(0, 3).join(', ') || 'nothing'
      : Array.isArray(parsed)
        ? 'an array'
        : typeof parsed;
    // The keys are the service's: shown neutralised.
    throw new MalformedResponseError(
      `${name}: ${url} answered HTTP ${httpStatus} without {"${path}": {…}} (found ${terminalText(tags, 120)})`,
      {
        context: { path, httpStatus },
      },
    );
  }
  const status = inner['Status'];
  if (!isInteger(status)) {
    const kind =
      status === undefined
        ? 'absent'
        : status === null
          ? 'null'
          : Array.isArray(status)
            ? 'an array'
            : `a ${typeof status}`;
    throw new MalformedResponseError(`"${path}.Status" expected an integer, got ${kind}`, {
      context: { path: `${path}.Status`, expected: 'an integer' },
    });
  }
  if (status !== 201 && !accept.includes(status)) {
    const description = inner['StatusDescription'];
    const extended = inner['StatusExtended'];
    const retryAfter = inner['RetryAfter'];
    throw protocolErrorFor({
      transaction: name,
      status,
      statusDescription: typeof description === 'string' ? description.slice(0, 500) : undefined,
      statusExtended: isInteger(extended) ? extended : undefined,
      retryAfter: isNumber(retryAfter) ? retryAfter : undefined,
      url,
    });
  }
  return inner;
}

/** The Status fields of an opened response. */
export function statusFields(body: UncheckedObject): StatusFields {
  const description = body['StatusDescription'];
  const extended = body['StatusExtended'];
  return {
    Status: body['Status'] as number,
    ...(typeof description === 'string' ? { StatusDescription: description } : {}),
    ...(isInteger(extended) ? { StatusExtended: extended } : {}),
  };
}

/** A parsed structure without the fields its schema did not know (which this client never reads). */
export function knownFields<T>(value: T): Omit<T, typeof UNKNOWN_FIELDS> {
  const { [UNKNOWN_FIELDS]: _unknown, ...known } = value as T & UnknownFields;
  return known;
}

/**
 * The transaction's own fields of `body`, checked by `schema`; `path` roots the error paths
 * (`ConnectStatusResponse`).
 */
export function decodeFields<T>(schema: Schema<T>, body: UncheckedObject, path: string): T {
  try {
    return schema.parse(body, path);
  } catch (cause) {
    if (!(cause instanceof SchemaError)) throw cause;
    throw new MalformedResponseError(cause.message, { cause, context: { path: cause.path, expected: cause.expected } });
  }
}
