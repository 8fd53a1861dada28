/**
 * @module test/unit/mesh/schema/envelope
 * Enveloped fields: DARE envelope JSON shape (docs/mesh-compatibility.md §4.1) and the element named in each fault.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { envelope } from '../../../../src/mesh/schema/envelope.js';

function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  return expect.fail('expected a SchemaError');
}

describe('envelope', () => {
  const schema = envelope();
  const header = { EnvelopeId: 'MAAA-BBBB', dig: 'S512' };
  it('accepts [header, payload] and [header, payload, trailer]', () => {
    expect(schema.parse([header, 'e30'])).toEqual([header, 'e30']);
    const three = [header, 'e30', { PayloadDigest: 'AAAA' }];
    expect(schema.parse(three)).toEqual(three);
    expect(schema.toJson(schema.parse(three) as never)).toEqual(three);
  });
  it('accepts the tagged {"DareEnvelope": [...]} form and writes the bare array', () => {
    const parsed = schema.parse({ DareEnvelope: [header, 'e30'] });
    expect(schema.toJson(parsed)).toEqual([header, 'e30']);
  });
  it('rejects an envelope that is not an array', () => {
    const e = schemaError(() => schema.parse('AAAA', 'RequestConnection.AuthenticatedData'));
    expect(e.path).toBe('RequestConnection.AuthenticatedData');
    expect(e.message).toBe(
      '"RequestConnection.AuthenticatedData" expected a DARE envelope [header, payload, trailer?], got a string of length 4',
    );
  });
  it.each([[[]], [[header]], [[header, 'a', {}, {}]]])('rejects an array of the wrong length %#', (v) => {
    expect(schemaError(() => schema.parse(v, 'p')).actual).toBe(`an array of ${(v as unknown[]).length}`);
  });
  it('names the element at fault', () => {
    expect(schemaError(() => schema.parse(['h', 'e30'], 'E')).path).toBe('E[0]');
    const e1 = schemaError(() => schema.parse([header, 42], 'RequestConnection.AuthenticatedData'));
    expect(e1.path).toBe('RequestConnection.AuthenticatedData[1]');
    expect(e1.message).toBe(
      '"RequestConnection.AuthenticatedData[1]" expected the base64url payload string, got an integer',
    );
    expect(schemaError(() => schema.parse([header, 'e30', []], 'E')).path).toBe('E[2]');
  });
  it('describes a whole-envelope fault even when the envelope is itself an array element', () => {
    const e = schemaError(() => schema.parse('x', 'CatalogedDevice.EnvelopedActivationApplication[1]'));
    expect(e.path).toBe('CatalogedDevice.EnvelopedActivationApplication[1]');
    expect(e.expected).toBe('a DARE envelope [header, payload, trailer?]');
    expect(e.actual).toBe('a string of length 1');
    expect(schemaError(() => schema.parse([{}, 1], 'L[3]')).path).toBe('L[3][1]');
  });
  it('names the path inside the tagged form', () => {
    expect(schemaError(() => schema.parse({ DareEnvelope: 'x' }, 'E')).path).toBe('E.DareEnvelope');
    expect(schemaError(() => schema.parse({ DareEnvelope: [header, null] }, 'E')).path).toBe('E.DareEnvelope[1]');
  });
});
