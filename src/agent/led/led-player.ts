/**
 * @module agent/led/led-player
 * Plays an LedPattern on an LedDriver, in a loop, on an injected timer (time is
 * passed in, docs/conventions.md), so the tests drive it with fake timers and assert every write.
 * Only changes are written: two steps in a row with the same state cost one write. A driver
 * that fails is reported once per pattern and the pattern goes on (a flaky sysfs file must not
 * stop the agent, and the next write may work).
 */
import type { LedDriver } from './led-driver.js';
import type { LedPattern } from './led-pattern.js';

/** setTimeout/clearTimeout, injected. */
export interface LedTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export class LedPlayer {
  readonly #driver: LedDriver;
  readonly #timer: LedTimer;
  readonly #onError: (error: unknown) => void;
  #pattern: LedPattern = [];
  #index = 0;
  #handle: unknown;
  #lit: boolean | undefined;
  #reported = false;
  #closed = false;

  constructor(driver: LedDriver, timer: LedTimer, onError: (error: unknown) => void = () => undefined) {
    this.#driver = driver;
    this.#timer = timer;
    this.#onError = onError;
  }

  /** Starts `pattern` from its first step now, replacing whatever was playing. */
  play(pattern: LedPattern): void {
    if (this.#closed) return;
    this.#cancel();
    this.#pattern = pattern;
    this.#index = 0;
    this.#reported = false;
    if (pattern.length > 0) this.#step();
  }

  /** Stops the pattern and leaves the LED off. */
  stop(): void {
    this.#cancel();
    this.#pattern = [];
    this.#write(false);
  }

  /** Stops, then gives the LED back (driver.close); later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    try {
      this.#driver.close();
    } catch (error) {
      this.#onError(error);
    }
  }

  #cancel(): void {
    if (this.#handle !== undefined) this.#timer.clear(this.#handle);
    this.#handle = undefined;
  }

  #step(): void {
    const step = this.#pattern[this.#index] as { on: boolean; ms: number };
    this.#write(step.on);
    this.#index = (this.#index + 1) % this.#pattern.length;
    this.#handle = this.#timer.set(() => {
      this.#handle = undefined;
      this.#step();
    }, step.ms);
  }

  #write(on: boolean): void {
    if (this.#lit === on) return;
    try {
      this.#driver.set(on);
      this.#lit = on;
    } catch (error) {
      this.#lit = undefined;
      if (!this.#reported) {
        this.#reported = true;
        this.#onError(error);
      }
    }
  }
}
