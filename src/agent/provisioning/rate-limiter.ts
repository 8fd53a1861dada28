/**
 * @module agent/provisioning/rate-limiter
 * A token bucket on the injected Clock. The serial session spends one token per error reply
 * to bad input, so noise at the wrong baud rate (hundreds of "lines" a second) cannot keep
 * the line busy with answers, nor the agent busy writing them; the confirmation challenges
 * spend one per fresh code, so codes cannot be drawn until one is guessed.
 */
import type { Clock } from '../../crypto/clock.js';

export class TokenBucket {
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #perSecond: number;
  #tokens: number;
  #at: number;

  constructor(clock: Clock, capacity: number, perSecond: number) {
    this.#clock = clock;
    this.#capacity = capacity;
    this.#perSecond = perSecond;
    this.#tokens = capacity;
    this.#at = clock.now().getTime();
  }

  #refill(): void {
    const now = this.#clock.now().getTime();
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perSecond);
    this.#at = now;
  }

  /** Takes a token if there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Seconds until a token is there again. */
  waitSeconds(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perSecond);
  }
}
