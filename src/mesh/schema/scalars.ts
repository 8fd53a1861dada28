/**
 * @module mesh/schema/scalars
 * String, integer, boolean and enumeration schemas: the scalar types of the Mesh schema
 * language (`String`, `Integer`, `Boolean` in SchemaMesh.protocol; seed §2). Enumerations
 * cover the string fields whose values the protocol fixes (docs/mesh-compatibility.md §5: `Result`,
 * `Action`, `crv`).
 */
import { fail, kindOf, preview, type Schema } from './schema.js';

export interface StringOptions {
  /** Rejects strings shorter than this (e.g. 1 for identifiers that must not be empty). */
  readonly minLength?: number;
  readonly maxLength?: number;
}

export function string(options: StringOptions = {}): Schema<string> {
  const { minLength, maxLength } = options;
  let expected = 'a string';
  if (minLength !== undefined && maxLength !== undefined)
    expected = `a string of ${minLength}..${maxLength} characters`;
  else if (minLength === 1) expected = 'a non-empty string';
  else if (minLength !== undefined) expected = `a string of at least ${minLength} characters`;
  else if (maxLength !== undefined) expected = `a string of at most ${maxLength} characters`;
  const check = (value: unknown, path: string): string => {
    if (typeof value !== 'string') fail(path, expected, kindOf(value));
    if (
      (minLength !== undefined && value.length < minLength) ||
      (maxLength !== undefined && value.length > maxLength)
    ) {
      fail(path, expected, kindOf(value));
    }
    return value;
  };
  return {
    expected,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}

export interface IntegerOptions {
  readonly min?: number;
  readonly max?: number;
}

/** JSON numbers that are safe integers; JSON-B integers arrive here as numbers too. */
export function integer(options: IntegerOptions = {}): Schema<number> {
  const { min, max } = options;
  const range = min !== undefined || max !== undefined ? ` in [${min ?? '-2^53'}, ${max ?? '2^53'}]` : '';
  const expected = `an integer${range}`;
  const check = (value: unknown, path: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, expected, kindOf(value));
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      fail(path, expected, `${value}`);
    }
    return value;
  };
  return {
    expected,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}

export function boolean(): Schema<boolean> {
  const expected = 'a boolean';
  const check = (value: unknown, path: string): boolean => {
    if (typeof value !== 'boolean') fail(path, expected, kindOf(value));
    return value;
  };
  return {
    expected,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}

/**
 * A string restricted to fixed labels. Matching is exact (case-sensitive), as the reference
 * compares these labels with string equality (MeshConstants `TransactionResultAccept` …).
 * The label found is echoed, cut short: labels are protocol vocabulary, never secrets.
 */
export function enumeration<const L extends readonly [string, ...string[]]>(labels: L): Schema<L[number]> {
  const expected = `one of ${labels.join('|')}`;
  const allowed = new Set<string>(labels);
  const check = (value: unknown, path: string): L[number] => {
    if (typeof value !== 'string') fail(path, expected, kindOf(value));
    if (!allowed.has(value)) fail(path, expected, preview(value));
    return value as L[number];
  };
  return {
    expected,
    parse: (json, path = 'value') => check(json, path),
    toJson: (value, path = 'value') => check(value, path),
  };
}
