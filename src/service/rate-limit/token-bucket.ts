/**
 * @module service/rate-limit/token-bucket
 * One token bucket (docs/security.md "Rate limits"): `burst` requests at once, then
 * `perMinute` more each minute, refilled continuously. The bucket is a plain value and the
 * time is passed in, so a test moves the clock instead of sleeping.
 */

/** How big a bucket is and how fast it refills. */
export interface BucketSpec {
  /** Most requests accepted at once (the bucket's capacity). */
  readonly burst: number;
  /** Tokens added per minute, continuously. */
  readonly perMinute: number;
}

/** A bucket's state: tokens left at `updated` (ms since the epoch). */
export interface BucketState {
  tokens: number;
  updated: number;
}

/** What `take` decided. */
export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** A fresh bucket is full: an address or account never seen before gets its whole burst. */
export function fullBucket(spec: BucketSpec, now: number): BucketState {
  return { tokens: spec.burst, updated: now };
}

/** Tokens in `state` at `now`, refilled up to the burst; a clock that went back refills nothing. */
export function tokensAt(spec: BucketSpec, state: BucketState, now: number): number {
  const elapsed = Math.max(0, now - state.updated);
  return Math.min(spec.burst, state.tokens + (elapsed * spec.perMinute) / 60_000);
}

/**
 * Takes one token if there is one. A refusal takes nothing (a client that waits as told is
 * not punished further) and says how many whole seconds until one token is back.
 */
export function take(spec: BucketSpec, state: BucketState, now: number): TakeResult {
  const tokens = tokensAt(spec, state, now);
  state.updated = Math.max(state.updated, now);
  if (tokens >= 1) {
    state.tokens = tokens - 1;
    return { allowed: true };
  }
  state.tokens = tokens;
  const retryAfterSeconds = spec.perMinute > 0 ? Math.max(1, Math.ceil(((1 - tokens) * 60) / spec.perMinute)) : 3600;
  return { allowed: false, retryAfterSeconds };
}

/** Whether `state` has refilled to its burst by `now`, i.e. is no different from a fresh bucket. */
export function isFull(spec: BucketSpec, state: BucketState, now: number): boolean {
  return tokensAt(spec, state, now) >= spec.burst;
}
