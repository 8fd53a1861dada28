/**
 * @module agent/push/wakeups
 * Sleeps that a push notice can cut short: a loop waits for its next poll with
 * `wait(key, ms)`; `wake(key)` ends that wait at once, or, if the loop is busy, makes its next
 * wait return at once (a notice is never lost between two waits). A flood of notices cannot
 * make a loop fetch more often than once per `minGapMs`: a notice is a hint from whoever can
 * publish on the topic, never a reason to hammer the service.
 */
import type { Clock } from '../../crypto/clock.js';

export const DEFAULT_MIN_GAP_MS = 250;

export class Wakeups {
  readonly #clock: Clock;
  readonly #minGapMs: number;
  readonly #pending = new Set<string>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #lastEarly = new Map<string, number>();

  constructor(clock: Clock, minGapMs = DEFAULT_MIN_GAP_MS) {
    this.#clock = clock;
    this.#minGapMs = minGapMs;
  }

  wake(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters !== undefined && waiters.size > 0) for (const w of [...waiters]) w();
    else this.#pending.add(key);
  }

  /** Waits `ms`, less if `signal` aborts or `wake(key)` is called; never rejects. */
  async wait(key: string, ms: number, signal: AbortSignal): Promise<void> {
    let early = this.#pending.delete(key);
    if (!early) {
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const waiter = (): void => {
        early = true;
        controller.abort();
      };
      let set = this.#waiters.get(key);
      if (set === undefined) this.#waiters.set(key, (set = new Set()));
      set.add(waiter);
      try {
        await this.#clock.sleep(ms, controller.signal);
      } finally {
        set.delete(waiter);
        signal.removeEventListener('abort', onAbort);
      }
    }
    if (!early || signal.aborted) return;
    const now = this.#clock.now().getTime();
    const last = this.#lastEarly.get(key);
    if (last !== undefined && now - last < this.#minGapMs)
      await this.#clock.sleep(this.#minGapMs - (now - last), signal);
    this.#lastEarly.set(key, this.#clock.now().getTime());
  }
}
