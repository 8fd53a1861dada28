/**
 * @module mesh/messages/udf-string
 * Identifier fields that hold a UDF or a UDF-like id (PinId, ResponseId, PublicationId,
 * device UDFs): Base32 groups and dashes, bounded, read in upper case since UDFs compare
 * case-insensitively.
 */
import { fail, kindOf, type Schema } from '../schema/index.js';

export function udfString(): Schema<string> {
  const expected = 'a UDF string (Base32 with dashes, at most 128 characters)';
  const check = (value: unknown, path: string): string => {
    if (typeof value !== 'string' || !/^[A-Za-z2-7]+(?:-[A-Za-z2-7]+)*$/.test(value) || value.length > 128) {
      fail(path, expected, kindOf(value));
    }
    return value.toUpperCase();
  };
  return {
    expected,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}
