/**
 * @module mesh/encoding/jsonb-reader
 * Reads JSON-B and plain JSON into one value tree (docs/mesh-compatibility.md §4.4): the reference
 * emits JSON-B payloads (ConnectionDevice, ConnectionService, RUD answers), while the
 * drafts make JSON the baseline, so a device must accept both.
 *
 * **Which encoding.** A JSON-B object opens with an ASCII `{` just as JSON does, so the
 * first byte alone cannot decide. The reader looks for the first byte ≥ 0x80 outside a
 * JSON text string: valid UTF-8 JSON text has none (non-ASCII bytes only occur inside
 * strings), and every JSON-B item tag has its top bit set. Finding one selects JSON-B
 * mode; otherwise the input is parsed as strict RFC 8259 JSON.
 *
 * **JSON-B mode** follows the reference's `JsonBcdReader`: tags and JSON text tokens may be
 * mixed (the reference writes DateTime as a quoted text string and floats as text), commas
 * and colons are optional, and string/binary items may be chunked (`0x84`/`0x8C`).
 *
 * **JSON-C** (draft-hallambaker-jsonbcd-21 §5) is read in the same mode, since JSON-C is
 * JSON-B plus tag compression and its tags also have the top bit set: a definition
 * (`0xC4–0xC6` code, then a string or binary item) records the item, `0xC8–0xCA` records it
 * and uses it in place, and a reference (`0xC0–0xC2` code) stands for it as a value or a
 * field name. Codes are compared by value whatever their width, must be defined before use
 * and may be redefined only to the same item. Dictionaries (`0xCC–0xCE`, `0xD0`) need an
 * agreed external table and are rejected, as are binary floats. Expansion by references is
 * capped, so a small input cannot stand for an unbounded amount of text.
 *
 * **The UTF-16 length quirk.** The reference writer puts the *UTF-16 code unit count* in the
 * length of strings and field names but writes UTF-8 bytes (`JSONBWriter.WriteString`,
 * `WriteToken`). For ASCII the two agree. For non-ASCII text its output is malformed: the
 * byte count is larger than the declared length, and its own reader then mis-parses it.
 * This reader follows the draft (length = UTF-8 bytes) by default, which is also what our
 * writer emits and what the reference *reader* expects. A caller holding reference-written
 * JSON-B with non-ASCII strings can pass `utf16Lengths: true` to count UTF-16 units
 * instead; there is no safe way to guess, so the reader never switches on its own.
 *
 * **Line breaks inside strings.** The reference's indented JSON wraps long base64url values
 * with a raw line break inside the string (seen in decrypted reference payloads, not only in
 * the drafts; docs/mesh-compatibility.md §14.3). Raw LF, CR and TAB inside strings are therefore kept as
 * data unless `strictStrings` is set; other control characters are always rejected. The
 * base64url reader skips the white space when such a value is decoded.
 *
 * Every error is an InvalidEncodingError naming the input (`what`) and the byte offset.
 */
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import { DEFAULT_MAX_DEPTH, JsonBTag, JsonCTag, lengthWidth, type JsonBObject, type JsonBValue } from './jsonb.js';

export interface JsonBReadOptions {
  /** Deepest array/object nesting accepted (default 64); deeper input is rejected, not recursed. */
  readonly maxDepth?: number;
  /** Count JSON-B string lengths in UTF-16 code units, as the reference writer does (see module doc). */
  readonly utf16Lengths?: boolean;
  /** Name of the input for error messages, e.g. `ConnectionDevice payload`. */
  readonly what?: string;
  /**
   * Reject raw line breaks and tabs inside JSON text strings, as RFC 8259 §7 does. Off by
   * default: the reference's indented JSON writer wraps long base64url strings with a raw
   * "\n  " inside the literal (docs/mesh-compatibility.md §14.3), and its readers accept that.
   */
  readonly strictStrings?: boolean;
}

const QUOTE = 0x22;

/** Most characters or bytes JSON-C references may expand to in one document. */
const MAX_JSONC_EXPANSION = 16 * 1024 * 1024;
const BACKSLASH = 0x5c;

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** The offset of the first byte ≥ 0x80 outside a JSON text string, or -1. */
function firstBinaryTag(bytes: Uint8Array): number {
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b >= 0x80) {
      return i;
    }
  }
  return -1;
}

/**
 * Parses `input` (bytes, or already-decoded JSON text) as JSON-B or JSON.
 * @throws InvalidEncodingError naming `what` and the offset on truncated, malformed or too
 *   deeply nested input.
 */
export function parseJsonB(input: Uint8Array | string, options: JsonBReadOptions = {}): JsonBValue {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError(`"input" expected Uint8Array or string, got type=${typeof input}`, {
      context: { what: 'input' },
    });
  }
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new InvalidArgumentError(`"maxDepth" expected a positive integer, got ${maxDepth}`, {
      context: { what: 'maxDepth' },
    });
  }
  const reader = new Reader(
    bytes,
    firstBinaryTag(bytes) >= 0,
    maxDepth,
    options.utf16Lengths === true,
    options.strictStrings === true,
    options.what ?? 'jsonb',
  );
  return reader.document();
}

class Reader {
  private pos = 0;
  private depth = 0;
  /** JSON-C codes defined so far in this document. */
  private readonly codes = new Map<number, string | Uint8Array>();
  /** Characters and bytes produced by JSON-C references so far. */
  private expanded = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly binary: boolean,
    private readonly maxDepth: number,
    private readonly utf16Lengths: boolean,
    private readonly strictStrings: boolean,
    private readonly what: string,
  ) {}

  document(): JsonBValue {
    this.skipSpace();
    if (this.pos >= this.bytes.length) throw this.fail('is empty', this.pos);
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.bytes.length) {
      throw this.fail(`has unexpected data after the value (byte 0x${this.hex(this.pos)})`, this.pos);
    }
    return value;
  }

  private fail(problem: string, offset: number): InvalidEncodingError {
    const mode = this.binary ? 'JSON-B' : 'JSON';
    return new InvalidEncodingError(`"${this.what}" (${mode}) ${problem} at offset ${offset}`, {
      context: { what: this.what, offset, encoding: mode },
    });
  }

  private hex(offset: number): string {
    return (this.bytes[offset] as number).toString(16).padStart(2, '0');
  }

  private skipSpace(): void {
    const bytes = this.bytes;
    while (this.pos < bytes.length) {
      const b = bytes[this.pos] as number;
      // RFC 8259 §2 white space; the reference's JSON-B lexer also skips \f and \b.
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || (this.binary && (b === 0x0c || b === 0x08))) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  private peek(): number {
    this.skipSpace();
    if (this.pos >= this.bytes.length) throw this.fail('is truncated: expected a value or delimiter', this.pos);
    return this.bytes[this.pos] as number;
  }

  private value(): JsonBValue {
    this.definitions();
    const start = this.pos;
    const b = this.peek();
    if (b >= 0x80) return this.binaryItem();
    switch (b) {
      case 0x7b: // {
        return this.object();
      case 0x5b: // [
        return this.array();
      case QUOTE:
        return this.textString();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return this.number();
        throw this.fail(`expected a value, found byte 0x${this.hex(start)}`, start);
    }
  }

  private enter(): void {
    if (this.depth >= this.maxDepth) {
      throw this.fail(`nests deeper than the limit of ${this.maxDepth}`, this.pos);
    }
    this.depth++;
  }

  private object(): JsonBObject {
    this.enter();
    this.pos++; // {
    const out: JsonBObject = {};
    const seen = new Set<string>();
    let first = true;
    for (;;) {
      this.definitions();
      const b = this.peek();
      if (b === 0x7d) {
        this.pos++;
        this.depth--;
        return out;
      }
      if (!first) {
        if (b === 0x2c) {
          this.pos++;
          if (this.peek() === 0x7d) throw this.fail('has a trailing comma before "}"', this.pos);
        } else if (!this.binary) {
          throw this.fail(`expected "," or "}" in an object, found byte 0x${this.hex(this.pos)}`, this.pos);
        }
      }
      const keyOffset = this.pos;
      const key = this.key();
      if (seen.has(key)) throw this.fail(`repeats the field name ${JSON.stringify(key)}`, keyOffset);
      seen.add(key);
      // Defined, not assigned, so a "__proto__" field stays data.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      first = false;
    }
  }

  private key(): string {
    this.definitions();
    const b = this.peek();
    const offset = this.pos;
    const compressed = (b & 0xfc) === JsonCTag.Reference || (b & 0xfc) === JsonCTag.DefineAndUse;
    if (this.binary && ((b & 0xfc) === JsonBTag.TagString || compressed)) {
      this.pos++;
      const name = compressed ? this.compressedName(b, offset) : this.utf8Item(b, offset);
      if (this.peek() === 0x3a) this.pos++; // tolerated, as the reference reader does
      return name;
    }
    if (b !== QUOTE) throw this.fail(`expected a field name, found byte 0x${this.hex(offset)}`, offset);
    const name = this.textString();
    if (this.peek() === 0x3a) {
      this.pos++;
    } else if (!this.binary) {
      throw this.fail(`expected ":" after field name ${JSON.stringify(name)}`, this.pos);
    }
    return name;
  }

  private array(): JsonBValue[] {
    this.enter();
    this.pos++; // [
    const out: JsonBValue[] = [];
    for (;;) {
      this.definitions();
      const b = this.peek();
      if (b === 0x5d) {
        this.pos++;
        this.depth--;
        return out;
      }
      if (out.length > 0) {
        if (b === 0x2c) {
          this.pos++;
          if (this.peek() === 0x5d) throw this.fail('has a trailing comma before "]"', this.pos);
        } else if (!this.binary) {
          throw this.fail(`expected "," or "]" in an array, found byte 0x${this.hex(this.pos)}`, this.pos);
        }
      }
      out.push(this.value());
    }
  }

  private literal<T extends boolean | null>(word: string, value: T): T {
    const start = this.pos;
    for (let i = 0; i < word.length; i++) {
      if (this.bytes[this.pos + i] !== word.charCodeAt(i)) {
        throw this.fail(`expected the literal ${word}`, start);
      }
    }
    this.pos += word.length;
    return value;
  }

  private number(): number | bigint {
    const start = this.pos;
    const bytes = this.bytes;
    let i = this.pos;
    const digit = (k: number) => k < bytes.length && (bytes[k] as number) >= 0x30 && (bytes[k] as number) <= 0x39;
    if (bytes[i] === 0x2d) i++;
    if (!digit(i)) throw this.fail('has a malformed number', start);
    if (bytes[i] === 0x30) i++;
    else while (digit(i)) i++;
    let integer = true;
    if (bytes[i] === 0x2e) {
      integer = false;
      i++;
      if (!digit(i)) throw this.fail('has a malformed number (no digits after ".")', start);
      while (digit(i)) i++;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      integer = false;
      i++;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
      if (!digit(i)) throw this.fail('has a malformed number (no exponent digits)', start);
      while (digit(i)) i++;
    }
    const text = decoder.decode(bytes.subarray(start, i));
    this.pos = i;
    if (integer) {
      const n = Number(text);
      // 64-bit identifiers and counters survive as bigint instead of losing precision.
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    const n = Number(text);
    if (!Number.isFinite(n)) throw this.fail('has a number out of range', start);
    return n;
  }

  /** A JSON text string starting at the opening quote. */
  private textString(): string {
    const start = this.pos;
    const bytes = this.bytes;
    let i = this.pos + 1;
    let out = '';
    let run = i;
    const flush = (end: number) => {
      if (end > run) {
        try {
          out += decoder.decode(bytes.subarray(run, end));
        } catch {
          throw this.fail('has a string that is not valid UTF-8', run);
        }
      }
    };
    for (;;) {
      if (i >= bytes.length) throw this.fail('is truncated inside a string', start);
      const b = bytes[i] as number;
      if (b === QUOTE) {
        flush(i);
        this.pos = i + 1;
        return out;
      }
      if (b < 0x20 && (this.strictStrings || (b !== 0x0a && b !== 0x0d && b !== 0x09))) {
        throw this.fail('has an unescaped control character in a string', i);
      }
      if (b !== BACKSLASH) {
        i++;
        continue;
      }
      flush(i);
      const e = bytes[i + 1];
      switch (e) {
        case QUOTE:
          out += '"';
          break;
        case BACKSLASH:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hex = i + 6 <= bytes.length ? decoder.decode(bytes.subarray(i + 2, i + 6)) : '';
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.fail('has a malformed \\u escape', i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        case undefined:
          throw this.fail('is truncated inside a string', start);
        default:
          throw this.fail('has an invalid escape in a string', i);
      }
      i += 2;
      run = i;
    }
  }

  /** A big-endian length or integer magnitude of the width the tag's low bits select. */
  private readWidth(tag: number, tagOffset: number): bigint {
    const width = lengthWidth(tag);
    if (this.pos + width > this.bytes.length) {
      throw this.fail(`is truncated: tag 0x${tag.toString(16)} needs ${width} length bytes`, tagOffset);
    }
    let n = 0n;
    for (let k = 0; k < width; k++) n = (n << 8n) | BigInt(this.bytes[this.pos + k] as number);
    this.pos += width;
    return n;
  }

  /** A length that must fit in what is left of the input. */
  private readLength(tag: number, tagOffset: number): number {
    const n = this.readWidth(tag, tagOffset);
    const remaining = this.bytes.length - this.pos;
    if (n > BigInt(remaining)) {
      throw this.fail(`is truncated: item declares ${n} bytes but ${remaining} remain`, tagOffset);
    }
    return Number(n);
  }

  /** UTF-8 text of a string or field-name item whose tag byte has been consumed. */
  private utf8Item(tag: number, tagOffset: number): string {
    if (this.utf16Lengths) {
      const units = Number(this.readWidth(tag, tagOffset));
      return this.utf16Counted(units, tagOffset);
    }
    const length = this.readLength(tag, tagOffset);
    const start = this.pos;
    this.pos += length;
    try {
      return decoder.decode(this.bytes.subarray(start, this.pos));
    } catch {
      throw this.fail(
        'has a string item that is not valid UTF-8 (a reference writer with non-ASCII text? see utf16Lengths)',
        tagOffset,
      );
    }
  }

  /** Reads UTF-8 characters until `units` UTF-16 code units have been produced. */
  private utf16Counted(units: number, tagOffset: number): string {
    const bytes = this.bytes;
    const start = this.pos;
    let i = this.pos;
    let count = 0;
    while (count < units) {
      if (i >= bytes.length) throw this.fail(`is truncated: string declares ${units} UTF-16 units`, tagOffset);
      const b = bytes[i] as number;
      const size = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
      if (size === 0 || i + size > bytes.length) throw this.fail('has a string item that is not valid UTF-8', i);
      count += size === 4 ? 2 : 1;
      i += size;
    }
    if (count !== units) throw this.fail('has a string whose UTF-16 length splits a character', tagOffset);
    this.pos = i;
    try {
      return decoder.decode(bytes.subarray(start, i));
    } catch {
      throw this.fail('has a string item that is not valid UTF-8', start);
    }
  }

  private binaryItem(): JsonBValue {
    const offset = this.pos;
    const tag = this.bytes[this.pos++] as number;
    switch (tag & 0xfc) {
      case JsonBTag.PositiveInteger:
      case JsonBTag.NegativeInteger: {
        if ((tag & 0x04) !== 0) break; // 0xA4–0xA7 / 0xAC–0xAF: big integers, unsupported
        const magnitude = this.readWidth(tag, offset);
        const n = (tag & 0xfc) === JsonBTag.NegativeInteger ? -magnitude : magnitude;
        if (n === 0n) return 0;
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      case JsonBTag.StringTerm:
      case JsonBTag.StringChunk:
        return this.chunked(tag, offset, 'string') as string;
      case JsonBTag.DataTerm:
      case JsonBTag.DataChunk:
        return this.chunked(tag, offset, 'binary') as Uint8Array;
      case JsonBTag.TagString:
        throw this.fail('has a field name tag where a value was expected', offset);
      case JsonCTag.Reference:
        return this.reference(tag, offset);
      case JsonCTag.DefineAndUse:
        return this.define(tag, offset);
      default:
        break;
    }
    if (tag === JsonBTag.True) return true;
    if (tag === JsonBTag.False) return false;
    if (tag === JsonBTag.Null) return null;
    throw this.fail(`has an unsupported JSON-B tag 0x${tag.toString(16)}`, offset);
  }

  /**
   * JSON-C definitions (`0xC4–0xC6`) ahead of a value, a field name or a closing bracket:
   * recorded, not returned. Dictionaries are refused here, before anything uses them.
   */
  private definitions(): void {
    if (!this.binary) return;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.bytes.length) return;
      const offset = this.pos;
      const b = this.bytes[offset] as number;
      if ((b & 0xfc) === JsonCTag.Define) {
        this.pos++;
        this.define(b, offset);
      } else if ((b & 0xfc) === JsonCTag.Dictionary || b === JsonCTag.DictionaryHash) {
        throw this.fail(
          `has a JSON-C dictionary tag 0x${b.toString(16)}, which needs an external dictionary: unsupported`,
          offset,
        );
      } else {
        return;
      }
    }
  }

  /** The code after a JSON-C tag: 1, 2 or 4 big-endian bytes (jsonbcd-21 Table 3). */
  private code(tag: number, tagOffset: number): number {
    if ((tag & 0x03) === 3) throw this.fail(`has an unsupported JSON-C tag 0x${tag.toString(16)}`, tagOffset);
    return Number(this.readWidth(tag, tagOffset));
  }

  /** Reads the code and the string or binary item defining it, records it and returns the item. */
  private define(tag: number, tagOffset: number): string | Uint8Array {
    const code = this.code(tag, tagOffset);
    const itemOffset = this.pos;
    const b = this.peek();
    let item: string | Uint8Array;
    if (b === QUOTE) {
      item = this.textString();
    } else if ((b & 0xfc) === JsonBTag.TagString) {
      this.pos++;
      item = this.utf8Item(b, itemOffset);
    } else if ((b & 0xf8) === JsonBTag.StringTerm || (b & 0xf8) === JsonBTag.DataTerm) {
      this.pos++;
      item = this.chunked(b, itemOffset, (b & 0xf8) === JsonBTag.StringTerm ? 'string' : 'binary');
    } else {
      throw this.fail(
        `has a JSON-C definition of code ${code} followed by byte 0x${this.hex(itemOffset)}, not a string or binary item`,
        itemOffset,
      );
    }
    const prior = this.codes.get(code);
    if (prior !== undefined && !sameItem(prior, item)) {
      throw this.fail(`redefines JSON-C code ${code} to a different item`, tagOffset);
    }
    this.codes.set(code, item);
    return item;
  }

  /** The item a JSON-C reference stands for; binary items are copied so occurrences stay independent. */
  private reference(tag: number, tagOffset: number): string | Uint8Array {
    const code = this.code(tag, tagOffset);
    const item = this.codes.get(code);
    if (item === undefined) {
      throw this.fail(
        `has an unsupported JSON-B tag 0x${tag.toString(16)}: a JSON-C reference to code ${code}, which was never defined`,
        tagOffset,
      );
    }
    this.expanded += item.length;
    if (this.expanded > MAX_JSONC_EXPANSION) {
      throw this.fail(`expands through JSON-C references beyond ${MAX_JSONC_EXPANSION} characters`, tagOffset);
    }
    return typeof item === 'string' ? item : Uint8Array.from(item);
  }

  /** A field name given as a JSON-C reference or definition-and-use: it must be a string. */
  private compressedName(tag: number, tagOffset: number): string {
    const item = (tag & 0xfc) === JsonCTag.Reference ? this.reference(tag, tagOffset) : this.define(tag, tagOffset);
    if (typeof item !== 'string') {
      throw this.fail('has a JSON-C field name that stands for binary data, not a string', tagOffset);
    }
    return item;
  }

  /** A string or binary item, joining chunks until the terminal one. */
  private chunked(firstTag: number, firstOffset: number, kind: 'string' | 'binary'): string | Uint8Array {
    const termBase = kind === 'string' ? JsonBTag.StringTerm : JsonBTag.DataTerm;
    const chunkBase = kind === 'string' ? JsonBTag.StringChunk : JsonBTag.DataChunk;
    const parts: Uint8Array[] = [];
    const texts: string[] = [];
    let tag = firstTag;
    let offset = firstOffset;
    for (;;) {
      if (kind === 'string' && this.utf16Lengths) {
        texts.push(this.utf8Item(tag, offset));
      } else {
        const length = this.readLength(tag, offset);
        parts.push(this.bytes.subarray(this.pos, this.pos + length));
        this.pos += length;
      }
      if ((tag & 0xfc) === termBase) break;
      // A chunk must be followed by another chunk of the same kind.
      const next = this.bytes.length > this.pos ? this.peek() : -1;
      if (next < 0 || ((next & 0xfc) !== termBase && (next & 0xfc) !== chunkBase)) {
        throw this.fail(`is truncated: ${kind} chunk not followed by its continuation`, this.pos);
      }
      offset = this.pos;
      tag = next;
      this.pos++;
    }
    if (kind === 'string' && this.utf16Lengths) return texts.join('');
    let total = 0;
    for (const p of parts) total += p.length;
    const joined = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    if (kind === 'binary') return joined;
    try {
      // Decoded once after joining, so a character split across chunks is accepted.
      return decoder.decode(joined);
    } catch {
      throw this.fail(
        'has a string item that is not valid UTF-8 (a reference writer with non-ASCII text? see utf16Lengths)',
        firstOffset,
      );
    }
  }
}

/** Whether two JSON-C definitions are the same item (same kind, same content). */
function sameItem(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
