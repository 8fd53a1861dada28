/**
 * @module mesh/messages/response-fields
 * Field schemas only responses use. A client reads what an untrusted service sends
 * (docs/service-protocol.md "Transport"), so these check the shape a caller relies on and no
 * more: a date stays its text (the caller compares or shows it), a relayed object stays as
 * sent (the caller verifies it, or only shows it).
 */
import type { UncheckedObject } from '../encoding/json-value.js';
import { fail, isPlainObject, kindOf, type Schema } from '../schema/index.js';

function schema<T>(expected: string, check: (value: unknown) => value is T): Schema<T> {
  const run = (value: unknown, path: string): T => {
    if (!check(value)) fail(path, expected, kindOf(value));
    return value;
  };
  return {
    expected,
    parse: (json, path = 'value') => run(json, path),
    toJson: (value, path = 'value') => run(value, path),
  };
}

/** An RFC 3339 date kept as text (`Received`, `Expires`, `Updated`). */
export const rfc3339Text = (): Schema<string> =>
  schema('an RFC 3339 date string', (v): v is string => typeof v === 'string');

/** A delay in seconds (`RetryAfter`); fractions are allowed. */
export const seconds = (): Schema<number> =>
  schema('a number of seconds', (v): v is number => typeof v === 'number' && Number.isFinite(v));

/** Any JSON object, returned as sent. */
export const jsonObject = (): Schema<UncheckedObject> => schema('an object', isPlainObject);

/** Any value, returned as sent: an element the receiver verifies itself. */
export const relayed = (): Schema<unknown> => schema('a JSON value', (v): v is unknown => v !== undefined);
