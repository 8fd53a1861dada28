/**
 * @module test/unit/service/rate-limit/token-bucket.test
 * One bucket on a moved clock: the burst, the refusal with its RetryAfter, refill, no
 * charge for a refusal, and a clock that goes back.
 */
import { describe, expect, it } from 'vitest';
import { fullBucket, isFull, take } from '../../../../src/service/rate-limit/token-bucket.js';

describe('token bucket', () => {
  const spec = { burst: 3, perMinute: 6 }; // one token every 10 s

  it('allows the burst, then refuses with the seconds until one token is back', () => {
    const state = fullBucket(spec, 0);
    for (let i = 0; i < 3; i++) expect(take(spec, state, 0)).toEqual({ allowed: true });
    expect(take(spec, state, 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(take(spec, state, 4_000)).toEqual({ allowed: false, retryAfterSeconds: 6 });
  });

  it('refills continuously up to the burst, and a refusal takes nothing', () => {
    const state = fullBucket(spec, 0);
    for (let i = 0; i < 3; i++) take(spec, state, 0);
    for (let i = 0; i < 5; i++) expect(take(spec, state, 9_999).allowed).toBe(false);
    expect(take(spec, state, 10_000)).toEqual({ allowed: true });
    expect(take(spec, state, 10_000).allowed).toBe(false);
    expect(isFull(spec, state, 10_000 + 29_999)).toBe(false);
    expect(isFull(spec, state, 10_000 + 30_000)).toBe(true);
    // Hours later still only the burst.
    let allowed = 0;
    while (take(spec, state, 3_600_000).allowed) allowed++;
    expect(allowed).toBe(3);
  });

  it('a clock that goes back refills nothing', () => {
    const state = fullBucket(spec, 100_000);
    for (let i = 0; i < 3; i++) take(spec, state, 100_000);
    expect(take(spec, state, 0).allowed).toBe(false);
    expect(take(spec, state, 100_000).allowed).toBe(false);
    expect(take(spec, state, 110_000).allowed).toBe(true);
  });

  it('a bucket that never refills says so with a long RetryAfter', () => {
    const none = { burst: 1, perMinute: 0 };
    const state = fullBucket(none, 0);
    expect(take(none, state, 0).allowed).toBe(true);
    expect(take(none, state, 86_400_000)).toEqual({ allowed: false, retryAfterSeconds: 3600 });
  });
});
