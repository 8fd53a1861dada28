/**
 * @module service/store/store-errors
 * The store's failures, named by cause so the service can map them to protocol status codes
 * (a conflict is retried, bad input is a 4xx, corruption stops the service) without reading
 * message text.
 */
import { MeshError } from '../../crypto/errors.js';
import type { Precondition } from './store.js';

/**
 * A commit's precondition did not hold: another writer changed the record first. The batch
 * was not applied; the caller re-reads and retries (optimistic concurrency).
 */
export class StoreConflictError extends MeshError {
  readonly code = 'ERR_STORE_CONFLICT';
}

/** A container name, key, value, page key or change is malformed (not a size problem). */
export class StoreInputError extends MeshError {
  readonly code = 'ERR_STORE_INPUT';
}

/** `Store.leaves(count)`: a count the log has not reached is the caller's error. */
export function checkLeafCount(count: number, written: number): void {
  if (!Number.isSafeInteger(count) || count < 0 || count > written) {
    throw new StoreInputError(`"count" expected 0..${written} log entries, got ${count}`, {
      context: { what: 'count', written },
    });
  }
}

/** A key, value, batch or page request is larger than the store's configured bound. */
export class StoreLimitError extends MeshError {
  readonly code = 'ERR_STORE_LIMIT';
}

/**
 * The log does not verify: a bad hash link, a Merkle root that does not match, a damaged
 * entry followed by intact ones, or indexes that disagree with the log. Never repaired
 * silently, because dropping entries before the tail would lose acknowledged writes.
 */
export class StoreCorruptionError extends MeshError {
  readonly code = 'ERR_STORE_CORRUPTION';
}

/** Another process (or another instance in this one) holds the data directory for writing. */
export class StoreLockedError extends MeshError {
  readonly code = 'ERR_STORE_LOCKED';
}

/** The store was closed, or a failed write left it unusable until it is reopened. */
export class StoreClosedError extends MeshError {
  readonly code = 'ERR_STORE_CLOSED';
}

/** The file system or the database failed underneath the store; `cause` holds the original. */
export class StoreBackendError extends MeshError {
  readonly code = 'ERR_STORE_BACKEND';
}

/** A `--store` specification or store option that cannot be used. */
export class StoreConfigError extends MeshError {
  readonly code = 'ERR_STORE_CONFIG';
}

/** The conflict for precondition `p` given the version actually found (undefined: absent). */
export function conflictError(p: Precondition, actual: number | undefined): StoreConflictError {
  const found = actual === undefined ? 'absent' : `version ${actual}`;
  const wanted = p.expected === 'absent' ? 'absent' : `version ${p.expected}`;
  return new StoreConflictError(
    `precondition failed for ${p.container}/${JSON.stringify(p.key)}: expected ${wanted}, found ${found}`,
    { context: { container: p.container, key: p.key, expected: p.expected, actual: actual ?? 'absent' } },
  );
}
