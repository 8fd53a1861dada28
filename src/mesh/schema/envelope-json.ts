/**
 * @module mesh/schema/envelope-json
 * The JSON form of a DARE envelope as it appears in a Mesh object field
 * (`Enveloped<Type>`): `[header, "<b64url payload>", trailer?]` (docs/mesh-compatibility.md §4.1).
 * Only the shape lives here, so object schemas can validate fields without importing the
 * DARE implementation; `src/mesh/dare` gives it meaning.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';
import type { UncheckedObject } from '../encoding/json-value.js';

export type EnvelopeJson =
  | readonly [header: UncheckedObject, payload: string]
  | readonly [header: UncheckedObject, payload: string, trailer: UncheckedObject];

function isPlainObject(value: unknown): value is UncheckedObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the envelope shape, naming `path` (e.g. `RequestConnection.AuthenticatedData`). */
export function parseEnvelopeJson(value: unknown, path = 'envelope'): EnvelopeJson {
  // The tagged form {"DareEnvelope": [...]} is accepted wherever an envelope is.
  if (isPlainObject(value) && Object.keys(value).length === 1 && 'DareEnvelope' in value) {
    return parseEnvelopeJson(value['DareEnvelope'], `${path}.DareEnvelope`);
  }
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    throw new InvalidEncodingError(
      `"${path}" expected a DARE envelope [header, payload, trailer?], got ${Array.isArray(value) ? `an array of ${value.length}` : typeof value}`,
      { context: { path, expected: 'DARE envelope' } },
    );
  }
  const [header, payload, trailer] = value as unknown[];
  if (!isPlainObject(header)) {
    throw new InvalidEncodingError(`"${path}[0]" expected the envelope header object`, {
      context: { path: `${path}[0]` },
    });
  }
  if (typeof payload !== 'string') {
    throw new InvalidEncodingError(`"${path}[1]" expected the base64url payload string`, {
      context: { path: `${path}[1]` },
    });
  }
  if (value.length === 3) {
    if (!isPlainObject(trailer)) {
      throw new InvalidEncodingError(`"${path}[2]" expected the envelope trailer object`, {
        context: { path: `${path}[2]` },
      });
    }
    return [header, payload, trailer];
  }
  return [header, payload];
}
