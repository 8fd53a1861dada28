import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { base64urlDecode } from '../../../../src/mesh/encoding/base64url.js';
import type { JsonBValue } from '../../../../src/mesh/encoding/jsonb.js';
import { parseJsonB } from '../../../../src/mesh/encoding/jsonb-reader.js';
import { encodeJsonB, encodeJsonText } from '../../../../src/mesh/encoding/jsonb-writer.js';
import reference from '../../../vectors/dare/reference-envelopes.json' with { type: 'json' };

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const bytes = (...parts: Array<number | number[]>) => Uint8Array.from(parts.flat());

function expectEncodingError(run: () => unknown, ...fragments: string[]): InvalidEncodingError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InvalidEncodingError);
  const error = caught as InvalidEncodingError;
  for (const f of fragments) expect(error.message).toContain(f);
  return error;
}

describe('JSON-B writer (reference JSONBWriter format)', () => {
  it('writes objects with 0xB4 field names and no commas or colons', () => {
    expect(encodeJsonB({ Udf: 'MA7J', n: 5, b: true, z: null })).toEqual(
      bytes(
        0x7b,
        0xb4,
        3,
        ascii('Udf'),
        0x80,
        4,
        ascii('MA7J'),
        0xb4,
        1,
        ascii('n'),
        0xa0,
        5,
        0xb4,
        1,
        ascii('b'),
        0xb0,
        0xb4,
        1,
        ascii('z'),
        0xb2,
        0x7d,
      ),
    );
  });

  it('chooses the narrowest length and integer widths', () => {
    expect(encodeJsonB(255)).toEqual(bytes(0xa0, 0xff));
    expect(encodeJsonB(256)).toEqual(bytes(0xa1, 1, 0));
    expect(encodeJsonB(0x10000)).toEqual(bytes(0xa2, 0, 1, 0, 0));
    expect(encodeJsonB(2 ** 32)).toEqual(bytes(0xa3, 0, 0, 0, 1, 0, 0, 0, 0));
    expect(encodeJsonB(-1)).toEqual(bytes(0xa8, 1));
    expect(encodeJsonB(0xffffffffffffffffn)).toEqual(bytes(0xa3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(encodeJsonB(new Uint8Array(300)).subarray(0, 3)).toEqual(bytes(0x89, 1, 44));
    expect(encodeJsonB([false, 'x'])).toEqual(bytes(0x5b, 0xb1, 0x80, 1, 0x78, 0x5d));
  });

  it('writes UTF-8 byte lengths for non-ASCII text (the reference writes UTF-16 counts)', () => {
    expect(encodeJsonB('é')).toEqual(bytes(0x80, 2, 0xc3, 0xa9));
  });

  it('rejects values JSON-B cannot carry, naming the path', () => {
    expect(() => encodeJsonB({ a: [1n << 64n] })).toThrow(InvalidArgumentError);
    expect(() => encodeJsonB({ a: [1n << 64n] })).toThrow('value.a[0]');
    expect(() => encodeJsonB({ a: Number.NaN })).toThrow('value.a');
  });
});

describe('JSON-B reader', () => {
  it('reads a reference-written JSON-B payload (CatalogedDevice ConnectionDevice)', () => {
    const payload = base64urlDecode(reference.connectionDevice[1] as string);
    const value = parseJsonB(payload) as Record<string, Record<string, Record<string, unknown>>>;
    const device = value['ConnectionDevice'] as Record<string, Record<string, unknown>>;
    expect(device['Authentication']?.['Udf']).toBe('MA7J-ASOU-KO56-62FA-I4GE-CIH5-VRRQ');
    const params = device['Authentication']?.['PublicParameters'] as Record<string, Record<string, unknown>>;
    expect(params['PublicKeyECDH']?.['crv']).toBe('X448');
    expect((params['PublicKeyECDH']?.['Public'] as Uint8Array | undefined)?.length).toBe(57);
    expect(device['Roles']).toEqual(['threshold']);
    // Our writer reproduces the reference's bytes exactly (all ASCII).
    expect(encodeJsonB(value as JsonBValue)).toEqual(payload);
  });

  it('reads plain JSON strictly', () => {
    expect(parseJsonB('{"a": [1, -2.5e1, "x\\u00e9\\n", true, null], "b": {}}')).toEqual({
      a: [1, -25, 'xé\n', true, null],
      b: {},
    });
    expect(parseJsonB('12345678901234567890')).toBe(12345678901234567890n);
    expectEncodingError(() => parseJsonB('{"a" 1}'), 'expected ":"', 'offset 5');
    expectEncodingError(() => parseJsonB('[1 2]'), 'expected "," or "]"', 'offset 3');
    expectEncodingError(() => parseJsonB('[1,]'), 'trailing comma', 'offset 3');
    expectEncodingError(() => parseJsonB('{"a":1,"a":2}'), 'repeats the field name "a"', 'offset 7');
    expectEncodingError(() => parseJsonB('{"a":1} x'), 'unexpected data', 'offset 8');
    expectEncodingError(() => parseJsonB('"\u0001"'), 'control character');
    expectEncodingError(() => parseJsonB('"a\nb"', { strictStrings: true }), 'control character', 'offset 2');
    expectEncodingError(() => parseJsonB(''), 'is empty');
  });

  it('keeps the raw line breaks the reference writes inside wrapped base64url strings', () => {
    // Shape of a decrypted reference payload: "ContentMetaData": "ewog…1\n  LQ0s…" (§14.3).
    const value = parseJsonB('{"ContentMetaData": "VGhp\n  cyBp"}') as Record<string, string>;
    expect(value['ContentMetaData']).toBe('VGhp\n  cyBp');
    expect(new TextDecoder().decode(base64urlDecode(value['ContentMetaData'] as string))).toBe('This i');
  });

  it('accepts the reference mix of JSON-B tags and JSON text tokens', () => {
    // DateTime is written as quoted JSON text, floats as text, inside a JSON-B object.
    const mixed = bytes(
      0x7b,
      0xb4,
      1,
      ascii('d'),
      ascii('"2021-08-05T16:37:40Z"'),
      0xb4,
      1,
      ascii('f'),
      ascii('1.5'),
      0x7d,
    );
    expect(parseJsonB(mixed)).toEqual({ d: '2021-08-05T16:37:40Z', f: 1.5 });
  });

  it('joins chunked strings and binary data', () => {
    expect(parseJsonB(bytes(0x84, 1, 0xc3, 0x80, 1, 0xa9))).toBe('é');
    expect(parseJsonB(bytes(0x8c, 2, 1, 2, 0x88, 1, 3))).toEqual(bytes(1, 2, 3));
  });

  it('reads reference UTF-16-counted strings only when asked', () => {
    // The reference writes "é" as 0x80 01 C3 A9 (length 1 = one UTF-16 unit).
    const quirk = bytes(0x5b, 0x80, 1, 0xc3, 0xa9, 0x5d);
    expectEncodingError(() => parseJsonB(quirk), 'not valid UTF-8', 'utf16Lengths');
    expect(parseJsonB(quirk, { utf16Lengths: true })).toEqual(['é']);
    expect(parseJsonB(bytes(0x80, 2, 0xf0, 0x9f, 0x98, 0x80), { utf16Lengths: true })).toBe('😀');
  });

  it('reports truncation and garbage with the offset', () => {
    expectEncodingError(() => parseJsonB(bytes(0x7b, 0xb4, 5, ascii('ab'))), 'truncated', 'offset 1');
    expectEncodingError(() => parseJsonB(bytes(0x88, 10, 1, 2)), 'declares 10 bytes but 2 remain', 'offset 0');
    expectEncodingError(() => parseJsonB(bytes(0x89, 1)), 'needs 2 length bytes', 'offset 0');
    expectEncodingError(() => parseJsonB(bytes(0x8b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), 'truncated');
    expectEncodingError(() => parseJsonB(bytes(0x5b, 0xa0, 1)), 'truncated', 'offset 3');
    expectEncodingError(() => parseJsonB(bytes(0x5b, 0xc0, 0x5d)), 'unsupported JSON-B tag 0xc0', 'offset 1');
    expectEncodingError(() => parseJsonB(bytes(0x5b, 0xb4, 1, 0x61, 0x5d)), 'field name tag where a value', 'offset 1');
    expectEncodingError(() => parseJsonB(bytes(0x84, 1, 0x61)), 'chunk not followed');
    const error = expectEncodingError(
      () => parseJsonB(bytes(0x7b, 0x80), { what: 'ConnectionDevice' }),
      '"ConnectionDevice"',
    );
    expect(error.context).toMatchObject({ what: 'ConnectionDevice', encoding: 'JSON-B' });
  });

  it('stops depth bombs at the limit instead of recursing', () => {
    const bomb = '['.repeat(100_000) + ']'.repeat(100_000);
    expectEncodingError(() => parseJsonB(bomb), 'deeper than the limit of 64', 'offset 64');
    expect(() => parseJsonB('['.repeat(64) + ']'.repeat(64))).not.toThrow();
    expectEncodingError(() => parseJsonB('[[[]]]', { maxDepth: 2 }), 'limit of 2');
    const binaryBomb = new Uint8Array(200_000).fill(0x5b);
    binaryBomb[1] = 0xb2; // a tag byte (null) makes it JSON-B; arrays then need no commas
    expectEncodingError(() => parseJsonB(binaryBomb), 'deeper than the limit');
  });

  it('keeps "__proto__" as an ordinary field', () => {
    const value = parseJsonB('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  const value: fc.Arbitrary<JsonBValue> = fc.letrec<{ v: JsonBValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc
        .bigInt({ min: -(1n << 64n) + 1n, max: (1n << 64n) - 1n })
        .filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)),
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
    ),
  })).v;

  it('round-trips any value through JSON-B', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(parseJsonB(encodeJsonB(v))).toEqual(v);
      }),
    );
  });

  it('round-trips through JSON text, binary becoming base64url', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = encodeJsonText(v);
        const expected = JSON.parse(
          JSON.stringify(v, (_k, x: unknown) =>
            typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? 'BIN' : x,
          ),
        );
        const back = JSON.parse(
          JSON.stringify(parseJsonB(text), (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)),
        );
        // Binary comes back as its base64url string; compare shapes with binary masked.
        const mask = (x: unknown, model: unknown): unknown =>
          model === 'BIN'
            ? 'BIN'
            : Array.isArray(x)
              ? x.map((y, i) => mask(y, (model as unknown[])[i]))
              : x !== null && typeof x === 'object'
                ? Object.fromEntries(
                    Object.entries(x).map(([k, y]) => [k, mask(y, (model as Record<string, unknown>)[k])]),
                  )
                : x;
        expect(mask(back, expected)).toEqual(expected);
      }),
    );
  });

  it('never throws anything but InvalidEncodingError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        try {
          parseJsonB(input);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidEncodingError);
        }
      }),
    );
  });
});
