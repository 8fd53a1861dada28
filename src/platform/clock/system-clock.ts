/**
 * @module platform/clock/system-clock
 * The real Clock: wall time, and sleeps on timers that end early when the signal aborts
 * (so SIGTERM stops a 5-minute backoff at once).
 */
import type { Clock } from '../../agent/ports.js';

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
