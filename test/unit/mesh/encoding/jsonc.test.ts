/**
 * @module test/unit/mesh/encoding/jsonc
 * JSON-C (draft-hallambaker-jsonbcd-21 §5) is read wherever JSON-B is: the draft's examples
 * (test/vectors/dare/jsonbcd21-jsonc-examples.json), a self-consistency round trip through a
 * small JSON-C compressor written here, signed DARE envelopes carried in JSON-C, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, utf8 } from '../../../../src/crypto/bytes.js';
import { InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { base64urlDecode } from '../../../../src/mesh/encoding/base64url.js';
import { isJsonBObject, type JsonBValue } from '../../../../src/mesh/encoding/jsonb.js';
import { parseJsonB } from '../../../../src/mesh/encoding/jsonb-reader.js';
import { encodeJsonB } from '../../../../src/mesh/encoding/jsonb-writer.js';
import { decodeEnvelope, envelopeToJsonB, parseEnvelope } from '../../../../src/mesh/dare/envelope.js';
import { verifyEnvelope } from '../../../../src/mesh/dare/signature.js';
import ed25519Vectors from '../../../vectors/dare/dare12-ed25519-signed.json' with { type: 'json' };
import jsonc from '../../../vectors/dare/jsonbcd21-jsonc-examples.json' with { type: 'json' };
import ed448Vector from '../../../vectors/dare/t10-signature.json' with { type: 'json' };

const hex = (spaced: string) => fromHex(spaced.replace(/\s+/g, ''));
const bytes = (...parts: Array<number | Uint8Array>) =>
  concat(...parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : p)));

function expectEncodingError(run: () => unknown, ...fragments: string[]): InvalidEncodingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEncodingError);
    for (const f of fragments) expect((error as Error).message).toContain(f);
    return error as InvalidEncodingError;
  }
  throw new Error('expected an InvalidEncodingError');
}

/**
 * A JSON-C writer for the tests only: every string (field name or value) is defined with
 * `0xC8` (or `0xC9` once the codes pass 255) on its first occurrence and referenced with
 * `0xC0`/`0xC1` after; everything else is plain JSON-B.
 */
function toJsonC(value: JsonBValue): Uint8Array {
  const codes = new Map<string, number>();
  const codeBytes = (base: number, code: number) =>
    code < 0x100 ? Uint8Array.of(base, code) : Uint8Array.of(base + 1, code >> 8, code & 0xff);
  const text = (s: string): Uint8Array => {
    const known = codes.get(s);
    if (known !== undefined) return codeBytes(0xc0, known);
    const code = codes.size + 1;
    codes.set(s, code);
    return concat(codeBytes(0xc8, code), encodeJsonB(s));
  };
  const write = (v: JsonBValue): Uint8Array => {
    if (typeof v === 'string') return text(v);
    // Commas kept, so that a tree with no tagged item (`[[],[]]`) is still valid JSON.
    const list = (items: Uint8Array[]) => items.flatMap((x, i) => (i === 0 ? [x] : [utf8(','), x]));
    if (Array.isArray(v)) return concat(utf8('['), ...list(v.map(write)), utf8(']'));
    if (isJsonBObject(v)) {
      return concat(utf8('{'), ...list(Object.entries(v).map(([k, x]) => concat(text(k), write(x)))), utf8('}'));
    }
    return encodeJsonB(v);
  };
  return write(value);
}

describe('jsonbcd-21 §5.1 examples', () => {
  it('reads each example in order: define-and-use, define only, 8- and 16-bit references', () => {
    const items = jsonc.examples.map((e) => hex(e.hex));
    const expected = jsonc.examples.filter((e) => e.value !== undefined).map((e) => e.value);
    expect(parseJsonB(bytes(0x5b, ...items, 0x5d))).toEqual(expected);
  });

  it('a code defined only (0xC4) yields no value, and is usable afterwards', () => {
    const [, defineOnly] = jsonc.examples;
    expect(parseJsonB(bytes(0x5b, hex(defineOnly?.hex ?? ''), 0xc0, 0x21, 0xc2, 0, 0, 0, 0x21, 0x5d))).toEqual([
      'Hello',
      'Hello',
    ]);
  });

  it('the dictionary example is refused with a typed error: it needs the external dictionary', () => {
    expectEncodingError(
      () => parseJsonB(bytes(0x5b, hex(jsonc.dictionaryExample.hex), 0x5d), { what: 'payload' }),
      '"payload"',
      'dictionary tag 0xd0',
      'offset 1',
    );
  });
});

describe('JSON-C field names and values', () => {
  it('a field name may be a reference or a definition, and values may reuse it', () => {
    const input = bytes(
      0x7b,
      hex('C8 01 80 03 6b 69 64'), // "kid" defined and used as a field name
      hex('C8 02 88 02 01 02'), // binary 01 02, defined and used as the value
      0xb4,
      1,
      0x61, // "a": JSON-B field name tag, unchanged
      hex('5b C0 01 C0 02 5d'), // ["kid", 01 02]
      0x7d,
    );
    expect(parseJsonB(input)).toEqual({ kid: Uint8Array.of(1, 2), a: ['kid', Uint8Array.of(1, 2)] });
  });

  it('each reference to binary data is its own copy', () => {
    const value = parseJsonB(bytes(hex('5b C8 07 88 01 09 C0 07 5d'))) as Uint8Array[];
    expect(value[0]).toEqual(value[1]);
    expect(value[0]).not.toBe(value[1]);
  });

  it('round-trips any JSON value through the test compressor', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.uint8Array());
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.constantFrom('kid', 'alg', 'x', 'Salt'), tie('node'), { maxKeys: 4 }),
      ),
    })).node as fc.Arbitrary<JsonBValue>;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 5 }), (value) => {
        expect(parseJsonB(toJsonC(value))).toEqual(value);
      }),
    );
  });

  it('16-bit codes work past 255 definitions', () => {
    const strings = Array.from({ length: 300 }, (_, i) => `s${i}`);
    const value = [...strings, ...strings];
    expect(parseJsonB(toJsonC(value))).toEqual(value);
  });
});

describe('signed DARE envelopes carried in JSON-C', () => {
  it("dare-12 §13.4's Ed25519ctx envelope still verifies", () => {
    const envelope = parseEnvelope(ed25519Vectors.signedMessage);
    const bytesC = toJsonC({ DareEnvelope: envelopeToJsonB(envelope) });
    expect(bytesC.some((b) => b === 0xc0)).toBe(true);
    const again = decodeEnvelope(bytesC);
    expect(again).toEqual(envelope);
    const signer = {
      publicKey: { alg: 'Ed25519' as const, publicKey: base64urlDecode(ed25519Vectors.signerPublicKey) },
      kid: ed25519Vectors.signerKid,
    };
    expect(verifyEnvelope(again, [signer]).scheme).toBe('Ed25519ctx');
  });

  it("protocol-09's Ed448-signed envelope still verifies", () => {
    const envelope = parseEnvelope(ed448Vector.envelope);
    const again = decodeEnvelope(toJsonC(envelopeToJsonB(envelope)));
    const signer = {
      publicKey: { alg: 'Ed448' as const, publicKey: base64urlDecode(ed448Vector.signerPublicKey) },
      kid: ed448Vector.signerKid,
    };
    expect(verifyEnvelope(again, [signer]).scheme).toBe('Ed448');
  });
});

describe('bad JSON-C', () => {
  it('a reference to a code never defined names the tag, the code and the offset', () => {
    expectEncodingError(() => parseJsonB(bytes(0x5b, 0xc1, 0, 0x2a, 0x5d)), 'tag 0xc1', 'code 42', 'offset 1');
  });

  it('a field name standing for binary data is refused', () => {
    expectEncodingError(() => parseJsonB(hex('7b C8 01 88 01 00 B2 7d')), 'field name that stands for binary');
  });

  it('a code redefined to a different item is refused; the same item is accepted', () => {
    expectEncodingError(
      () => parseJsonB(hex('5b C8 01 80 01 61 C8 01 80 01 62 5d')),
      'redefines JSON-C code 1',
      'offset 6',
    );
    expect(parseJsonB(hex('5b C8 01 80 01 61 C8 01 80 01 61 5d'))).toEqual(['a', 'a']);
  });

  it('a definition must be followed by a string or binary item', () => {
    expectEncodingError(() => parseJsonB(hex('5b C4 01 A0 05 5d')), 'definition of code 1', 'byte 0xa0', 'offset 3');
  });

  it('tags with no code width, dictionaries and truncated codes are refused', () => {
    expectEncodingError(() => parseJsonB(hex('5b C3 5d')), 'unsupported JSON-C tag 0xc3');
    expectEncodingError(() => parseJsonB(hex('5b CC 01 5d')), 'dictionary tag 0xcc');
    expectEncodingError(() => parseJsonB(hex('5b C2 00 01')), 'needs 4 length bytes', 'offset 1');
    expectEncodingError(() => parseJsonB(hex('5b C4 01')), 'truncated');
  });

  it('references cannot expand a small input without bound', () => {
    const big = 'x'.repeat(65_536);
    const refs = new Uint8Array(600).fill(0).map((_, i) => (i % 2 === 0 ? 0xc0 : 0x01));
    const input = bytes(0x5b, 0xc4, 0x01, encodeJsonB(big), refs, 0x5d);
    expect(input.length).toBeLessThan(70_000);
    expectEncodingError(() => parseJsonB(input), 'beyond');
  });
});
