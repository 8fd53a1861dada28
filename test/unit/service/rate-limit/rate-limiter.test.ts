/**
 * @module test/unit/service/rate-limit/rate-limiter.test
 * The limiter's tables: sources and accounts of one class counted apart, classes apart,
 * limits off, and memory bounded however many sources or names are sprayed.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../src/service/rate-limit/rate-limiter.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../../../../src/service/rate-limit/rate-limit-config.js';

const config = (overrides: Partial<RateLimitConfig> = {}): RateLimitConfig => ({
  enabled: true,
  maxTrackedKeys: 100,
  classes: {
    ConnectStart: { source: { burst: 2, perMinute: 60 }, account: { burst: 3, perMinute: 60 } },
    Claim: { source: { burst: 1, perMinute: 60 } },
  },
  ...overrides,
});

const drain = (limiter: RateLimiter, ...args: Parameters<RateLimiter['take']>): number => {
  let n = 0;
  while (limiter.take(...args).allowed) if (++n > 1000) break;
  return n;
};

describe('rate limiter', () => {
  it('counts each (class, source) and (class, account) apart', () => {
    const limiter = new RateLimiter(config());
    expect(drain(limiter, 'ConnectStart', 'source', '192.0.2.1', 0)).toBe(2);
    expect(drain(limiter, 'ConnectStart', 'source', '192.0.2.2', 0)).toBe(2);
    expect(drain(limiter, 'ConnectStart', 'account', 'alice@example.com', 0)).toBe(3);
    expect(drain(limiter, 'ConnectStart', 'account', 'bob@example.com', 0)).toBe(3);
    expect(drain(limiter, 'Claim', 'source', '192.0.2.1', 0)).toBe(1);
    expect(limiter.take('ConnectStart', 'source', '192.0.2.1', 1_000)).toEqual({ allowed: true });
  });

  it('does not limit a class or kind without a bucket, nor anything when off', () => {
    const limiter = new RateLimiter(config());
    expect(drain(limiter, 'Claim', 'account', 'maker@example.com', 0)).toBe(1001);
    expect(drain(limiter, 'PinRegister', 'source', '192.0.2.1', 0)).toBe(1001);
    const off = new RateLimiter(config({ enabled: false }));
    expect(drain(off, 'ConnectStart', 'source', '192.0.2.1', 0)).toBe(1001);
    expect(off.trackedBuckets()).toBe(0);
  });

  it('holds at most maxTrackedKeys buckets per table however many sources or account names are sprayed', () => {
    const limiter = new RateLimiter(config());
    for (let i = 0; i < 100_000; i++) {
      limiter.take('ConnectStart', 'source', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0);
      limiter.take('ConnectStart', 'account', `spray${i}@example.com`, 0);
    }
    expect(limiter.trackedBuckets()).toBe(200);
  });

  it('when full, forgets refilled buckets before a drained one that is still in use', () => {
    const limiter = new RateLimiter(config({ maxTrackedKeys: 8 }));
    // A drained source, then seven that took one token and refill within a second.
    expect(drain(limiter, 'ConnectStart', 'source', '198.51.100.7', 0)).toBe(2);
    for (let i = 0; i < 7; i++) limiter.take('ConnectStart', 'source', `192.0.2.${i}`, 0);
    // Newcomers a second later evict the refilled ones, not the older drained one.
    for (let i = 0; i < 2; i++) limiter.take('ConnectStart', 'source', `203.0.113.${i}`, 1_000);
    expect(limiter.trackedBuckets()).toBe(8);
    expect(limiter.take('ConnectStart', 'source', '198.51.100.7', 1_000)).toEqual({ allowed: true });
    expect(limiter.take('ConnectStart', 'source', '198.51.100.7', 1_000).allowed).toBe(false);
  });

  it('a bucket evicted while drained comes back full: eviction never refuses anyone', () => {
    const limiter = new RateLimiter(config({ maxTrackedKeys: 4 }));
    expect(drain(limiter, 'ConnectStart', 'source', '192.0.2.1', 0)).toBe(2);
    for (let i = 0; i < 4; i++) limiter.take('ConnectStart', 'source', `192.0.2.${10 + i}`, 0);
    expect(limiter.trackedBuckets()).toBe(4);
    expect(drain(limiter, 'ConnectStart', 'source', '192.0.2.1', 0)).toBe(2);
  });

  it('the defaults limit all five front-door classes per source', () => {
    for (const name of ['ConnectStart', 'Claim', 'PollClaim', 'CreateAccount', 'PinRegister'] as const) {
      expect(DEFAULT_RATE_LIMITS.classes[name]?.source?.burst).toBeGreaterThan(0);
    }
  });
});
