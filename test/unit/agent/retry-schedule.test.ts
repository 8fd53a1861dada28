/**
 * @module test/unit/agent/retry-schedule.test
 * The backoff as a value (house style §6.3 item 6): exact delays with the jitter pinned,
 * the cap, the service's RetryAfter as a floor, reset, and bad options.
 */
import { describe, expect, it } from 'vitest';
import { pinnedJitterRandom } from '../../../src/agent/fakes/fake-random.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { MAX_RETRY_AFTER_MS, RetrySchedule, unitInterval } from '../../../src/agent/retry-schedule.js';
import { InvalidArgumentError } from '../../../src/crypto/errors.js';

const options = { initialDelayMs: 1_000, maxDelayMs: 8_000, factor: 2, jitter: 0.25, honorRetryAfter: true };
const take = (s: RetrySchedule, n: number, retryAfter?: number): number[] =>
  Array.from({ length: n }, () => s.next(retryAfter));

describe('RetrySchedule', () => {
  it('draws the jitter from the injected entropy', () => {
    expect(unitInterval(pinnedJitterRandom(0x00))).toBe(0);
    expect(unitInterval(pinnedJitterRandom(0x80))).toBeCloseTo(0.50196, 5);
    expect(unitInterval(pinnedJitterRandom(0xff))).toBeLessThan(1);
  });

  it('lowest jitter: 0.75 of 1, 2, 4, 8, 8 s', () => {
    expect(take(new RetrySchedule(options, pinnedJitterRandom(0x00)), 6)).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
  });

  it('highest jitter is capped at maxDelay', () => {
    expect(take(new RetrySchedule(options, pinnedJitterRandom(0xff)), 5)).toEqual([1250, 2500, 5000, 8000, 8000]);
  });

  it('no jitter: the plain exponential series', () => {
    expect(take(new RetrySchedule({ ...options, jitter: 0 }, pinnedJitterRandom(0x00)), 5)).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });

  it("the service's RetryAfter is a floor, and only when honoured", () => {
    expect(take(new RetrySchedule(options, pinnedJitterRandom(0x00)), 4, 5)).toEqual([5000, 5000, 5000, 6000]);
    expect(take(new RetrySchedule({ ...options, honorRetryAfter: false }, pinnedJitterRandom(0x00)), 2, 5)).toEqual([
      750, 1500,
    ]);
    // A hostile RetryAfter cannot park the agent for longer than a day.
    expect(new RetrySchedule(options, pinnedJitterRandom(0x00)).next(10 ** 9)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('reset starts over', () => {
    const s = new RetrySchedule(options, pinnedJitterRandom(0x00));
    take(s, 3);
    expect(s.attempt).toBe(3);
    s.reset();
    expect(s.next()).toBe(750);
  });

  it('random jitter stays within ±jitter and the cap', () => {
    const s = new RetrySchedule(options, seededRandom(3));
    for (let i = 0; i < 200; i++) {
      const base = s.baseDelay(s.attempt);
      const d = s.next();
      expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.75));
      expect(d).toBeLessThanOrEqual(Math.min(8000, Math.ceil(base * 1.25)));
    }
  });

  it('refuses options that make no schedule', () => {
    const r = pinnedJitterRandom(0);
    expect(() => new RetrySchedule({ ...options, initialDelayMs: 0 }, r)).toThrow(InvalidArgumentError);
    expect(() => new RetrySchedule({ ...options, maxDelayMs: 500 }, r)).toThrow(/initialDelayMs ≤ maxDelayMs/);
    expect(() => new RetrySchedule({ ...options, factor: 0.5 }, r)).toThrow(InvalidArgumentError);
    expect(() => new RetrySchedule({ ...options, jitter: 1.5 }, r)).toThrow(InvalidArgumentError);
  });
});
