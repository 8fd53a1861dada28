/**
 * @module mesh/schema/envelope
 * `Enveloped<Type>` and `DareEnvelope` fields: the JSON array form of a DARE envelope
 * (docs/mesh-compatibility.md §4.1). Only the shape is checked here — via the shared `parseEnvelopeJson`
 * — so object schemas stay independent of the DARE implementation that gives envelopes
 * meaning. Its `InvalidEncodingError` is re-thrown as a `SchemaError` so a caller of any
 * object schema catches one class.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';
import { parseEnvelopeJson, type EnvelopeJson } from './envelope-json.js';
import { fail, isPlainObject, kindOf, ownField, type Schema } from './schema.js';

export type { EnvelopeJson } from './envelope-json.js';

const EXPECTED = 'a DARE envelope [header, payload, trailer?]';
const ELEMENTS = ['the envelope header object', 'the base64url payload string', 'the envelope trailer object'] as const;

/** The array itself, also inside the tagged form `{"DareEnvelope": [...]}`. */
function arrayOf(value: unknown): unknown {
  return isPlainObject(value) ? ownField(value, 'DareEnvelope') : value;
}

function check(value: unknown, path: string): EnvelopeJson {
  try {
    return parseEnvelopeJson(value, path);
  } catch (cause) {
    if (!(cause instanceof InvalidEncodingError)) throw cause;
    const where = cause.context['path'];
    const at = typeof where === 'string' ? where : path;
    // Only the suffix parseEnvelopeJson added tells which element failed: `path` itself may
    // end in `[n]` when the envelope is an array element (EnvelopedActivationApplication[1]).
    const suffix = at.startsWith(path) ? at.slice(path.length) : '';
    const index = /^(?:\.DareEnvelope)?\[(\d)\]$/.exec(suffix);
    if (index === null) {
      // The value (or the tagged form's inner value) is not a 2- or 3-element array.
      fail(at, EXPECTED, kindOf(at === path ? value : arrayOf(value)), cause);
    }
    // A fault inside the envelope: name the element (`…AuthenticatedData[1]`).
    const i = Number(index[1]);
    const element = (arrayOf(value) as unknown[])[i];
    fail(at, ELEMENTS[i] ?? 'an envelope element', kindOf(element), cause);
  }
}

/**
 * Writing emits the bare array (the reference's `Enveloped*` field form); the tagged
 * `{"DareEnvelope": …}` form is accepted on read only.
 */
export function envelope(): Schema<EnvelopeJson> {
  return {
    expected: EXPECTED,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}
