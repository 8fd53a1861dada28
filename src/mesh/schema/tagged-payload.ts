/**
 * @module mesh/schema/tagged-payload
 * Tagged payloads: a Mesh object inside a DARE envelope is the JSON text
 * `{"<TypeName>": {...}}` (docs/mesh-compatibility.md §12 item 8, e.g. `{"ProfileDevice": {...}}`). A
 * codec built over a registry of type names writes that form and reads it back, checking
 * the tag against the type(s) the caller expects before parsing the body — a RespondConnection
 * must not be accepted where a ProfileDevice was asked for.
 *
 * Bytes are UTF-8 JSON. The reference writes some payloads as JSON-B (§4.4); those are
 * recognised and refused with a pointer to `decodeValue`, which takes the value a JSON-B
 * reader produced.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';
import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import { parseJsonText } from './json-text.js';
import { fail, isPlainObject, kindOf, preview, type Infer, type Schema } from './schema.js';
import { describeTags } from './tagged-union.js';

export type Registry = { readonly [type: string]: Schema<unknown> };

export type TypeName<R extends Registry> = keyof R & string;

/** The decoded object, discriminated by `type` so a caller can switch on it. */
export type Decoded<R extends Registry, K extends TypeName<R>> = {
  [P in K]: { readonly type: P; readonly value: Infer<R[P]> };
}[K];

export interface TaggedCodec<R extends Registry> {
  readonly types: readonly TypeName<R>[];
  /** `{"<type>": <toJson(value)>}` as compact JSON text. */
  encode<K extends TypeName<R>>(type: K, value: Infer<R[K]>): string;
  /** The same as UTF-8 bytes: what goes into a DARE payload. */
  encodeBytes<K extends TypeName<R>>(type: K, value: Infer<R[K]>): Uint8Array;
  /** Reads JSON text or UTF-8 bytes and checks the tag is one of `expected`. */
  decode<K extends TypeName<R>>(input: string | Uint8Array, expected: K | readonly K[]): Decoded<R, K>;
  /** The same for an already-parsed value (e.g. from a JSON-B reader). */
  decodeValue<K extends TypeName<R>>(json: unknown, expected: K | readonly K[]): Decoded<R, K>;
}

const ROOT = 'payload';

/** JSON-B starts with `{` or `[` followed by a tag byte ≥ 0x80 (docs/mesh-compatibility.md §4.4). */
function looksLikeJsonB(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[0] === 0x7b || bytes[0] === 0x5b) && (bytes[1] as number) >= 0x80;
}

export function createTaggedCodec<R extends Registry>(registry: R): TaggedCodec<R> {
  const types = Object.keys(registry) as TypeName<R>[];
  const known = new Set<string>(types);

  const schemaOf = (type: string): Schema<unknown> => {
    if (!known.has(type)) fail(ROOT, `a registered Mesh object type`, `the type ${preview(type, 40)}`);
    return registry[type] as Schema<unknown>;
  };

  const encode = <K extends TypeName<R>>(type: K, value: Infer<R[K]>): string =>
    JSON.stringify({ [type]: schemaOf(type).toJson(value, type) });

  const decodeValue = <K extends TypeName<R>>(json: unknown, expected: K | readonly K[]): Decoded<R, K> => {
    const wanted = (typeof expected === 'string' ? [expected] : [...expected]) as string[];
    for (const type of wanted) schemaOf(type);
    const want = `a tagged Mesh object {"${wanted.join('"|"')}": {...}}`;
    if (!isPlainObject(json)) fail(ROOT, want, kindOf(json));
    const keys = Object.keys(json);
    const tag = keys[0];
    if (keys.length !== 1 || tag === undefined) fail(ROOT, want, describeTags(keys));
    if (!wanted.includes(tag)) {
      const what = known.has(tag) ? `a ${preview(tag)} object (wrong type)` : `the unknown tag ${preview(tag)}`;
      fail(ROOT, want, what);
    }
    const value = schemaOf(tag).parse(json[tag], tag);
    return { type: tag, value } as Decoded<R, K>;
  };

  return {
    types,
    encode,
    encodeBytes: (type, value) => utf8(encode(type, value)),
    decode(input, expected) {
      let text: string;
      if (typeof input === 'string') {
        text = input;
      } else if (input instanceof Uint8Array) {
        if (looksLikeJsonB(input)) {
          fail(ROOT, 'JSON text (read JSON-B with the JSON-B reader, then call decodeValue)', 'JSON-B bytes');
        }
        try {
          text = fromUtf8(input, ROOT);
        } catch (cause) {
          if (!(cause instanceof InvalidEncodingError)) throw cause;
          fail(ROOT, 'UTF-8 JSON text', `${input.length} bytes that are not UTF-8`, cause);
        }
      } else {
        fail(ROOT, 'JSON text or UTF-8 bytes', kindOf(input));
      }
      return decodeValue(parseJsonText(text, ROOT), expected);
    },
    decodeValue,
  };
}
