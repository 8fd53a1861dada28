/**
 * @module agent/config/config-reader
 * A walk over untrusted JSON that records a problem instead of throwing at the first one, so a
 * bad file is reported whole (see config-error). Each accessor returns the typed value, or
 * undefined after recording why not; the caller substitutes a default and carries on, and the
 * validator throws once at the end if anything was recorded.
 */
import type { UncheckedObject } from '../../mesh/encoding/json-value.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { didYouMean } from './did-you-mean.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$.a` for plain keys, `$["odd key"]` otherwise (JSONPath). */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A short, safe description of what was found. Secrets are described by kind only. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing (the field is absent)';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return secret ? 'a number' : `the number ${value}`;
  if (typeof value === 'string') {
    if (secret) return value.length === 0 ? 'an empty string' : `a string of ${value.length} characters`;
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

export class ConfigReader {
  readonly #problems: ConfigProblem[] = [];

  constructor(private readonly source?: string) {}

  /** Records a problem; always returns undefined so callers can `return reader.fail(...)`. */
  fail(path: string, expected: string, actual: string, hint?: string): undefined {
    this.#problems.push(hint === undefined ? { path, expected, actual } : { path, expected, actual, hint });
    return undefined;
  }

  get failed(): boolean {
    return this.#problems.length > 0;
  }

  /** Throws the collected problems as one ConfigError, if there are any. */
  throwIfFailed(): void {
    const [first, ...rest] = this.#problems;
    if (first !== undefined) throw new ConfigError([first, ...rest], this.source);
  }

  /**
   * `value` as an object whose keys are all in `known`; each unknown key is a problem of its
   * own, with a "did you mean" hint when it is close to a known one.
   */
  object(
    path: string,
    value: unknown,
    known: readonly string[],
    aliases: Readonly<Record<string, string>> = {},
  ): UncheckedObject | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.fail(path, 'an object', describeValue(value));
    }
    const record = value as UncheckedObject;
    for (const key of Object.keys(record)) {
      if (known.includes(key)) continue;
      const guess = didYouMean(key, known, aliases);
      this.fail(
        childPath(path, key),
        `one of the known fields (${known.join(', ')})`,
        'an unknown field',
        guess === undefined ? undefined : `did you mean "${guess}"?`,
      );
    }
    return record;
  }

  array(path: string, value: unknown): readonly unknown[] | undefined {
    return Array.isArray(value) ? value : this.fail(path, 'an array', describeValue(value));
  }

  string(path: string, value: unknown, expected = 'a string', secret = false): string | undefined {
    if (typeof value !== 'string' || value.length === 0) {
      return this.fail(path, expected, typeof value === 'string' ? 'an empty string' : describeValue(value, secret));
    }
    return value;
  }

  boolean(path: string, value: unknown): boolean | undefined {
    return typeof value === 'boolean' ? value : this.fail(path, 'true or false', describeValue(value));
  }

  /** A finite number in [min, max]; `integer` also demands a whole number. */
  number(
    path: string,
    value: unknown,
    range: { min: number; max: number; integer?: boolean; exclusiveMin?: boolean },
  ): number | undefined {
    const kind = range.integer === true ? 'an integer' : 'a number';
    const low = range.exclusiveMin === true ? `greater than ${range.min}` : `at least ${range.min}`;
    const expected = `${kind} ${low} and at most ${range.max}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.fail(path, expected, describeValue(value));
    if (range.integer === true && !Number.isInteger(value)) return this.fail(path, expected, describeValue(value));
    const belowMin = range.exclusiveMin === true ? value <= range.min : value < range.min;
    if (belowMin || value > range.max) return this.fail(path, expected, describeValue(value));
    return value;
  }

  /** One of `choices`, with a hint when the value is a near miss (`secret_service`, `TPM`). */
  oneOf<T extends string | number>(path: string, value: unknown, choices: readonly T[]): T | undefined {
    if ((choices as readonly unknown[]).includes(value)) return value as T;
    const listed = choices.map((c) => JSON.stringify(c)).join(', ');
    const guess = typeof value === 'string' ? didYouMean(value, choices.map(String)) : undefined;
    return this.fail(
      path,
      `one of ${listed}`,
      describeValue(value),
      guess === undefined ? undefined : `did you mean "${guess}"?`,
    );
  }
}
