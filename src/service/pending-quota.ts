/**
 * @module service/pending-quota
 * The per-account cap on live connection requests that no PIN validated (docs/security.md
 * "Pending requests per account"). One record per account lists those requests' keys and
 * expiry times; ConnectStart writes it in the same commit as the request, under a version
 * precondition, so two requests racing (on one instance or several sharing PostgreSQL) can
 * never both take the last place: the loser re-reads and is refused or retried. Reading one
 * small record is cheaper than counting over the account's requests, which also holds the
 * expired and answered ones until housekeeping purges them.
 *
 * PIN-validated requests are not counted and never refused here: a stranger filling the
 * quota cannot crowd out the owner's own device.
 *
 * Within one instance, ConnectStarts for the same account take turns at the quota record
 * (`withQuotaTurn`), so a burst never loses optimistic races against itself and answers 503;
 * the precondition still decides between instances sharing a database.
 */
import { Containers, accountKey, getRecord, putRecord, type PendingQuotaRecord } from './records.js';
import type { ServiceEnvironment } from './service-environment.js';
import { ServiceRequestError, Status } from './service-errors.js';
import { retryOnConflict } from './store-helpers.js';
import type { Precondition, StoreChange } from './store/store.js';

export function quotaKey(account: string): string {
  return accountKey(account, 'unvalidated');
}

/**
 * The change that adds `requestKey` to the account's quota, with its precondition;
 * 429 with RetryAfter (until the oldest live entry expires) when the account is at the cap.
 */
export async function takeQuota(
  env: ServiceEnvironment,
  account: string,
  requestKey: string,
  expires: number,
  now: number,
): Promise<{ change: StoreChange; precondition: Precondition }> {
  const key = quotaKey(account);
  const stored = await getRecord<PendingQuotaRecord>(env.store, Containers.pendingQuota, key);
  const live = (stored?.value.Entries ?? []).filter((e) => typeof e.Expires === 'number' && e.Expires > now);
  const cap = env.config.maxPendingUnvalidated;
  if (live.length >= cap) {
    const oldest = Math.min(...live.map((e) => e.Expires));
    throw new ServiceRequestError(
      Status.TooManyAttempts,
      `${account} already has ${live.length} pending connection requests without a validated PIN (the limit is ${cap}); ask the owner for a PIN, or retry once one expires or is answered`,
      { retryAfter: Math.max(1, Math.ceil((oldest - now) / 1000)) },
    );
  }
  live.push({ Key: requestKey, Expires: expires });
  return {
    change: putRecord<PendingQuotaRecord>(Containers.pendingQuota, key, { Entries: live }),
    precondition: { container: Containers.pendingQuota, key, expected: stored?.version ?? 'absent' },
  };
}

/** Frees the place of an answered request (the owner answered, so it no longer waits). */
export async function releaseQuota(
  env: ServiceEnvironment,
  account: string,
  requestKey: string,
  now: number,
): Promise<void> {
  const key = quotaKey(account);
  await retryOnConflict(env.config.conflictRetries, async () => {
    const stored = await getRecord<PendingQuotaRecord>(env.store, Containers.pendingQuota, key);
    if (stored === undefined || !stored.value.Entries.some((e) => e.Key === requestKey)) return;
    const entries = stored.value.Entries.filter((e) => e.Key !== requestKey && e.Expires > now);
    await env.store.commit(
      [putRecord<PendingQuotaRecord>(Containers.pendingQuota, key, { Entries: entries })],
      [{ container: Containers.pendingQuota, key, expected: stored.version }],
    );
  });
}

// One queue per account per service environment; an entry is dropped when its queue drains.
const turns = new WeakMap<ServiceEnvironment, Map<string, Promise<unknown>>>();

/** Runs `work` after every earlier `withQuotaTurn` for `account` on this instance has settled. */
export async function withQuotaTurn<T>(env: ServiceEnvironment, account: string, work: () => Promise<T>): Promise<T> {
  let queues = turns.get(env);
  if (queues === undefined) {
    queues = new Map();
    turns.set(env, queues);
  }
  const previous = queues.get(account) ?? Promise.resolve();
  const mine = previous.then(work, work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(account, settled);
  void settled.then(() => {
    if (queues.get(account) === settled) queues.delete(account);
  });
  return mine;
}
