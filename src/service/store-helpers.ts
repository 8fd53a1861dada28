/**
 * @module service/store-helpers
 * Read-modify-write on the store with optimistic preconditions (store.ts): a commit that
 * lost a race to another request (or another service instance on the same database) is
 * re-read and retried a bounded number of times, then reported as 503 rather than 500.
 */
import { ServiceRequestError, Status } from './service-errors.js';
import { StoreConflictError } from './store/store-errors.js';

/** Runs `attempt` until it does not throw StoreConflictError, at most `retries + 1` times. */
export async function retryOnConflict<T>(retries: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
      if (i >= retries) {
        throw new ServiceRequestError(
          Status.Unavailable,
          'the record changed under too many concurrent updates; retry',
          {
            cause: error,
            retryAfter: 1,
          },
        );
      }
    }
  }
}

/** RFC 3339 UTC with seconds, as Mesh DateTime fields are written. */
export function isoTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
