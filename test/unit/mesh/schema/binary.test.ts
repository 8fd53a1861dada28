/**
 * @module test/unit/mesh/schema/binary
 * Binary fields: base64url ↔ Uint8Array, lenient reading as the reference (docs/mesh-compatibility.md §4.1), fixed lengths, no value echo.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { binary } from '../../../../src/mesh/schema/binary.js';

function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  return expect.fail('expected a SchemaError');
}

describe('binary', () => {
  it('decodes base64url to bytes and writes unpadded base64url', () => {
    const nonce = binary({ length: 16 });
    const bytes = nonce.parse('VGxxL-LKUQyqn_Rpdj86Zg', 'RequestConnection.ClientNonce');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(16);
    expect(nonce.toJson(bytes)).toBe('VGxxL-LKUQyqn_Rpdj86Zg');
  });
  it('reads line-wrapped and padded values as the reference does (docs/mesh-compatibility.md §4.1)', () => {
    expect(binary().parse('AQID\n  BA==')).toEqual(Uint8Array.from([1, 2, 3, 4]));
  });
  it('rejects a character outside the alphabet, naming the position but not the value', () => {
    const e = schemaError(() => binary().parse('AAAA!AAA', 'KeyData.PrivateParameters.PrivateKeyECDH.Private'));
    expect(e.path).toBe('KeyData.PrivateParameters.PrivateKeyECDH.Private');
    expect(e.message).toContain('position 4');
    expect(e.message).not.toContain('AAAA!AAA');
  });
  it('rejects a dangling character', () => {
    expect(schemaError(() => binary().parse('AAAAA', 'x')).actual).toMatch(/truncated/);
  });
  it('enforces exact length', () => {
    const e = schemaError(() => binary({ length: 16 }).parse('AAAA', 'AcknowledgeConnection.ServerNonce'));
    expect(e.message).toBe('"AcknowledgeConnection.ServerNonce" expected base64url binary of 16 bytes, got 3 bytes');
  });
  it('enforces min and max length', () => {
    expect(() => binary({ minLength: 1 }).parse('')).toThrow(SchemaError);
    expect(() => binary({ maxLength: 2 }).parse('AAAA')).toThrow(SchemaError);
  });
  it('rejects non-strings when parsing and non-bytes when writing', () => {
    expect(schemaError(() => binary().parse([1, 2], 'x')).actual).toBe('an array of 2');
    expect(schemaError(() => binary().toJson('AAAA' as unknown as Uint8Array, 'x')).actual).toBe(
      'a string of length 4',
    );
    expect(() => binary({ length: 2 }).toJson(new Uint8Array(3), 'x')).toThrow(SchemaError);
  });
});
