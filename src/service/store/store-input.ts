/**
 * @module service/store/store-input
 * Validation shared by every store backend, so that both reject the same input with the same
 * error class and message (the contract suite runs against both), and so that nothing a
 * client sends can make one backend accept what the other refuses (PostgreSQL text cannot
 * hold NUL or lone surrogates; the file log must stay valid UTF-8 JSON).
 */
import { base64urlDecode, base64urlEncode } from '../../mesh/encoding/base64url.js';
import type { JsonObject } from '../../mesh/encoding/json-value.js';
import { fromUtf8, utf8 } from '../../crypto/bytes.js';
import { StoreConfigError, StoreInputError, StoreLimitError } from './store-errors.js';
import {
  DEFAULT_LIST_LIMIT,
  DEFAULT_STORE_LIMITS,
  type ListOptions,
  type Precondition,
  type StoreChange,
  type StoreLimits,
} from './store.js';

// Lower-case ASCII so that names are safe in file names, SQL literals and logs alike.
const CONTAINER_NAME = /^[a-z][a-z0-9._-]{0,63}$/;
// Control characters would make logs and error messages ambiguous; lone surrogates have no
// UTF-8 encoding (PostgreSQL refuses them, TextEncoder would silently replace them).
const FORBIDDEN_KEY_CHARACTER = /[\p{Cc}\p{Cs}]/u;

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

export function resolveLimits(overrides?: Partial<StoreLimits>): StoreLimits {
  const limits = { ...DEFAULT_STORE_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new StoreConfigError(`store limit "${name}" expected a positive integer, got ${String(value)}`, {
        context: { what: name, actual: value },
      });
    }
  }
  if (limits.maxEntryBytes > MAX_ENTRY_BYTES) {
    throw new StoreConfigError(
      `store limit "maxEntryBytes" may be at most ${MAX_ENTRY_BYTES}, got ${limits.maxEntryBytes}`,
      {
        context: { what: 'maxEntryBytes', limit: MAX_ENTRY_BYTES, actual: limits.maxEntryBytes },
      },
    );
  }
  return Object.freeze(limits);
}

/** The file log's fixed frame bound (log-file MAX_FRAME_PAYLOAD); no configuration may exceed it. */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export function checkContainer(container: unknown, what = 'container'): asserts container is string {
  if (typeof container !== 'string' || !CONTAINER_NAME.test(container)) {
    const shown = typeof container === 'string' ? JSON.stringify(container.slice(0, 80)) : `type ${typeof container}`;
    throw new StoreInputError(`"${what}" expected a container name matching ${CONTAINER_NAME.source}, got ${shown}`, {
      context: { what, expected: CONTAINER_NAME.source },
    });
  }
}

export function checkKey(key: unknown, limits: StoreLimits, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new StoreInputError(
      `"${what}" expected a non-empty string, got ${typeof key === 'string' ? 'an empty string' : `type ${typeof key}`}`,
      {
        context: { what, expected: 'non-empty string' },
      },
    );
  }
  const bad = FORBIDDEN_KEY_CHARACTER.exec(key);
  if (bad !== null) {
    const codeUnit = key.charCodeAt(bad.index).toString(16).padStart(4, '0');
    throw new StoreInputError(
      `"${what}" contains a control character or lone surrogate (U+${codeUnit}) at position ${bad.index}`,
      { context: { what, position: bad.index } },
    );
  }
  const bytes = utf8Length(key);
  if (bytes > limits.maxKeyBytes) {
    throw new StoreLimitError(`"${what}" is ${bytes} bytes of UTF-8, more than the limit of ${limits.maxKeyBytes}`, {
      context: { what, limit: limits.maxKeyBytes, actual: bytes },
    });
  }
}

/**
 * Checks that `value` is a plain JSON object (no undefined, functions, NaN, bigint, Date or
 * class instances, which JSON.stringify would drop or mangle silently) and returns its JSON.
 */
export function serialiseValue(value: unknown, limits: StoreLimits, what = 'value'): string {
  if (!isPlainObject(value)) {
    throw new StoreInputError(`"${what}" expected a JSON object, got ${describe(value)}`, {
      context: { what, expected: 'JSON object' },
    });
  }
  checkJson(value, what, 1, limits.maxValueDepth, new Set());
  const json = JSON.stringify(value);
  const bytes = utf8Length(json);
  if (bytes > limits.maxValueBytes) {
    throw new StoreLimitError(`"${what}" is ${bytes} bytes of JSON, more than the limit of ${limits.maxValueBytes}`, {
      context: { what, limit: limits.maxValueBytes, actual: bytes },
    });
  }
  return json;
}

function checkJson(value: unknown, path: string, depth: number, maxDepth: number, seen: Set<object>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new StoreInputError(`"${path}" expected a finite number, got ${String(value)}`, {
        context: { what: path, expected: 'finite number' },
      });
    }
    return;
  }
  if (typeof value !== 'object') {
    throw new StoreInputError(`"${path}" expected a JSON value, got ${describe(value)}`, {
      context: { what: path, expected: 'JSON value' },
    });
  }
  if (depth > maxDepth) {
    throw new StoreLimitError(`"${path}" is nested more than ${maxDepth} levels deep`, {
      context: { what: path, limit: maxDepth },
    });
  }
  if (seen.has(value)) {
    throw new StoreInputError(`"${path}" is a circular reference`, { context: { what: path } });
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}[${i}]`, depth + 1, maxDepth, seen);
  } else if (isPlainObject(value)) {
    for (const [name, member] of Object.entries(value)) {
      checkJson(member, `${path}.${name}`, depth + 1, maxDepth, seen);
    }
  } else {
    throw new StoreInputError(`"${path}" expected a plain JSON object or array, got ${describe(value)}`, {
      context: { what: path, expected: 'JSON value' },
    });
  }
  seen.delete(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'an unknown class'}`;
  return `type ${typeof value}`;
}

/** A validated change with its value already serialised (what the log records). */
export type CheckedChange =
  | { readonly op: 'put'; readonly container: string; readonly key: string; readonly json: string }
  | { readonly op: 'delete'; readonly container: string; readonly key: string };

export function checkChanges(changes: unknown, limits: StoreLimits): CheckedChange[] {
  if (!Array.isArray(changes) || changes.length === 0) {
    throw new StoreInputError(
      `"changes" expected a non-empty array, got ${Array.isArray(changes) ? 'an empty array' : describe(changes)}`,
      {
        context: { what: 'changes', expected: 'non-empty array' },
      },
    );
  }
  if (changes.length > limits.maxChanges) {
    throw new StoreLimitError(`"changes" has ${changes.length} changes, more than the limit of ${limits.maxChanges}`, {
      context: { what: 'changes', limit: limits.maxChanges, actual: changes.length },
    });
  }
  const seen = new Set<string>();
  const out: CheckedChange[] = [];
  changes.forEach((change: unknown, i) => {
    const what = `changes[${i}]`;
    if (!isPlainObject(change)) {
      throw new StoreInputError(`"${what}" expected an object, got ${describe(change)}`, { context: { what } });
    }
    const { op, container, key } = change as Partial<StoreChange> & Record<string, unknown>;
    checkContainer(container, `${what}.container`);
    checkKey(key, limits, `${what}.key`);
    // Two changes to one record in a batch would make the outcome depend on order; refuse.
    const id = recordId(container, key);
    if (seen.has(id)) {
      throw new StoreInputError(`"${what}" changes ${container}/${JSON.stringify(key)} a second time in one commit`, {
        context: { what, container },
      });
    }
    seen.add(id);
    if (op === 'put') {
      out.push({ op, container, key, json: serialiseValue(change['value'], limits, `${what}.value`) });
    } else if (op === 'delete') {
      out.push({ op, container, key });
    } else {
      throw new StoreInputError(`"${what}.op" expected "put" or "delete", got ${JSON.stringify(op) ?? 'undefined'}`, {
        context: { what: `${what}.op`, expected: ['put', 'delete'] },
      });
    }
  });
  return out;
}

export function checkPreconditions(preconditions: unknown, limits: StoreLimits): Precondition[] {
  if (preconditions === undefined) return [];
  if (!Array.isArray(preconditions)) {
    throw new StoreInputError(`"preconditions" expected an array, got ${describe(preconditions)}`, {
      context: { what: 'preconditions', expected: 'array' },
    });
  }
  if (preconditions.length > limits.maxPreconditions) {
    throw new StoreLimitError(
      `"preconditions" has ${preconditions.length} entries, more than the limit of ${limits.maxPreconditions}`,
      { context: { what: 'preconditions', limit: limits.maxPreconditions, actual: preconditions.length } },
    );
  }
  return preconditions.map((p: unknown, i) => {
    const what = `preconditions[${i}]`;
    if (!isPlainObject(p)) {
      throw new StoreInputError(`"${what}" expected an object, got ${describe(p)}`, { context: { what } });
    }
    const { container, key, expected } = p as Partial<Precondition>;
    checkContainer(container, `${what}.container`);
    checkKey(key, limits, `${what}.key`);
    if (expected !== 'absent' && !(Number.isSafeInteger(expected) && (expected as number) >= 1)) {
      throw new StoreInputError(
        `"${what}.expected" expected a version (a positive integer) or "absent", got ${JSON.stringify(expected) ?? 'undefined'}`,
        { context: { what: `${what}.expected` } },
      );
    }
    return { container, key, expected: expected as number | 'absent' };
  });
}

export interface CheckedListOptions {
  readonly after?: string;
  readonly prefix?: string;
  readonly limit: number;
}

export function checkListOptions(options: ListOptions | undefined, limits: StoreLimits): CheckedListOptions {
  const { after, prefix, limit = DEFAULT_LIST_LIMIT } = options ?? {};
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new StoreInputError(`"limit" expected a positive integer, got ${String(limit)}`, {
      context: { what: 'limit', actual: limit },
    });
  }
  if (limit > limits.maxListLimit) {
    throw new StoreLimitError(`"limit" is ${limit}, more than the limit of ${limits.maxListLimit}`, {
      context: { what: 'limit', limit: limits.maxListLimit, actual: limit },
    });
  }
  if (prefix !== undefined && prefix !== '') checkKey(prefix, limits, 'prefix');
  const out: { after?: string; prefix?: string; limit: number } = { limit };
  if (prefix !== undefined && prefix !== '') out.prefix = prefix;
  if (after !== undefined) out.after = decodePageKey(after, limits);
  return out;
}

// Page keys are opaque to callers so the encoding can change; today they carry the last key
// returned, which makes paging stable under concurrent inserts and deletes.
const PAGE_KEY_PREFIX = 'k1.';

export function encodePageKey(lastKey: string): string {
  return PAGE_KEY_PREFIX + base64urlEncode(utf8(lastKey));
}

function decodePageKey(pageKey: unknown, limits: StoreLimits): string {
  if (typeof pageKey !== 'string' || !pageKey.startsWith(PAGE_KEY_PREFIX)) {
    throw new StoreInputError(
      `"after" expected a page key returned by list, got ${typeof pageKey === 'string' ? JSON.stringify(pageKey.slice(0, 80)) : describe(pageKey)}`,
      {
        context: { what: 'after' },
      },
    );
  }
  let key: string;
  try {
    key = fromUtf8(base64urlDecode(pageKey.slice(PAGE_KEY_PREFIX.length), 'after'), 'after');
  } catch (cause) {
    throw new StoreInputError(`"after" is not a page key returned by list`, { context: { what: 'after' }, cause });
  }
  try {
    checkKey(key, limits, 'after');
  } catch (cause) {
    throw new StoreInputError(`"after" is not a page key returned by list`, { context: { what: 'after' }, cause });
  }
  return key;
}

/**
 * Orders keys by Unicode code point, which is also UTF-8 byte order and PostgreSQL's
 * COLLATE "C" order; JavaScript's `<` compares UTF-16 code units and would disagree on
 * characters above U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (0xD800-0xDFFF) are out of code-point order; they sort above the BMP.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

export function recordId(container: string, key: string): string {
  return `${container}\u0000${key}`;
}

/** A record value is returned as a fresh object so callers cannot mutate the store. */
export function parseValue<T extends JsonObject>(json: string): T {
  return JSON.parse(json) as T;
}
