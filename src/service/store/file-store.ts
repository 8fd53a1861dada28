/**
 * @module service/store/file-store
 * The embedded default store: one append-only, hash-chained log file in a data
 * directory, fsync'd before a commit resolves, with the current records and the Merkle
 * frontier rebuilt in memory by replaying the log at open.
 *
 * Commits that arrive while a write is being fsync'd are grouped into the next write, so
 * concurrent requests share one fsync. Preconditions are checked against the acknowledged
 * state plus the earlier members of the same group, and readers see an entry only once it is
 * durable: nothing a client was told can be lost by a crash.
 */
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { concat } from '../../crypto/bytes.js';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock.js';
import { encodeLogEntry } from './log-entry.js';
import { encodeFrame, findIntactFrameAfter, io, LOG_HEADER, replayLog } from './log-file.js';
import { type LogHead, sameHash } from './log-hash.js';
import { RecordIndex } from './record-index.js';
import {
  StoreBackendError,
  StoreClosedError,
  type StoreConflictError,
  StoreCorruptionError,
  StoreLimitError,
  checkLeafCount,
  conflictError,
} from './store-errors.js';
import {
  checkChanges,
  checkContainer,
  checkKey,
  checkListOptions,
  checkPreconditions,
  encodePageKey,
  parseValue,
  recordId,
  resolveLimits,
  type CheckedChange,
} from './store-input.js';
import type {
  Checkpoint,
  CommitReceipt,
  ListOptions,
  ListPage,
  Precondition,
  Store,
  StoreChange,
  StoredRecord,
  StoreLimits,
  VerifyReport,
} from './store.js';
import type { JsonObject } from '../../mesh/encoding/json-value.js';

export const LOG_FILE = 'store.log';

/** A torn tail found and removed at open. */
export interface RecoveryEvent {
  readonly path: string;
  /** Offset the file was truncated to: the end of the last complete entry. */
  readonly truncatedAt: number;
  readonly droppedBytes: number;
  /** Index of the last entry kept. */
  readonly lastIndex: number;
  readonly reason: string;
}

export interface FileStoreOptions {
  readonly limits?: Partial<StoreLimits>;
  /** Called once at open if a torn tail was truncated (also kept as `store.recovery`). */
  readonly onRecovery?: (event: RecoveryEvent) => void;
}

interface PendingCommit {
  readonly changes: CheckedChange[];
  readonly preconditions: Precondition[];
  readonly resolve: (receipt: CommitReceipt) => void;
  readonly reject: (error: unknown) => void;
}

export class FileStore implements Store {
  readonly kind = 'file';
  readonly limits: StoreLimits;
  readonly directory: string;
  readonly recovery: RecoveryEvent | undefined;

  readonly #handle: FileHandle;
  readonly #lock: DirectoryLock;
  readonly #index: RecordIndex;
  #head: LogHead;
  #size: number;
  #queue: PendingCommit[] = [];
  #scheduled = false;
  // Serialises batch writes, verify and close; each waits for the one before.
  #exclusive: Promise<unknown> = Promise.resolve();
  #closed = false;
  #failure: Error | undefined;

  private constructor(
    directory: string,
    limits: StoreLimits,
    handle: FileHandle,
    lock: DirectoryLock,
    index: RecordIndex,
    head: LogHead,
    size: number,
    recovery: RecoveryEvent | undefined,
  ) {
    this.directory = directory;
    this.limits = limits;
    this.#handle = handle;
    this.#lock = lock;
    this.#index = index;
    this.#head = head;
    this.#size = size;
    this.recovery = recovery;
  }

  /**
   * Opens (creating if needed) the store in `directory`, replays its log and truncates a torn
   * tail. Rejects with StoreLockedError if another writer holds the directory and with
   * StoreCorruptionError if an entry before the tail is damaged.
   */
  static async open(directory: string, options: FileStoreOptions = {}): Promise<FileStore> {
    const limits = resolveLimits(options.limits);
    await io('create the data directory', () => mkdir(directory, { recursive: true, mode: 0o700 }));
    const lock = await acquireDirectoryLock(directory);
    let handle: FileHandle | undefined;
    try {
      const path = join(directory, LOG_FILE);
      handle = await openOrCreateLog(directory, path);
      const index = new RecordIndex();
      const result = await replayLog(handle, (entry) => index.apply(entry.changes, entry.index));
      let recovery: RecoveryEvent | undefined;
      if (result.damage !== undefined) {
        const intact = await findIntactFrameAfter(handle, result.damage.offset, result.fileSize, result.head.index);
        if (intact !== undefined) {
          throw new StoreCorruptionError(
            `log ${path} is damaged at offset ${result.damage.offset} (${result.damage.reason}) after entry ${result.head.index}, ` +
              `but an intact entry follows at offset ${intact}; refusing to drop it`,
            { context: { path, offset: result.damage.offset, lastIndex: result.head.index, intactAt: intact } },
          );
        }
        const h = handle;
        await io('truncate the torn tail of the log', () => h.truncate(result.end));
        await io('sync the log', () => h.sync());
        recovery = {
          path,
          truncatedAt: result.end,
          droppedBytes: result.fileSize - result.end,
          lastIndex: result.head.index,
          reason: result.damage.reason,
        };
        options.onRecovery?.(recovery);
      }
      return new FileStore(directory, limits, handle, lock, index, result.head, result.end, recovery);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await lock.release();
      throw error;
    }
  }

  async get<T extends JsonObject = JsonObject>(container: string, key: string): Promise<StoredRecord<T> | undefined> {
    this.#assertUsable();
    checkContainer(container);
    checkKey(key, this.limits);
    const record = this.#index.get(container, key);
    if (record === undefined) return undefined;
    return { container, key, value: parseValue<T>(record.json), version: record.version };
  }

  async list<T extends JsonObject = JsonObject>(container: string, options?: ListOptions): Promise<ListPage<T>> {
    this.#assertUsable();
    checkContainer(container);
    const checked = checkListOptions(options, this.limits);
    const rows = this.#index.page(container, checked);
    const more = rows.length > checked.limit;
    const records = rows.slice(0, checked.limit).map(([key, record]) => ({
      container,
      key,
      value: parseValue<T>(record.json),
      version: record.version,
    }));
    const last = records[records.length - 1];
    return more && last !== undefined ? { records, next: encodePageKey(last.key) } : { records };
  }

  commit(changes: readonly StoreChange[], preconditions?: readonly Precondition[]): Promise<CommitReceipt> {
    try {
      this.#assertUsable();
      const checked = checkChanges(changes, this.limits);
      const checkedPreconditions = checkPreconditions(preconditions, this.limits);
      // The largest index a payload could carry bounds its size before it has an index.
      const size = encodeLogEntry({ index: Number.MAX_SAFE_INTEGER, changes: checked }).length;
      if (size > this.limits.maxEntryBytes) {
        throw new StoreLimitError(
          `"changes" serialise to ${size} bytes, more than the limit of ${this.limits.maxEntryBytes}`,
          {
            context: { what: 'changes', limit: this.limits.maxEntryBytes, actual: size },
          },
        );
      }
      return new Promise<CommitReceipt>((resolve, reject) => {
        this.#queue.push({ changes: checked, preconditions: checkedPreconditions, resolve, reject });
        this.#schedule();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async checkpoint(): Promise<Checkpoint> {
    this.#assertUsable();
    return this.#head.checkpoint();
  }

  async leaves(count: number): Promise<Uint8Array[]> {
    this.#assertUsable();
    checkLeafCount(count, this.#head.index);
    return this.#runExclusive(async () => {
      const leaves: Uint8Array[] = [];
      const result = await replayLog(
        this.#handle,
        (entry, _offset, leaf) => {
          if (entry.index <= count) leaves.push(leaf);
        },
        this.#size,
      );
      if (result.damage !== undefined || leaves.length !== count) {
        throw new StoreCorruptionError(`log ${join(this.directory, LOG_FILE)} did not replay to entry ${count}`, {
          context: { count, replayed: leaves.length },
        });
      }
      return leaves;
    });
  }

  async verify(): Promise<VerifyReport> {
    this.#assertUsable();
    return this.#runExclusive(() => this.#verify());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Commits already queued were accepted; let them reach the disk before closing.
    await this.#runExclusive(async () => {
      await this.#handle.close().catch(() => undefined);
      await this.#lock.release();
    });
  }

  #assertUsable(): void {
    if (this.#closed) throw new StoreClosedError(`the file store in ${this.directory} is closed`);
    if (this.#failure !== undefined) {
      throw new StoreClosedError(`the file store in ${this.directory} failed a write and must be reopened`, {
        cause: this.#failure,
      });
    }
  }

  #runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.then(fn);
    this.#exclusive = run.catch(() => undefined);
    return run;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    void this.#runExclusive(() => this.#writeBatch());
  }

  async #writeBatch(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue.splice(0);
    if (this.#failure !== undefined) {
      for (const p of batch)
        p.reject(
          new StoreClosedError(`the file store in ${this.directory} failed a write and must be reopened`, {
            cause: this.#failure,
          }),
        );
      return;
    }
    const head = this.#head.clone();
    // Versions written by earlier members of this group: a number, or null once deleted.
    const overlay = new Map<string, number | null>();
    const accepted: Array<{ pending: PendingCommit; index: number; checkpoint: Checkpoint }> = [];
    const frames: Uint8Array[] = [];
    for (const pending of batch) {
      const conflict = this.#findConflict(pending.preconditions, overlay);
      if (conflict !== undefined) {
        pending.reject(conflict);
        continue;
      }
      const index = head.index + 1;
      const payload = encodeLogEntry({ index, changes: pending.changes });
      const { chain } = head.append(payload);
      frames.push(encodeFrame(payload, chain));
      for (const c of pending.changes) overlay.set(recordId(c.container, c.key), c.op === 'put' ? index : null);
      accepted.push({ pending, index, checkpoint: head.checkpoint() });
    }
    if (frames.length === 0) return;
    const bytes = concat(...frames);
    try {
      await io('append to the log', () => this.#handle.write(bytes, 0, bytes.length, this.#size));
      // fdatasync also persists the new file size, which is all the metadata a reader needs.
      await io('sync the log', () => this.#handle.datasync());
    } catch (error) {
      // The tail may or may not be on disk: stop taking writes; reopening replays the truth.
      this.#failure = error as Error;
      for (const a of accepted) a.pending.reject(error);
      for (const p of this.#queue.splice(0)) p.reject(error);
      return;
    }
    this.#size += bytes.length;
    this.#head = head;
    for (const a of accepted) {
      this.#index.apply(a.pending.changes, a.index);
      a.pending.resolve({ index: a.index, checkpoint: a.checkpoint });
    }
  }

  #findConflict(
    preconditions: readonly Precondition[],
    overlay: Map<string, number | null>,
  ): StoreConflictError | undefined {
    for (const p of preconditions) {
      const id = recordId(p.container, p.key);
      const actual = overlay.has(id) ? (overlay.get(id) ?? undefined) : this.#index.get(p.container, p.key)?.version;
      if (actual === (p.expected === 'absent' ? undefined : p.expected)) continue;
      return conflictError(p, actual);
    }
    return undefined;
  }

  async #verify(): Promise<VerifyReport> {
    const path = join(this.directory, LOG_FILE);
    const replayed = new RecordIndex();
    const result = await replayLog(this.#handle, (entry) => replayed.apply(entry.changes, entry.index), this.#size);
    if (result.damage !== undefined) {
      throw new StoreCorruptionError(
        `log ${path} does not verify at offset ${result.damage.offset} after entry ${result.head.index}: ${result.damage.reason}`,
        { context: { path, offset: result.damage.offset, lastIndex: result.head.index } },
      );
    }
    const expected = this.#head.checkpoint();
    const actual = result.head.checkpoint();
    if (
      actual.index !== expected.index ||
      !sameHash(actual.chain, expected.chain) ||
      !sameHash(actual.root, expected.root)
    ) {
      throw new StoreCorruptionError(
        `log ${path} replays to entry ${actual.index} with a different chain or Merkle root than the store holds (entry ${expected.index})`,
        { context: { path, replayed: actual.index, held: expected.index } },
      );
    }
    compareIndexes(this.#index, replayed, path);
    return { entries: actual.index, records: replayed.count, checkpoint: actual };
  }
}

function compareIndexes(held: RecordIndex, replayed: RecordIndex, path: string): void {
  const mismatch = (detail: string): StoreCorruptionError =>
    new StoreCorruptionError(`the in-memory records disagree with a replay of ${path}: ${detail}`, {
      context: { path },
    });
  if (held.count !== replayed.count) throw mismatch(`${held.count} records held, ${replayed.count} replayed`);
  for (const [container, key, record] of replayed.entries()) {
    const other = held.get(container, key);
    if (other === undefined || other.version !== record.version || other.json !== record.json) {
      throw mismatch(`record ${container}/${JSON.stringify(key)} differs`);
    }
  }
}

/**
 * Opens the log, creating it first if absent. A new log is written beside its final name and
 * renamed into place after an fsync, so a crash during creation never leaves a headerless
 * file that would later read as corrupt.
 */
async function openOrCreateLog(directory: string, path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StoreBackendError(`could not open the log ${path}`, { context: { path }, cause });
    }
  }
  const temporary = `${path}.${process.pid}.new`;
  await io('create the log', async () => {
    const created = await open(temporary, 'w', 0o600);
    try {
      await created.write(LOG_HEADER, 0, LOG_HEADER.length, 0);
      await created.sync();
    } finally {
      await created.close();
    }
    await rename(temporary, path);
    // The rename, and the data directory itself if open just made it, must survive a crash.
    for (const dirPath of [directory, dirname(directory)]) {
      const dir = await open(dirPath, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
  });
  return io('open the log', () => open(path, 'r+'));
}
