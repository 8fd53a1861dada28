/**
 * @module service/pin-attempts
 * Failed PIN attempts (docs/security.md "PIN lockout"). A ConnectStart whose PinWitness does
 * not match the MessagePin its PinId names counts against that PIN alone: `pinFailureLimit`
 * distinct failures within `pinFailureWindowMs` lock that PIN for `pinLockoutMs` (429 with
 * RetryAfter). The count lives on the PIN's own store record, so a restart, or another
 * instance on the same database, sees the same lock; and only someone who knows the PinId
 * (which the owner hands to the device with the PIN) can lock it. A PIN of 120 bits is not at
 * risk, but a short human-typed one would be without the lock.
 *
 * A PinId the account never registered cannot be guessed at, so those failures never touch
 * the account's real PINs: they are counted per source (the transport's client address) in
 * memory, and a source past `pinSourceFailureLimit` within the window gets 429 for PIN
 * requests naming unknown PinIds until its failures age out.
 *
 * A failure is identified by the device UDF, ClientNonce and PinWitness of the request: the
 * device signed all three, so a replay of one captured request counts once, while a new guess
 * (another PinWitness) is a new failure even under the same device key and nonce.
 */
import { sha256 } from '../crypto/hash.js';
import { concat, toHex, utf8 } from '../crypto/bytes.js';
import type { VerifiedRequestConnection } from '../mesh/connect/request-connection.js';
import { Containers, getRecord, putRecord, type PinRecord } from './records.js';
import type { ServiceEnvironment } from './service-environment.js';
import { ServiceRequestError, Status } from './service-errors.js';
import { retryOnConflict } from './store-helpers.js';

/** What identifies one PIN attempt across replays (hex SHA-256, so records stay small). */
export function attemptDigest(verified: VerifiedRequestConnection): string {
  const request = verified.request as { ClientNonce?: Uint8Array; PinWitness?: Uint8Array };
  return toHex(
    sha256(
      concat(
        utf8(verified.deviceUdf.toUpperCase()),
        new Uint8Array([0]),
        request.ClientNonce ?? new Uint8Array(),
        new Uint8Array([0]),
        request.PinWitness ?? new Uint8Array(),
      ),
    ),
  ).slice(0, 32);
}

/** Throws 429 while the PIN is locked. */
export function checkPinLock(pin: PinRecord, pinId: string, now: number): void {
  const until = pin.LockedUntil;
  if (until !== undefined && until > now) {
    throw new ServiceRequestError(Status.TooManyAttempts, `too many failed attempts for PIN ${pinId}: it is locked`, {
      retryAfter: Math.ceil((until - now) / 1000),
    });
  }
}

/**
 * Counts one failure against the PIN at `key` (a replay of a counted attempt counts nothing);
 * returns whether the PIN is now locked.
 */
export async function recordPinFailure(
  env: ServiceEnvironment,
  key: string,
  digest: string,
  now: number,
): Promise<boolean> {
  const { pinFailureLimit, pinFailureWindowMs, pinLockoutMs, conflictRetries } = env.config;
  return retryOnConflict(conflictRetries, async () => {
    const stored = await getRecord<PinRecord>(env.store, Containers.pins, key);
    if (stored === undefined) return false;
    const pin = stored.value;
    if ((pin.FailedAttempts ?? []).some((a) => a.Digest === digest))
      return pin.LockedUntil !== undefined && pin.LockedUntil > now;
    const recent = (pin.FailedAttempts ?? []).filter(
      (a) => typeof a.Time === 'number' && now - a.Time < pinFailureWindowMs,
    );
    recent.push({ Time: now, Digest: digest });
    const locked = recent.length >= pinFailureLimit;
    const value: PinRecord = {
      ...pin,
      FailedAttempts: recent.slice(-pinFailureLimit),
      ...(locked ? { LockedUntil: now + pinLockoutMs } : {}),
    };
    await env.store.commit(
      [putRecord(Containers.pins, key, value)],
      [{ container: Containers.pins, key, expected: stored.version }],
    );
    if (locked) env.log('pin-lockout', { pin: key });
    return locked;
  });
}

interface SourceFailures {
  times: number[];
  digests: Set<string>;
}

/** Unknown-PinId failures per source, for one service instance (bounded: oldest sources dropped first). */
class SourceFailureCounter {
  readonly #sources = new Map<string, SourceFailures>();
  static readonly MAX_SOURCES = 10_000;

  recent(source: string, now: number, windowMs: number): SourceFailures {
    const entry = this.#sources.get(source) ?? { times: [], digests: new Set<string>() };
    entry.times = entry.times.filter((t) => now - t < windowMs);
    if (entry.times.length === 0) entry.digests.clear();
    return entry;
  }

  record(source: string, entry: SourceFailures): void {
    this.#sources.delete(source);
    this.#sources.set(source, entry);
    if (this.#sources.size > SourceFailureCounter.MAX_SOURCES) {
      const oldest = this.#sources.keys().next().value as string;
      this.#sources.delete(oldest);
    }
  }
}

// One counter per service environment, without widening ServiceEnvironment for it.
const counters = new WeakMap<ServiceEnvironment, SourceFailureCounter>();
function counterOf(env: ServiceEnvironment): SourceFailureCounter {
  let counter = counters.get(env);
  if (counter === undefined) {
    counter = new SourceFailureCounter();
    counters.set(env, counter);
  }
  return counter;
}

// A request the transport could not attribute shares one bucket.
const UNKNOWN_SOURCE = '(unknown source)';

/** Throws 429 while `source` is throttled for PIN requests naming unknown PinIds. */
export function checkSourceThrottle(env: ServiceEnvironment, source: string | undefined, now: number): void {
  const entry = counterOf(env).recent(source ?? UNKNOWN_SOURCE, now, env.config.pinFailureWindowMs);
  if (entry.times.length >= env.config.pinSourceFailureLimit) {
    const oldest = Math.min(...entry.times);
    throw new ServiceRequestError(
      Status.TooManyAttempts,
      'too many PIN attempts naming unregistered PinIds from this source',
      {
        retryAfter: Math.max(1, Math.ceil((oldest + env.config.pinFailureWindowMs - now) / 1000)),
      },
    );
  }
}

/** Counts one unknown-PinId failure for `source` (a replay counts nothing); whether it is now throttled. */
export function recordSourceFailure(
  env: ServiceEnvironment,
  source: string | undefined,
  digest: string,
  now: number,
): boolean {
  const counter = counterOf(env);
  const name = source ?? UNKNOWN_SOURCE;
  const entry = counter.recent(name, now, env.config.pinFailureWindowMs);
  if (!entry.digests.has(digest)) {
    entry.times.push(now);
    entry.digests.add(digest);
    // Bounded: the throttle needs only the last `limit` failures.
    entry.times = entry.times.slice(-env.config.pinSourceFailureLimit);
    if (entry.digests.size > 4 * env.config.pinSourceFailureLimit)
      entry.digests = new Set([...entry.digests].slice(-env.config.pinSourceFailureLimit));
  }
  counter.record(name, entry);
  if (entry.times.length >= env.config.pinSourceFailureLimit) env.log('pin-source-throttled', { source: name });
  return entry.times.length >= env.config.pinSourceFailureLimit;
}
