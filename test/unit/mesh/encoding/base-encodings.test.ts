import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { base32Decode, base32Encode } from '../../../../src/mesh/encoding/base32.js';
import { base64urlDecode, base64urlEncode } from '../../../../src/mesh/encoding/base64url.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('base32', () => {
  it('matches the RFC 4648 §10 vectors without padding', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(text(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base32Decode(encoded))).toBe(plain);
    }
  });

  it('round-trips any bytes and ignores case, dashes and white space', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const encoded = base32Encode(bytes);
        expect(base32Decode(encoded)).toEqual(bytes);
        const dashedLower = encoded.toLowerCase().replace(/(.{4})/g, '$1- ');
        expect(base32Decode(dashedLower)).toEqual(bytes);
      }),
    );
  });

  it('truncates to the requested number of bits', () => {
    expect(base32Encode(Uint8Array.of(0xff, 0xff), 10)).toBe('77');
  });

  it('names the position of a stray character, or skips it when lenient', () => {
    expect(() => base32Decode('MZX!W6', 'udf')).toThrow(InvalidEncodingError);
    expect(() => base32Decode('MZX!W6', 'udf')).toThrow(/"udf" .* position 3/);
    expect(base32Decode('MZ!XW6', 'udf', true)).toEqual(base32Decode('MZXW6'));
  });
});

describe('base64url', () => {
  it('agrees with Buffer for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = base64urlEncode(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect(base64urlDecode(encoded)).toEqual(bytes);
      }),
    );
  });

  it('skips white space and padding, as the draft examples need', () => {
    expect(base64urlDecode('VGxxL-LK\n  UQyqn_Rp dj86Zg==')).toEqual(
      new Uint8Array(Buffer.from('VGxxL-LKUQyqn_Rpdj86Zg', 'base64url')),
    );
  });

  it('rejects stray characters and truncated values, naming the field', () => {
    expect(() => base64urlDecode('ab$d', 'Salt')).toThrow(/"Salt" .* position 2/);
    expect(() => base64urlDecode('abcde', 'Salt')).toThrow(InvalidEncodingError);
  });
});
