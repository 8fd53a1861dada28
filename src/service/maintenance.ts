/**
 * @module service/maintenance
 * Housekeeping the service runs now and then (service-runner: at start and every 60 s):
 * records past their life are deleted, so that what strangers leave behind (expired
 * requests, PINs, claims, failure counters, seen nonces) stays bounded by the rate they can
 * send rather than growing forever (docs/security.md "Housekeeping: what expires and how it
 * is purged"). Deletes are ordinary commits, so each is an entry of the hash-chained log and
 * `verify()` still holds; each is conditional on the record being unchanged since it was
 * listed, so a record rewritten meanwhile stays.
 *
 * - Seen request nonces: at their Expires (600 s, twice the ±300 s skew; a request that old
 *   fails the `created` window anyway, docs/service-protocol.md).
 * - Pending requests and their replay index: `expiredRetentionMs` after they expired, so a
 *   device polling ConnectStatus still learns "Expired" during that time. Answered requests
 *   stay: ConnectStatus answers Accept/Reject/Revoked from them.
 * - PINs: `expiredRetentionMs` after their Expires, and never while a lock on them runs.
 * - Claims: `claimLifetimeMs` after they were received.
 * - The per-account failure records of earlier versions, once any lock they hold has ended.
 * - Quota entries of requests that expired.
 */
import { Containers, asRecord, putRecord, type PendingQuotaRecord } from './records.js';
import type { ServiceEnvironment } from './service-environment.js';
import type { StoreChange, StoredRecord } from './store/store.js';

const PAGE = 500;

const num = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;

/**
 * Lists `container` and commits, page by page, the change `decide` returns for each record
 * (a delete, a rewrite, or nothing); returns how many records it changed.
 */
async function sweep(
  env: ServiceEnvironment,
  container: string,
  decide: (record: StoredRecord) => StoreChange | undefined,
): Promise<number> {
  let changed = 0;
  let after: string | undefined;
  for (;;) {
    const page = await env.store.list(container, { limit: PAGE, ...(after === undefined ? {} : { after }) });
    const due = page.records.flatMap((record) => {
      const change = decide(record);
      return change === undefined ? [] : [{ record, change }];
    });
    if (due.length > 0) {
      const committed = await env.store
        .commit(
          due.map((d) => d.change),
          // Only if unchanged: a record re-used since the listing must stay.
          due.map((d) => ({ container, key: d.record.key, expected: d.record.version })),
        )
        .then(
          () => true,
          (error: unknown) => {
            if ((error as { code?: string }).code !== 'ERR_STORE_CONFLICT') throw error;
            return false;
          },
        );
      if (committed) changed += due.length;
    }
    if (page.next === undefined) break;
    after = page.next;
  }
  return changed;
}

const remove = (container: string, record: StoredRecord): StoreChange => ({ op: 'delete', container, key: record.key });

/** Deletes what has expired; returns how many records it deleted or trimmed. */
export async function sweepExpired(env: ServiceEnvironment): Promise<number> {
  const now = env.clock.now().getTime();
  const retention = env.config.expiredRetentionMs;
  const purged = {
    nonces: await sweep(env, Containers.nonces, (r) =>
      !(num(r.value['Expires']) > now) ? remove(Containers.nonces, r) : undefined,
    ),
    requests: await sweep(env, Containers.requests, (r) =>
      r.value['State'] === 'Pending' && !(num(r.value['Expires']) + retention > now)
        ? remove(Containers.requests, r)
        : undefined,
    ),
    replays: await sweep(env, Containers.connectReplays, (r) =>
      !(num(r.value['Expires']) + retention > now) ? remove(Containers.connectReplays, r) : undefined,
    ),
    pins: await sweep(env, Containers.pins, (r) =>
      !(num(r.value['Expires']) + retention > now) && !(num(r.value['LockedUntil']) > now)
        ? remove(Containers.pins, r)
        : undefined,
    ),
    claims: await sweep(env, Containers.claims, (r) =>
      !(num(r.value['Received']) + env.config.claimLifetimeMs > now) ? remove(Containers.claims, r) : undefined,
    ),
    pinFailures: await sweep(env, Containers.pinFailures, (r) =>
      !(num(r.value['LockedUntil']) > now) ? remove(Containers.pinFailures, r) : undefined,
    ),
    quotas: await sweep(env, Containers.pendingQuota, (r) => {
      const stored = asRecord<PendingQuotaRecord>(r).value.Entries ?? [];
      const entries = stored.filter((e) => e.Expires > now);
      if (entries.length === stored.length) return undefined;
      return entries.length === 0
        ? remove(Containers.pendingQuota, r)
        : putRecord<PendingQuotaRecord>(Containers.pendingQuota, r.key, { Entries: entries });
    }),
  };
  const total = Object.values(purged).reduce((a, b) => a + b, 0);
  if (total > 0) env.log('housekeeping', purged);
  return total;
}
