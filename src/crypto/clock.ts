/**
 * @module crypto/clock
 * Time is a value passed in, like randomness (crypto/random), so a test moves the clock
 * instead of sleeping. The agent, the service, the CLI and the adapters all take this one
 * shape. The system clock uses only globals (Date, timers): no node: import needed.
 */

/** Wall time and waiting, injected. */
export interface Clock {
  now(): Date;
  /** Waits `ms`, or less if `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. Sleeps end early when the signal aborts, so SIGTERM stops a 5-minute backoff at once. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};
