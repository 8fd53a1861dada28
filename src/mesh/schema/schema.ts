/**
 * @module mesh/schema/schema
 * The contract every Mesh schema meets, and the small helpers the combinators share.
 * A schema turns untrusted JSON (from `JSON.parse` or a JSON-B reader) into a typed value,
 * or throws a `SchemaError` naming the full path; `toJson` writes the wire JSON back.
 * Hand-written instead of zod to keep the device bundle small (brief: < 300 KB).
 */
import type { UncheckedObject } from '../encoding/json-value.js';
import { SchemaError } from '../errors.js';

export interface Schema<T> {
  /** Human description used in error messages, e.g. `a string`, `a KeyData object`. */
  readonly expected: string;
  /** Validates `json` and returns the typed value; `path` names it in errors. */
  parse(json: unknown, path?: string): T;
  /** Writes the wire JSON value (JSON.stringify-able). `path` names it in errors. */
  toJson(value: T, path?: string): unknown;
}

/** The TypeScript type a schema produces. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

export function isPlainObject(value: unknown): value is UncheckedObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * What kind of value was found, for error messages. Deliberately never the value itself:
 * string fields may hold seeds or PINs (docs/mesh-compatibility.md §2.3, §6.1).
 */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (value instanceof Date) return 'a Date';
  switch (typeof value) {
    case 'string':
      return `a string of length ${value.length}`;
    case 'number':
      return Number.isInteger(value)
        ? 'an integer'
        : Number.isFinite(value)
          ? 'a non-integer number'
          : 'a non-finite number';
    case 'boolean':
      return 'a boolean';
    case 'bigint':
      return 'a bigint';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * A short, printable rendering of a value that is known not to be secret (an enumeration
 * label, a date, a tag name). Long values are cut so a hostile peer cannot flood logs.
 */
export function preview(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

export function fail(path: string, expected: string, actual: string, cause?: unknown): never {
  throw new SchemaError({ path, expected, actual }, cause === undefined ? {} : { cause });
}

/** `RequestConnection` + `AccountAddress` → `RequestConnection.AccountAddress`. */
export function fieldPath(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** Own-property lookup: a JSON key such as `constructor` or `__proto__` never reads the prototype. */
export function ownField(object: UncheckedObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Sets a property even when the key is `__proto__`, so copied JSON keeps its own keys. */
export function defineField(object: UncheckedObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
