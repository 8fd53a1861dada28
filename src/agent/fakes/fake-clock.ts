/**
 * @module agent/fakes/fake-clock
 * A Clock whose time moves only when a test says so (docs/conventions.md: time is passed in). Every sleep
 * is recorded, so a test can assert the exact backoff schedule; `advance` fires due sleeps
 * in time order and lets the woken code run before firing the next.
 */
import type { Clock } from '../../crypto/clock.js';

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(start: Date | string = '2026-11-21T10:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** How many sleeps are waiting. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward by `ms`, waking each due sleeper in order and letting it run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const due = this.#sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      this.#now = Math.max(this.#now, due.at);
      due.resolve();
      await settle();
    }
    this.#now = target;
  }

  /** Advances to the earliest sleeper's time and wakes it (and any due with it). */
  async next(): Promise<number> {
    await settle();
    const first = [...this.#sleepers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
    if (first === undefined) return 0;
    const step = first.at - this.#now;
    await this.advance(step);
    return step;
  }

  /** Waits (in real turns, not fake time) until at least `count` sleeps are waiting. */
  async waitForSleepers(count: number, maxTurns = 2000): Promise<void> {
    for (let i = 0; i < maxTurns && this.#sleepers.length < count; i++)
      await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#sleepers.length < count) throw new Error(`expected ${count} sleepers, have ${this.#sleepers.length}`);
  }
}
