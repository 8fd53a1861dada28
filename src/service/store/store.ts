/**
 * @module service/store/store
 * The record store the Mesh service maps its entities onto (accounts and profiles, published
 * CatalogedPublications, pending connection requests and responses, MessagePIN registrations,
 * claims, PIN-failure counters and lockouts, seen request nonces): named containers of
 * key → JSON records, each carrying a version.
 *
 * Every change goes through one append-only log whose entries are hash-chained and whose
 * checkpoints are RFC 6962 Merkle roots (docs/decisions/0011-crash-safe-persistence.md), so that the Status
 * transaction can publish a checkpoint and an auditor can verify the history. Writers use
 * optimistic preconditions rather than locks held across requests, so several service
 * instances sharing one PostgreSQL database cannot lose an update.
 */
import type { JsonObject } from '../../mesh/encoding/json-value.js';

/** One current record. Values are JSON objects, so that entities can grow fields without a migration. */
export interface StoredRecord<T extends JsonObject = JsonObject> {
  readonly container: string;
  readonly key: string;
  /** A fresh copy: mutating it never changes the store. */
  readonly value: T;
  /**
   * The log index of the commit that last wrote the record. Log indexes are never reused, so
   * a record deleted and created again never repeats a version a reader may still hold (no ABA).
   */
  readonly version: number;
}

/** Writes `value` under `container`/`key`, creating or replacing the record. */
export interface PutChange {
  readonly op: 'put';
  readonly container: string;
  readonly key: string;
  readonly value: JsonObject;
}

/** Removes the record; deleting an absent record is allowed and still logged. */
export interface DeleteChange {
  readonly op: 'delete';
  readonly container: string;
  readonly key: string;
}

export type StoreChange = PutChange | DeleteChange;

/**
 * What a commit requires of the current state: the record exists with exactly `version`,
 * or (`'absent'`) does not exist. Checked atomically with the write.
 */
export interface Precondition {
  readonly container: string;
  readonly key: string;
  readonly expected: number | 'absent';
}

/** The state of the log after its last entry. */
export interface Checkpoint {
  /** Number of log entries (0 for an empty store); entry indexes run 1..index. */
  readonly index: number;
  /** RFC 6962 §2.1 Merkle tree head over the entries' payloads, SHA-512 (64 bytes). */
  readonly root: Uint8Array;
  /** Head of the hash chain: 64 zero bytes for an empty log (64 bytes). */
  readonly chain: Uint8Array;
}

/** Acknowledgement of a durable commit. */
export interface CommitReceipt {
  /** The log index of the entry; also the new version of every record the batch put. */
  readonly index: number;
  readonly checkpoint: Checkpoint;
}

export interface ListOptions {
  /** An opaque page key from a previous `list` of the same container; continues after it. */
  readonly after?: string;
  /** Maximum records returned (default 100, at most `limits.maxListLimit`). */
  readonly limit?: number;
  /** Only keys starting with this string. */
  readonly prefix?: string;
}

export interface ListPage<T extends JsonObject = JsonObject> {
  /** Records in ascending key order (Unicode code point order, the same in every backend). */
  readonly records: readonly StoredRecord<T>[];
  /** Present when more records may follow; pass it back as `after`. */
  readonly next?: string;
}

/** What `verify()` checked. */
export interface VerifyReport {
  readonly entries: number;
  readonly records: number;
  readonly checkpoint: Checkpoint;
}

/** Bounds on what a caller may store; exceeding one raises StoreLimitError. */
export interface StoreLimits {
  /** UTF-8 bytes of a key. */
  readonly maxKeyBytes: number;
  /** UTF-8 bytes of a value serialised as JSON. */
  readonly maxValueBytes: number;
  /** Nesting depth of a value (objects and arrays). */
  readonly maxValueDepth: number;
  /** Changes in one commit. */
  readonly maxChanges: number;
  /** Preconditions in one commit. */
  readonly maxPreconditions: number;
  /** UTF-8 bytes of one serialised log entry (the whole batch). */
  readonly maxEntryBytes: number;
  /** Largest `limit` a list call may ask for. */
  readonly maxListLimit: number;
}

// Sized for the service's entities: a profile or CatalogedPublication is a few KiB, a pending
// request with its envelopes tens of KiB; 1 MiB leaves room without letting one client bloat
// the log.
export const DEFAULT_STORE_LIMITS: StoreLimits = Object.freeze({
  maxKeyBytes: 512,
  maxValueBytes: 1024 * 1024,
  maxValueDepth: 64,
  maxChanges: 1000,
  maxPreconditions: 1000,
  maxEntryBytes: 8 * 1024 * 1024,
  maxListLimit: 1000,
});

export const DEFAULT_LIST_LIMIT = 100;

/** The record store. Every method rejects with StoreClosedError after `close()`. */
export interface Store {
  /** `'file'` or `'postgres'`, for diagnostics. */
  readonly kind: string;
  readonly limits: StoreLimits;

  get<T extends JsonObject = JsonObject>(container: string, key: string): Promise<StoredRecord<T> | undefined>;

  list<T extends JsonObject = JsonObject>(container: string, options?: ListOptions): Promise<ListPage<T>>;

  /**
   * Appends `changes` as one log entry, atomically and durably, if every precondition holds;
   * otherwise applies nothing and rejects with StoreConflictError. Resolves only once the
   * entry is durable (fsync'd or committed), so an acknowledged write survives a crash.
   */
  commit(changes: readonly StoreChange[], preconditions?: readonly Precondition[]): Promise<CommitReceipt>;

  /** The current checkpoint, in O(log n). */
  checkpoint(): Promise<Checkpoint>;

  /**
   * The leaf hashes (RFC 6962 H(0x00 || payload)) of entries 1..`count`, in order, for
   * inclusion proofs against a checkpoint of at least `count` entries. Reads the log: O(count).
   * Rejects with StoreInputError when `count` exceeds the entries written.
   */
  leaves(count: number): Promise<Uint8Array[]>;

  /**
   * Re-reads the whole log, recomputes every hash link and the Merkle root, and checks the
   * current records against a replay. Rejects with StoreCorruptionError on any mismatch.
   */
  verify(): Promise<VerifyReport>;

  close(): Promise<void>;
}
