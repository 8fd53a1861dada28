/**
 * @module service/pin-attempts
 * Failed PIN attempts per account (issue 3 §2): a ConnectStart whose PinId/PinWitness does
 * not match a live MessagePin counts as a failure; `pinFailureLimit` failures within
 * `pinFailureWindowMs` lock PIN use for the account for `pinLockoutMs` (429 with RetryAfter).
 * The counter is a store record, so a restart, or another instance on the same database,
 * sees the same lockout: a PIN of 120 bits is not at risk, but a short human-typed one would
 * be without it.
 */
import { Containers, getRecord, putRecord, type PinFailureRecord } from './records.js';
import type { ServiceEnvironment } from './service-environment.js';
import { ServiceRequestError, Status } from './service-errors.js';
import { retryOnConflict } from './store-helpers.js';

/** Throws 429 while the account's PIN use is locked. */
export async function checkPinLockout(env: ServiceEnvironment, account: string, now: number): Promise<void> {
  const record = await getRecord<PinFailureRecord>(env.store, Containers.pinFailures, account);
  const until = record?.value.LockedUntil;
  if (until !== undefined && until > now) {
    throw new ServiceRequestError(Status.TooManyAttempts, `too many failed PIN attempts: PIN use for ${account} is locked`, {
      retryAfter: Math.ceil((until - now) / 1000),
    });
  }
}

/** Counts one failure; returns whether the account is now locked. */
export async function recordPinFailure(env: ServiceEnvironment, account: string, now: number): Promise<boolean> {
  const { pinFailureLimit, pinFailureWindowMs, pinLockoutMs, conflictRetries } = env.config;
  return retryOnConflict(conflictRetries, async () => {
    const record = await getRecord<PinFailureRecord>(env.store, Containers.pinFailures, account);
    const recent = (record?.value.Failures ?? []).filter((t) => typeof t === 'number' && now - t < pinFailureWindowMs);
    recent.push(now);
    const locked = recent.length >= pinFailureLimit;
    const value: PinFailureRecord = locked ? { Failures: [], LockedUntil: now + pinLockoutMs } : { Failures: recent };
    await env.store.commit(
      [putRecord(Containers.pinFailures, account, value)],
      [{ container: Containers.pinFailures, key: account, expected: record?.version ?? 'absent' }],
    );
    if (locked) env.log('pin-lockout', { account });
    return locked;
  });
}
