/**
 * @module agent/retry-schedule
 * Backoff as a value (docs/decisions/0015-backoff-as-a-schedule.md, after matter.js RetrySchedule): delay n is
 * `initial × factor^n`, capped, then spread by ± `jitter` of itself with entropy from the
 * injected RandomSource, so a fleet that reboots together does not poll in lock-step (as
 * FDO's ±25 %), and a test pins the jitter. The service's RetryAfter is a floor when
 * `honorRetryAfter` is set (docs/service-protocol.md: 202 and 429 carry it).
 */
import { InvalidArgumentError } from '../crypto/errors.js';
import type { RandomSource } from '../crypto/random.js';

export interface RetryScheduleOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Fraction in [0, 1]: each delay is drawn from [d·(1−jitter), d·(1+jitter)], then capped. */
  readonly jitter: number;
  readonly honorRetryAfter: boolean;
}

/** A hostile or broken service cannot park the agent for more than a day. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** A uniform draw in [0, 1) from 32 bits of the injected entropy. */
export function unitInterval(random: RandomSource): number {
  const b = random(4);
  const word = (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0;
  return word / 2 ** 32;
}

export class RetrySchedule {
  readonly options: RetryScheduleOptions;
  readonly #random: RandomSource;
  #attempt = 0;

  constructor(options: RetryScheduleOptions, random: RandomSource) {
    const { initialDelayMs, maxDelayMs, factor, jitter } = options;
    if (!(initialDelayMs > 0) || !(maxDelayMs >= initialDelayMs) || !(factor >= 1) || !(jitter >= 0 && jitter <= 1)) {
      throw new InvalidArgumentError(
        `"options" expected 0 < initialDelayMs ≤ maxDelayMs, factor ≥ 1 and 0 ≤ jitter ≤ 1, got ${initialDelayMs}, ${maxDelayMs}, ${factor}, ${jitter}`,
        { context: { what: 'options' } },
      );
    }
    this.options = options;
    this.#random = random;
  }

  /** How many delays were drawn since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The un-jittered delay of attempt `n`. */
  baseDelay(n: number): number {
    const { initialDelayMs, maxDelayMs, factor } = this.options;
    return Math.min(maxDelayMs, initialDelayMs * factor ** n);
  }

  /**
   * The next delay in ms, advancing the schedule.
   * @param retryAfterSeconds the service's RetryAfter, if it gave one.
   */
  next(retryAfterSeconds?: number): number {
    const base = this.baseDelay(this.#attempt);
    this.#attempt += 1;
    const { jitter, maxDelayMs, honorRetryAfter } = this.options;
    const spread = jitter === 0 ? 0 : base * jitter * (2 * unitInterval(this.#random) - 1);
    let delay = Math.min(maxDelayMs, Math.max(1, Math.round(base + spread)));
    if (
      honorRetryAfter &&
      retryAfterSeconds !== undefined &&
      Number.isFinite(retryAfterSeconds) &&
      retryAfterSeconds > 0
    ) {
      delay = Math.max(delay, Math.min(MAX_RETRY_AFTER_MS, Math.round(retryAfterSeconds * 1000)));
    }
    return delay;
  }

  /** Back to the initial delay (after progress: a request started, an answer received). */
  reset(): void {
    this.#attempt = 0;
  }
}
