/**
 * @module mesh/encoding/jsonb-writer
 * Writes the JSON-B and JSON text forms of a value tree (docs/mesh-compatibility.md §4.4).
 *
 * JSON-B output matches the reference's `JSONBWriter` byte for byte on ASCII data:
 * `{ } [ ]` as ASCII with no commas or colons, field names `0xB4 len name`, strings
 * `0x80 len utf8`, binary `0x88 len bytes`, integers `0xA0|w` / `0xA8|w` + big-endian
 * magnitude, `true/false/null` as B0/B1/B2, and the narrowest length field that fits
 * (1, 2, 4 or 8 bytes). Non-integer numbers are written as JSON text, as the reference
 * does. Lengths are always UTF-8 byte counts: for non-ASCII strings this departs from the
 * reference writer (which writes the UTF-16 count, a bug) but is what its reader expects.
 *
 * JSON text output is compact RFC 8259 JSON; binary is base64url without padding
 * (docs/mesh-compatibility.md §4.1) and bigint is written as its decimal digits.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { base64urlEncode } from './base64url.js';
import { JsonBTag, isJsonBObject, type JsonBValue } from './jsonb.js';

const encoder = new TextEncoder();
const TWO_64 = 1n << 64n;

class ByteSink {
  private buffer = new Uint8Array(256);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buffer[this.length++] = b;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Tag plus the narrowest big-endian length field, as `JsonBWriter.WriteTag` chooses it. */
function writeTag(sink: ByteSink, code: number, value: bigint): void {
  const width = value < 0x100n ? 1 : value < 0x10000n ? 2 : value < 0x100000000n ? 4 : 8;
  sink.byte(code + (width === 1 ? 0 : width === 2 ? 1 : width === 4 ? 2 : 3));
  for (let k = width - 1; k >= 0; k--) sink.byte(Number((value >> BigInt(8 * k)) & 0xffn));
}

function writeInteger(sink: ByteSink, n: bigint, path: string): void {
  const magnitude = n < 0n ? -n : n;
  if (magnitude >= TWO_64) {
    // The reference leaves big integers (0xA5) unimplemented.
    throw new InvalidArgumentError(`"${path}" integer does not fit in 64 bits`, { context: { what: path } });
  }
  writeTag(sink, n < 0n ? JsonBTag.NegativeInteger : JsonBTag.PositiveInteger, magnitude);
}

function writeUtf8(sink: ByteSink, code: number, text: string): void {
  const utf8 = encoder.encode(text);
  writeTag(sink, code, BigInt(utf8.length));
  sink.bytes(utf8);
}

function writeValue(sink: ByteSink, value: JsonBValue, path: string): void {
  if (value === null) return sink.byte(JsonBTag.Null);
  switch (typeof value) {
    case 'boolean':
      return sink.byte(value ? JsonBTag.True : JsonBTag.False);
    case 'string':
      return writeUtf8(sink, JsonBTag.StringTerm, value);
    case 'bigint':
      return writeInteger(sink, value, path);
    case 'number':
      if (Number.isInteger(value)) return writeInteger(sink, BigInt(value), path);
      if (!Number.isFinite(value)) {
        throw new InvalidArgumentError(`"${path}" is ${value}, which JSON cannot carry`, { context: { what: path } });
      }
      return sink.bytes(encoder.encode(String(value)));
    default:
      break;
  }
  if (value instanceof Uint8Array) {
    writeTag(sink, JsonBTag.DataTerm, BigInt(value.length));
    return sink.bytes(value);
  }
  if (Array.isArray(value)) {
    sink.byte(0x5b);
    value.forEach((item, i) => writeValue(sink, item, `${path}[${i}]`));
    return sink.byte(0x5d);
  }
  if (isJsonBObject(value)) {
    sink.byte(0x7b);
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue; // absent optional field
      writeUtf8(sink, JsonBTag.TagString, key);
      writeValue(sink, item, `${path}.${key}`);
    }
    return sink.byte(0x7d);
  }
  throw new InvalidArgumentError(`"${path}" has type ${typeof value}, which JSON-B cannot carry`, {
    context: { what: path },
  });
}

/** Encodes `value` as JSON-B. Object fields whose value is `undefined` are omitted. */
export function encodeJsonB(value: JsonBValue): Uint8Array {
  const sink = new ByteSink();
  writeValue(sink, value, 'value');
  return sink.result();
}

function textValue(value: JsonBValue, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InvalidArgumentError(`"${path}" is ${value}, which JSON cannot carry`, { context: { what: path } });
      }
      return JSON.stringify(value);
    default:
      break;
  }
  if (value instanceof Uint8Array) return `"${base64urlEncode(value)}"`;
  if (Array.isArray(value)) return `[${value.map((item, i) => textValue(item, `${path}[${i}]`)).join(',')}]`;
  if (isJsonBObject(value)) {
    const members: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      members.push(`${JSON.stringify(key)}:${textValue(item, `${path}.${key}`)}`);
    }
    return `{${members.join(',')}}`;
  }
  throw new InvalidArgumentError(`"${path}" has type ${typeof value}, which JSON cannot carry`, {
    context: { what: path },
  });
}

/** Encodes `value` as compact JSON text; binary becomes base64url. */
export function encodeJsonText(value: JsonBValue): string {
  return textValue(value, 'value');
}

/** Encodes `value` as UTF-8 JSON text bytes. */
export function encodeJsonTextBytes(value: JsonBValue): Uint8Array {
  return encoder.encode(encodeJsonText(value));
}
