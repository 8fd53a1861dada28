/**
 * @module mesh/schema/binary
 * `Binary` fields: base64url without padding on the wire, `Uint8Array` in TypeScript
 * (docs/mesh-compatibility.md §4.1). The reader is as lenient as the reference (white space, '=' and the
 * standard alphabet are accepted, so line-wrapped draft examples parse); the writer emits
 * canonical unpadded base64url. Fixed lengths (nonces, witnesses) are checked here because
 * the witness formulas of docs/mesh-compatibility.md §6.1 assume them.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';
import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { fail, kindOf, type Schema } from './schema.js';

export interface BinaryOptions {
  /** Exact length in bytes, e.g. 16 for `ClientNonce` (docs/mesh-compatibility.md §5). */
  readonly length?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export function binary(options: BinaryOptions = {}): Schema<Uint8Array> {
  const { length, minLength, maxLength } = options;
  let expected = 'base64url binary';
  if (length !== undefined) expected += ` of ${length} bytes`;
  else if (minLength !== undefined && maxLength !== undefined) expected += ` of ${minLength}..${maxLength} bytes`;
  else if (minLength !== undefined) expected += ` of at least ${minLength} bytes`;
  else if (maxLength !== undefined) expected += ` of at most ${maxLength} bytes`;

  const checkLength = (bytes: Uint8Array, path: string): void => {
    const n = bytes.length;
    if (
      (length !== undefined && n !== length) ||
      (minLength !== undefined && n < minLength) ||
      (maxLength !== undefined && n > maxLength)
    ) {
      fail(path, expected, `${n} bytes`);
    }
  };

  return {
    expected,
    parse(json, path = 'value') {
      if (typeof json !== 'string') fail(path, expected, kindOf(json));
      let bytes: Uint8Array;
      try {
        bytes = base64urlDecode(json, path);
      } catch (cause) {
        if (!(cause instanceof InvalidEncodingError)) throw cause;
        // The position is enough to find the fault; the character and value stay out of the
        // message because binary fields include private keys (docs/mesh-compatibility.md §2.3).
        const position = cause.context['position'];
        const actual =
          typeof position === 'number'
            ? `a character outside the base64url alphabet at position ${position}`
            : 'a truncated base64url string (dangling character)';
        fail(path, expected, actual, cause);
      }
      checkLength(bytes, path);
      return bytes;
    },
    toJson(value, path = 'value') {
      if (!(value instanceof Uint8Array)) fail(path, expected, kindOf(value));
      checkLength(value, path);
      return base64urlEncode(value);
    },
  };
}
