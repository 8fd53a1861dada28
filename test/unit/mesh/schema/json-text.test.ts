/**
 * @module test/unit/mesh/schema/json-text
 * Payload JSON text: strict first, tolerant of the reference examples' wrapped strings (docs/mesh-compatibility.md §14.3), no input echoed.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { parseJsonText, unwrapStringLineBreaks } from '../../../../src/mesh/schema/json-text.js';

describe('parseJsonText', () => {
  it('parses strict JSON', () => {
    expect(parseJsonText('{"A":[1,"x"]}')).toEqual({ A: [1, 'x'] });
  });
  it('tolerates line-wrapped strings as printed in the reference examples (docs/mesh-compatibility.md §14.3)', () => {
    const wrapped =
      '{"ActivationKey":"ZAAQ-H7CI-YZHV-CODZ-P3DR-5E6K-AF3P-TIDI-36IU-D\n67X-7X4T",\n  "Public":"AAAA\r\n  BBBB"}';
    expect(parseJsonText(wrapped)).toEqual({
      ActivationKey: 'ZAAQ-H7CI-YZHV-CODZ-P3DR-5E6K-AF3P-TIDI-36IU-D67X-7X4T',
      Public: 'AAAABBBB',
    });
  });
  it('leaves escapes and text outside strings alone', () => {
    expect(unwrapStringLineBreaks('{"a":"x\\"\ny"}\n')).toBe('{"a":"x\\"y"}\n');
  });
  it('throws SchemaError without quoting the input', () => {
    const secret = '{"PrivateValue":"ZAAQ-TOP-SECRET"';
    try {
      parseJsonText(secret, 'payload');
      expect.fail('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      expect((e as SchemaError).path).toBe('payload');
      expect((e as Error).message).not.toContain('SECRET');
      expect((e as Error).cause).toBeUndefined();
    }
  });
});
