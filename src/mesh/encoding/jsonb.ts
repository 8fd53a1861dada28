/**
 * @module mesh/encoding/jsonb
 * The value model shared by the JSON-B reader and writer, and the JSON-B tag bytes
 * (draft-hallambaker-jsonbcd-21, docs/mesh-compatibility.md §4.4, the reference's `JSONBCD.cs`).
 *
 * One tree serves both encodings so a Mesh object can be re-encoded JSON ↔ JSON-B without
 * loss: binary data is a `Uint8Array` (JSON-B `0x88` item, or a base64url string in JSON
 * text), integers beyond 2^53 are `bigint` (JSON-B carries 64-bit magnitudes).
 */

/** A parsed JSON or JSON-B value. */
export type JsonBValue = null | boolean | number | bigint | string | Uint8Array | JsonBValue[] | JsonBObject;

export interface JsonBObject {
  [key: string]: JsonBValue;
}

/**
 * Tag bytes. The low two bits of the length-carrying tags select the width of the
 * big-endian length (or integer magnitude) that follows: 0 → 1 byte, 1 → 2, 2 → 4, 3 → 8.
 */
export const JsonBTag = {
  /** Final (or only) UTF-8 string chunk. */
  StringTerm: 0x80,
  /** Non-final string chunk; more chunks follow. */
  StringChunk: 0x84,
  /** Final (or only) binary chunk. */
  DataTerm: 0x88,
  /** Non-final binary chunk. */
  DataChunk: 0x8c,
  PositiveInteger: 0xa0,
  NegativeInteger: 0xa8,
  True: 0xb0,
  False: 0xb1,
  Null: 0xb2,
  /** Object field name. */
  TagString: 0xb4,
} as const;

/**
 * JSON-C tag compression (draft-hallambaker-jsonbcd-21 §5, Table 3): a code of 1, 2 or 4
 * big-endian bytes (low two bits 0, 1, 2) stands for a string or binary item defined earlier.
 */
export const JsonCTag = {
  /** Reference to a defined code, in place of a value or field name (`c-tag`). */
  Reference: 0xc0,
  /** Definition of a code by the item that follows, yielding nothing (`c-def`). */
  Define: 0xc4,
  /** Definition of a code by the item that follows, which is also used here (`c-tag`). */
  DefineAndUse: 0xc8,
  /** Tag dictionary definition (`c-def`); needs an agreed dictionary. */
  Dictionary: 0xcc,
  /** Dictionary by UDF fingerprint (`dict-hash`); needs that external dictionary. */
  DictionaryHash: 0xd0,
} as const;

/** Bytes of the length field for a tag whose low two bits are `code`. */
export function lengthWidth(code: number): 1 | 2 | 4 | 8 {
  switch (code & 0x03) {
    case 0:
      return 1;
    case 1:
      return 2;
    case 2:
      return 4;
    default:
      return 8;
  }
}

/** Default bound on array/object nesting: Mesh objects nest fewer than 16 levels. */
export const DEFAULT_MAX_DEPTH = 64;

export function isJsonBObject(value: unknown): value is JsonBObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
