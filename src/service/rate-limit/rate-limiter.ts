/**
 * @module service/rate-limit/rate-limiter
 * The front door's token buckets (design decision: the unauthenticated front door is bounded;
 * docs/security.md "Rate limits"), one per (transaction class, source) and one per
 * (transaction class, account). Memory is bounded however many sources or account names a
 * stranger sprays: each table holds at most `maxTrackedKeys` buckets; a full bucket is the
 * same as no bucket, so full ones are dropped first, then the least recently used. Dropping
 * a drained bucket can only hand its key a fresh burst, never refuse anyone.
 *
 * In memory, per service instance: several instances behind a balancer each count alone.
 */
import { fullBucket, isFull, take, type BucketSpec, type BucketState, type TakeResult } from './token-bucket.js';
import type { RateLimitClass, RateLimitConfig } from './rate-limit-config.js';

export type LimitKind = 'source' | 'account';

class BucketTable {
  readonly #buckets = new Map<string, BucketState>();
  readonly #spec: BucketSpec;
  readonly #max: number;

  constructor(spec: BucketSpec, max: number) {
    this.#spec = spec;
    this.#max = max;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, now: number): TakeResult {
    let state = this.#buckets.get(key);
    if (state === undefined) {
      this.#makeRoom(now);
      state = fullBucket(this.#spec, now);
    } else {
      // Re-inserted so the Map's order is least recently used first.
      this.#buckets.delete(key);
    }
    const result = take(this.#spec, state, now);
    this.#buckets.set(key, state);
    return result;
  }

  #makeRoom(now: number): void {
    if (this.#buckets.size < this.#max) return;
    // Sweep the oldest quarter for refilled buckets; amortised, so one request never scans all.
    let scanned = 0;
    const budget = Math.max(1, this.#max >> 2);
    for (const [key, state] of this.#buckets) {
      if (scanned++ >= budget) break;
      if (isFull(this.#spec, state, now)) this.#buckets.delete(key);
    }
    while (this.#buckets.size >= this.#max) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
  }
}

export class RateLimiter {
  readonly #tables = new Map<string, BucketTable>();
  readonly #config: RateLimitConfig;

  constructor(config: RateLimitConfig) {
    this.#config = config;
  }

  get enabled(): boolean {
    return this.#config.enabled;
  }

  /**
   * Takes one token from the (class, kind, key) bucket; always allowed when limits are off or
   * that bucket is not configured.
   */
  take(limitClass: RateLimitClass, kind: LimitKind, key: string, now: number): TakeResult {
    if (!this.#config.enabled) return { allowed: true };
    const spec = this.#config.classes[limitClass]?.[kind];
    if (spec === undefined) return { allowed: true };
    const name = `${limitClass}.${kind}`;
    let table = this.#tables.get(name);
    if (table === undefined) {
      table = new BucketTable(spec, this.#config.maxTrackedKeys);
      this.#tables.set(name, table);
    }
    return table.take(key, now);
  }

  /** Buckets held right now, over all tables (for tests and the operator's curiosity). */
  trackedBuckets(): number {
    let total = 0;
    for (const table of this.#tables.values()) total += table.size;
    return total;
  }
}
