/**
 * @module mesh/schema/object
 * Structures (`Structure X` in SchemaMesh.protocol, seed §2): JSON objects with named
 * fields, each required or optional, and single inheritance by `extend` (Message →
 * MessagePinValidated → RequestConnection). TypeScript values use the wire field names
 * unchanged, so an error path, a line of code and the spec all read `ClientNonce`.
 *
 * Field presence: an optional field may be absent or `null` (the reference omits nulls, and
 * RespondConnection allows "absent or null" CatalogedDevice — seed §2.10.8); a required
 * field that is absent or `null` is an error.
 *
 * Unknown fields are KEPT, not rejected: later reference versions add fields (HEAD adds
 * `Roles`, `ProfileUdf`, `ApplicationEntries`, docs/mesh-compatibility.md §5), and a device or service
 * that re-writes a record must not silently drop what a newer peer put there. They are
 * stored verbatim under the `UNKNOWN_FIELDS` symbol and written back after the known fields.
 * A known field of the wrong type is always an error.
 */
import type { UncheckedObject } from '../encoding/json-value.js';
import { defineField, fail, fieldPath, isPlainObject, kindOf, ownField, type Schema } from './schema.js';

/** Symbol under which a parsed object keeps the JSON fields its schema does not know. */
export const UNKNOWN_FIELDS: unique symbol = Symbol.for('mesh.schema.unknownFields');

export interface UnknownFields {
  [UNKNOWN_FIELDS]?: Readonly<UncheckedObject>;
}

export interface Field<T, O extends boolean> {
  readonly schema: Schema<T>;
  readonly optional: O;
}

export function required<T>(schema: Schema<T>): Field<T, false> {
  return { schema, optional: false };
}

export function optional<T>(schema: Schema<T>): Field<T, true> {
  return { schema, optional: true };
}

// Any field: Schema<T> declares toJson as a method, so its parameter is bivariant and Field<string> fits here.
type AnyField = Field<unknown, boolean>;
export type Shape = { readonly [key: string]: AnyField };

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type FieldValue<F> = F extends Field<infer T, boolean> ? T : never;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Field<unknown, false> ? K : never }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Field<unknown, true> ? K : never }[keyof S];

/** The TypeScript value of a structure with fields `S`. */
export type ShapeValue<S extends Shape> = Simplify<
  { -readonly [K in RequiredKeys<S>]: FieldValue<S[K]> } & {
    -readonly [K in OptionalKeys<S>]?: FieldValue<S[K]>;
  } & UnknownFields
>;

/** Fields of a subclass: its own fields replace inherited ones of the same name. */
export type Merge<A extends Shape, B extends Shape> = Simplify<Omit<A, keyof B> & B>;

/** A cross-field rule (e.g. "CatalogedDevice MUST be present if Result is Accept"). */
export type Refinement<T> = (value: T, path: string) => void;

export interface ObjectOptions<T> {
  readonly refine?: Refinement<T>;
}

export interface ObjectSchema<S extends Shape> extends Schema<ShapeValue<S>> {
  /** The structure's name in the reference schema; the root of error paths. */
  readonly name: string;
  readonly shape: S;
  /** `Structure <name> Inherits <this>`: inherited fields first, then `fields`. */
  extend<N extends Shape>(
    name: string,
    fields: N,
    options?: ObjectOptions<ShapeValue<Merge<S, N>>>,
  ): ObjectSchema<Merge<S, N>>;
}

type AnyRefinement = Refinement<unknown>;

function build<S extends Shape>(name: string, shape: S, refinements: readonly AnyRefinement[]): ObjectSchema<S> {
  const expected = `a ${name} object`;
  const keys = Object.keys(shape);
  const known = new Set(keys);

  const schema: ObjectSchema<S> = {
    name,
    shape,
    expected,
    parse(json, path = name) {
      if (!isPlainObject(json)) fail(path, expected, kindOf(json));
      const out: UncheckedObject = {};
      for (const key of keys) {
        const field = shape[key] as AnyField;
        const raw = ownField(json, key);
        const at = fieldPath(path, key);
        if (raw === undefined || raw === null) {
          if (!field.optional) fail(at, field.schema.expected, kindOf(raw));
          continue;
        }
        defineField(out, key, field.schema.parse(raw, at));
      }
      let extra: UncheckedObject | undefined;
      for (const key of Object.keys(json)) {
        if (known.has(key)) continue;
        extra ??= {};
        defineField(extra, key, json[key]);
      }
      const value = out as ShapeValue<S>;
      if (extra !== undefined) (value as UnknownFields)[UNKNOWN_FIELDS] = Object.freeze(extra);
      for (const refine of refinements) refine(value, path);
      return value;
    },
    toJson(value, path = name) {
      if (!isPlainObject(value)) fail(path, expected, kindOf(value));
      for (const refine of refinements) refine(value, path);
      const source = value as UncheckedObject & UnknownFields;
      const out: UncheckedObject = {};
      for (const key of keys) {
        const field = shape[key] as AnyField;
        const item = ownField(source, key);
        const at = fieldPath(path, key);
        if (item === undefined || item === null) {
          if (!field.optional) fail(at, field.schema.expected, kindOf(item));
          continue;
        }
        defineField(out, key, field.schema.toJson(item, at));
      }
      const extra = source[UNKNOWN_FIELDS];
      if (extra !== undefined) {
        for (const key of Object.keys(extra)) {
          if (!known.has(key)) defineField(out, key, extra[key]);
        }
      }
      return out;
    },
    extend(childName, fields, options = {}) {
      const merged = { ...shape } as Shape;
      for (const key of Object.keys(fields)) {
        // Re-insert so an overriding field takes the subclass's position, not the parent's.
        delete (merged as Record<string, AnyField>)[key];
        (merged as Record<string, AnyField>)[key] = fields[key] as AnyField;
      }
      const own = options.refine === undefined ? [] : [options.refine as AnyRefinement];
      return build(childName, merged, [...refinements, ...own]) as unknown as ObjectSchema<Merge<S, typeof fields>>;
    },
  };
  return schema;
}

export function object<S extends Shape>(
  name: string,
  shape: S,
  options: ObjectOptions<ShapeValue<S>> = {},
): ObjectSchema<S> {
  return build(name, shape, options.refine === undefined ? [] : [options.refine as AnyRefinement]);
}
