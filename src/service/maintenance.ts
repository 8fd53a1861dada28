/**
 * @module service/maintenance
 * Housekeeping the service runs now and then (and at start): seen request nonces past their
 * expiry are deleted, since a request that old fails the `created` window anyway
 * (docs/service-protocol.md: nonces are kept 600 s, twice the ±300 s skew). Deleting them
 * keeps the nonce container bounded by the request rate instead of growing forever.
 */
import { Containers } from './records.js';
import type { ServiceEnvironment } from './service-environment.js';

const PAGE = 500;

/** Deletes expired nonces; returns how many. */
export async function sweepExpired(env: ServiceEnvironment): Promise<number> {
  const now = env.clock();
  let removed = 0;
  let after: string | undefined;
  for (;;) {
    const page = await env.store.list(Containers.nonces, { limit: PAGE, ...(after === undefined ? {} : { after }) });
    const expired = page.records.filter((r) => typeof r.value['Expires'] !== 'number' || r.value['Expires'] <= now);
    if (expired.length > 0) {
      await env.store.commit(
        expired.map((r) => ({ op: 'delete' as const, container: Containers.nonces, key: r.key })),
        // Only if unchanged: a nonce re-used since the listing must stay.
        expired.map((r) => ({ container: Containers.nonces, key: r.key, expected: r.version })),
      ).catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'ERR_STORE_CONFLICT') throw error;
      });
      removed += expired.length;
    }
    if (page.next === undefined) break;
    after = page.next;
  }
  return removed;
}
