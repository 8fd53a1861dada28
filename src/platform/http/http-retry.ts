/**
 * @module platform/http/http-retry
 * How an idempotent transaction is sent again: after a connection dropped before the answer,
 * or a 429/503 (waiting at least the service's RetryAfter), on a backoff with jitter, up to
 * a bounded number of tries. Time and entropy are injected, so tests pin both.
 */
import type { RandomSource } from '../../crypto/random.js';
import type { RetryScheduleOptions } from '../../agent/retry-schedule.js';
import { systemRandom } from '../../crypto/random.js';

export interface HttpRetryPolicy {
  /** Total tries of one transaction, at least 1. */
  readonly attempts: number;
  readonly schedule: RetryScheduleOptions;
  /** A RetryAfter longer than this is not waited out: the caller gets the 429/503. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: RandomSource;
}

export const DEFAULT_HTTP_RETRY: HttpRetryPolicy = {
  attempts: 4,
  schedule: { initialDelayMs: 200, maxDelayMs: 3_000, factor: 2, jitter: 0.25, honorRetryAfter: true },
  maxRetryAfterMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: systemRandom,
};
