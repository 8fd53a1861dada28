/**
 * @module service/store/record-index
 * The current records held in memory, rebuilt by replaying the log ("indexes
 * rebuilt in memory at start"). Values are kept as their JSON text, which is both smaller
 * than the parsed objects and hands every reader a fresh copy. Each container keeps its keys
 * sorted (from its first listing on) so that a page is a binary search plus a slice, not a
 * sort of the whole container.
 */
import type { CheckedChange, CheckedListOptions } from './store-input.js';
import { compareKeys } from './store-input.js';

export interface IndexedRecord {
  readonly json: string;
  readonly version: number;
}

interface Container {
  readonly records: Map<string, IndexedRecord>;
  /** Sorted keys, built on the first page request: replaying a log then costs one sort, not n inserts. */
  keys: string[] | undefined;
}

export class RecordIndex {
  readonly #containers = new Map<string, Container>();
  #count = 0;

  get count(): number {
    return this.#count;
  }

  get(container: string, key: string): IndexedRecord | undefined {
    return this.#containers.get(container)?.records.get(key);
  }

  /** Applies one log entry's changes; `version` is the entry's index. */
  apply(changes: readonly CheckedChange[], version: number): void {
    for (const change of changes) {
      if (change.op === 'put') this.#put(change.container, change.key, { json: change.json, version });
      else this.#delete(change.container, change.key);
    }
  }

  /** Up to `limit + 1` keys after the options' cursor, so the caller can tell whether more follow. */
  page(container: string, options: CheckedListOptions): Array<[string, IndexedRecord]> {
    const c = this.#containers.get(container);
    if (c === undefined) return [];
    c.keys ??= [...c.records.keys()].sort(compareKeys);
    const keys = c.keys;
    const { after, prefix, limit } = options;
    let start = 0;
    if (after !== undefined) start = upperBound(keys, after);
    if (prefix !== undefined) start = Math.max(start, lowerBound(keys, prefix));
    const out: Array<[string, IndexedRecord]> = [];
    for (let i = start; i < keys.length && out.length <= limit; i++) {
      const key = keys[i] as string;
      if (prefix !== undefined && !key.startsWith(prefix)) break;
      out.push([key, c.records.get(key) as IndexedRecord]);
    }
    return out;
  }

  *entries(): Generator<[string, string, IndexedRecord]> {
    for (const [name, c] of this.#containers) {
      for (const [key, record] of c.records) yield [name, key, record];
    }
  }

  #put(container: string, key: string, record: IndexedRecord): void {
    let c = this.#containers.get(container);
    if (c === undefined) {
      c = { records: new Map(), keys: undefined };
      this.#containers.set(container, c);
    }
    if (!c.records.has(key)) {
      c.keys?.splice(lowerBound(c.keys, key), 0, key);
      this.#count += 1;
    }
    c.records.set(key, record);
  }

  #delete(container: string, key: string): void {
    const c = this.#containers.get(container);
    if (c === undefined || !c.records.delete(key)) return;
    c.keys?.splice(lowerBound(c.keys, key), 1);
    this.#count -= 1;
    if (c.records.size === 0) this.#containers.delete(container);
  }
}

/** First position whose key is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position whose key is > `key`. */
function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
