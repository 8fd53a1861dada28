/**
 * @module test/unit/mesh/schema/date-time
 * DateTime fields: RFC 3339 in, the reference "YYYY-MM-DDThh:mm:ssZ" out, impossible calendar values rejected.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { dateTime, formatRfc3339, parseRfc3339 } from '../../../../src/mesh/schema/date-time.js';

describe('dateTime', () => {
  const schema = dateTime();
  it('reads the reference form and writes it back', () => {
    const d = schema.parse('2021-08-06T16:37:40Z', 'MessagePin.Expires');
    expect(d.getTime()).toBe(Date.UTC(2021, 7, 6, 16, 37, 40));
    expect(schema.toJson(d)).toBe('2021-08-06T16:37:40Z');
  });
  it('accepts offsets, fractions and lower-case separators (RFC 3339 §5.6), writing UTC', () => {
    expect(schema.toJson(schema.parse('2021-08-06T18:37:40+02:00'))).toBe('2021-08-06T16:37:40Z');
    expect(schema.toJson(schema.parse('2021-08-06t16:37:40.999z'))).toBe('2021-08-06T16:37:40Z');
    expect(schema.parse('2021-08-06T16:37:40.5Z').getUTCMilliseconds()).toBe(500);
  });
  it('keeps years below 100 (Date.UTC would map them to 19xx)', () => {
    expect(schema.toJson(schema.parse('0099-01-01T00:00:00Z'))).toBe('0099-01-01T00:00:00Z');
  });
  it('handles leap years', () => {
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toBeInstanceOf(Date);
    expect(parseRfc3339('2000-02-29T00:00:00Z')).toBeInstanceOf(Date);
    expect(parseRfc3339('1900-02-29T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2023-02-29T00:00:00Z')).toBeUndefined();
  });
  it.each([
    '2021-02-30T00:00:00Z',
    '2021-13-01T00:00:00Z',
    '2021-00-10T00:00:00Z',
    '2021-04-31T00:00:00Z',
    '2021-08-06T24:00:00Z',
    '2021-08-06T23:60:00Z',
    '2021-08-06T23:59:60Z',
    '2021-08-06 16:37:40Z',
    '2021-08-06T16:37:40',
    '2021-08-06',
    '2021-08-06T16:37:40+24:00',
    '',
    'yesterday',
  ])('rejects %j naming the path', (text) => {
    try {
      schema.parse(text, 'MessageClaim.Expires');
      expect.fail('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      expect((e as SchemaError).path).toBe('MessageClaim.Expires');
      expect((e as Error).message).toContain('"MessageClaim.Expires" expected an RFC 3339 date-time');
    }
  });
  it('rejects non-strings and invalid Dates', () => {
    expect(() => schema.parse(1628267860, 'x')).toThrow(/got an integer/);
    expect(() => schema.toJson(new Date(Number.NaN), 'x')).toThrow(SchemaError);
    expect(() => schema.toJson('2021-08-06T16:37:40Z' as unknown as Date, 'x')).toThrow(SchemaError);
    expect(formatRfc3339(new Date(Date.UTC(10000, 0, 1)))).toBeUndefined();
  });
});
