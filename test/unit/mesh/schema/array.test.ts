/**
 * @module test/unit/mesh/schema/array
 * Multiple fields: arrays with indexed error paths and length bounds.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { array } from '../../../../src/mesh/schema/array.js';
import { string } from '../../../../src/mesh/schema/scalars.js';

describe('array', () => {
  it('parses each element and writes them back', () => {
    const roles = array(string());
    expect(roles.parse(['message', 'web'])).toEqual(['message', 'web']);
    expect(roles.toJson(['a'])).toEqual(['a']);
  });
  it('names the index of a bad element', () => {
    try {
      array(string()).parse(['ok', 7], 'ConnectionDevice.Roles');
      expect.fail('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      expect((e as SchemaError).path).toBe('ConnectionDevice.Roles[1]');
    }
  });
  it('rejects non-arrays and enforces bounds', () => {
    expect(() => array(string()).parse('message', 'r')).toThrow(
      /"r" expected an array \(each a string\), got a string/,
    );
    expect(() => array(string(), { minLength: 1 }).parse([], 'r')).toThrow(SchemaError);
    expect(() => array(string(), { maxLength: 1 }).toJson(['a', 'b'], 'r')).toThrow(SchemaError);
  });
});
