/**
 * @module test/unit/mesh/schema/scalars
 * String, integer, boolean and enumeration schemas: values accepted, errors naming path, expectation and kind, never a secret value.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { boolean, enumeration, integer, string } from '../../../../src/mesh/schema/scalars.js';

function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  return expect.fail('expected a SchemaError');
}

describe('string', () => {
  it('accepts strings and writes them unchanged', () => {
    expect(string().parse('alice@example.com', 'X.AccountAddress')).toBe('alice@example.com');
    expect(string().toJson('x')).toBe('x');
  });
  it('names the path, the expectation and the kind found, never the value', () => {
    const e = schemaError(() => string().parse(42, 'RequestConnection.AccountAddress'));
    expect(e.message).toBe('"RequestConnection.AccountAddress" expected a string, got an integer');
    expect(e.context).toEqual({ path: 'RequestConnection.AccountAddress', expected: 'a string', actual: 'an integer' });
    expect(e.code).toBe('ERR_SCHEMA');
  });
  it('enforces minLength without echoing the text', () => {
    const e = schemaError(() => string({ minLength: 1 }).parse('', 'Message.MessageId'));
    expect(e.path).toBe('Message.MessageId');
    expect(e.actual).toBe('a string of length 0');
    const secret = 'ZAAQ-SECRET-SEED';
    const e2 = schemaError(() => string({ maxLength: 4 }).parse(secret, 'PrivateKeyUDF.PrivateValue'));
    expect(e2.message).not.toContain(secret);
  });
  it.each([null, undefined, true, [], {}, 1.5])('rejects %j', (v) => {
    expect(() => string().parse(v)).toThrow(SchemaError);
  });
});

describe('integer', () => {
  it('accepts safe integers in range', () => {
    expect(integer().parse(201)).toBe(201);
    expect(integer({ min: 0, max: 10 }).toJson(10)).toBe(10);
  });
  it.each([1.5, Number.NaN, Infinity, 2 ** 53, '1', null])('rejects %j', (v) => {
    const e = schemaError(() => integer().parse(v, 'R.Status'));
    expect(e.path).toBe('R.Status');
  });
  it('rejects out-of-range values', () => {
    expect(() => integer({ min: 0 }).parse(-1, 'x')).toThrow(/"x" expected an integer in \[0, 2\^53\], got -1/);
  });
});

describe('boolean', () => {
  it('accepts true and false only', () => {
    expect(boolean().parse(true)).toBe(true);
    expect(boolean().parse(false)).toBe(false);
    const e = schemaError(() => boolean().parse('true', 'MessagePin.Automatic'));
    expect(e.message).toBe('"MessagePin.Automatic" expected a boolean, got a string of length 4');
  });
});

describe('enumeration', () => {
  const result = enumeration(['Accept', 'Reject', 'Pending', 'Expired']);
  it('accepts the fixed labels exactly', () => {
    expect(result.parse('Accept')).toBe('Accept');
    expect(result.toJson('Expired')).toBe('Expired');
  });
  it('rejects other labels, echoing the short label found', () => {
    const e = schemaError(() => result.parse('accept', 'RespondConnection.Result'));
    expect(e.message).toBe('"RespondConnection.Result" expected one of Accept|Reject|Pending|Expired, got "accept"');
  });
  it('cuts long labels so a peer cannot flood the log', () => {
    const e = schemaError(() => result.parse('A'.repeat(1000), 'r'));
    expect(e.message.length).toBeLessThan(200);
  });
  it('rejects non-strings by kind', () => {
    expect(schemaError(() => result.parse(1, 'r')).actual).toBe('an integer');
  });
});
