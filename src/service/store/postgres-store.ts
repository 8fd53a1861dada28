/**
 * @module service/store/postgres-store
 * The store on PostgreSQL (the `pg` client), so that several service instances can share one
 * database. It keeps the same log as the file store, with the same payload bytes,
 * hash chain and RFC 6962 tree, beside a table of current records.
 *
 * Every commit locks the single head row (`SELECT … FOR UPDATE`), which serialises the chain
 * across all instances; preconditions are checked after taking that lock, inside the same
 * transaction, so a racing writer fails with StoreConflictError instead of losing an update.
 * Readers never take the lock. A commit resolves after PostgreSQL's COMMIT, which is durable
 * with the server's default synchronous_commit.
 */
import pg from 'pg';
import { concat } from '../../crypto/bytes.js';
import { decodeLogEntry, encodeLogEntry } from './log-entry.js';
import { EMPTY_CHAIN, LogHead, MerkleFrontier, sameHash } from './log-hash.js';
import { RecordIndex } from './record-index.js';
import {
  StoreBackendError,
  StoreClosedError,
  StoreConfigError,
  StoreConflictError,
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

export const DEFAULT_POSTGRES_SCHEMA = 'mesh_store';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const VERIFY_BATCH = 1000;

export interface PostgresStoreOptions {
  readonly limits?: Partial<StoreLimits>;
  /** The PostgreSQL schema holding the store's tables (created if absent). */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
}

interface HeadRow {
  idx: string;
  chain: Buffer;
  frontier: Buffer;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly limits: StoreLimits;
  readonly schema: string;

  readonly #pool: pg.Pool;
  readonly #target: string;
  readonly #t: { log: string; records: string; head: string };
  #closed = false;

  private constructor(pool: pg.Pool, target: string, schema: string, limits: StoreLimits) {
    this.#pool = pool;
    this.#target = target;
    this.schema = schema;
    this.limits = limits;
    const q = `"${schema}"`;
    this.#t = { log: `${q}.log_entries`, records: `${q}.records`, head: `${q}.log_head` };
  }

  /**
   * Connects, creating the schema and tables on first use. `connection` is a postgres:// URL
   * or a pg pool configuration.
   */
  static async open(connection: string | pg.PoolConfig, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const limits = resolveLimits(options.limits);
    const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    if (!SCHEMA_NAME.test(schema)) {
      throw new StoreConfigError(
        `"schema" expected a name matching ${SCHEMA_NAME.source}, got ${JSON.stringify(schema.slice(0, 80))}`,
        {
          context: { what: 'schema', expected: SCHEMA_NAME.source },
        },
      );
    }
    const config: pg.PoolConfig = typeof connection === 'string' ? { connectionString: connection } : { ...connection };
    config.max = options.poolSize ?? config.max ?? 10;
    const pool = new pg.Pool(config);
    // An idle connection that drops must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, describeTarget(connection), schema, limits);
    try {
      await store.#createSchema();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  async get<T extends JsonObject = JsonObject>(container: string, key: string): Promise<StoredRecord<T> | undefined> {
    this.#assertOpen();
    checkContainer(container);
    checkKey(key, this.limits);
    const { rows } = await this.#query<{ value: string; version: string }>(
      'read a record',
      `SELECT value, version FROM ${this.#t.records} WHERE container = $1 AND key = $2`,
      [container, key],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { container, key, value: parseValue<T>(row.value), version: Number(row.version) };
  }

  async list<T extends JsonObject = JsonObject>(container: string, options?: ListOptions): Promise<ListPage<T>> {
    this.#assertOpen();
    checkContainer(container);
    const checked = checkListOptions(options, this.limits);
    // COLLATE "C" compares UTF-8 bytes, i.e. code points, the order the file store uses.
    const { rows } = await this.#query<{ key: string; value: string; version: string }>(
      'list records',
      `SELECT key, value, version FROM ${this.#t.records}
        WHERE container = $1
          AND ($2::text IS NULL OR key > $2::text COLLATE "C")
          AND ($3::text IS NULL OR (key >= $3::text COLLATE "C" AND starts_with(key, $3::text)))
        ORDER BY key COLLATE "C"
        LIMIT $4`,
      [container, checked.after ?? null, checked.prefix ?? null, checked.limit + 1],
    );
    const more = rows.length > checked.limit;
    const records = rows.slice(0, checked.limit).map((row) => ({
      container,
      key: row.key,
      value: parseValue<T>(row.value),
      version: Number(row.version),
    }));
    const last = records[records.length - 1];
    return more && last !== undefined ? { records, next: encodePageKey(last.key) } : { records };
  }

  async commit(changes: readonly StoreChange[], preconditions?: readonly Precondition[]): Promise<CommitReceipt> {
    this.#assertOpen();
    const checked = checkChanges(changes, this.limits);
    const checkedPreconditions = checkPreconditions(preconditions, this.limits);
    const bound = encodeLogEntry({ index: Number.MAX_SAFE_INTEGER, changes: checked }).length;
    if (bound > this.limits.maxEntryBytes) {
      throw new StoreLimitError(
        `"changes" serialise to ${bound} bytes, more than the limit of ${this.limits.maxEntryBytes}`,
        {
          context: { what: 'changes', limit: this.limits.maxEntryBytes, actual: bound },
        },
      );
    }
    return this.#transaction('commit', async (client) => {
      const head = this.#parseHead(
        (await client.query<HeadRow>(`SELECT idx, chain, frontier FROM ${this.#t.head} WHERE id = 1 FOR UPDATE`))
          .rows[0],
      );
      if (checkedPreconditions.length > 0) {
        const { rows } = await client.query<{ container: string; key: string; version: string }>(
          `SELECT r.container, r.key, r.version FROM ${this.#t.records} r
             JOIN unnest($1::text[], $2::text[]) AS p(container, key)
               ON r.container = p.container AND r.key = p.key`,
          [checkedPreconditions.map((p) => p.container), checkedPreconditions.map((p) => p.key)],
        );
        const versions = new Map(rows.map((r) => [recordId(r.container, r.key), Number(r.version)]));
        for (const p of checkedPreconditions) {
          const actual = versions.get(recordId(p.container, p.key));
          if (actual !== (p.expected === 'absent' ? undefined : p.expected)) throw conflictError(p, actual);
        }
      }
      const index = head.index + 1;
      const payload = encodeLogEntry({ index, changes: checked });
      const { leaf, chain } = head.append(payload);
      await client.query(`INSERT INTO ${this.#t.log} (idx, payload, leaf, chain) VALUES ($1, $2, $3, $4)`, [
        String(index),
        Buffer.from(payload),
        Buffer.from(leaf),
        Buffer.from(chain),
      ]);
      const puts = checked.flatMap((c) => (c.op === 'put' ? [c] : []));
      const deletes = checked.filter((c) => c.op === 'delete');
      if (puts.length > 0) {
        await client.query(
          `INSERT INTO ${this.#t.records} (container, key, value, version)
             SELECT container, key, value, $4::bigint FROM unnest($1::text[], $2::text[], $3::text[]) AS u(container, key, value)
           ON CONFLICT (container, key) DO UPDATE SET value = excluded.value, version = excluded.version`,
          [puts.map((c) => c.container), puts.map((c) => c.key), puts.map((c) => c.json), String(index)],
        );
      }
      if (deletes.length > 0) {
        await client.query(
          `DELETE FROM ${this.#t.records} r USING unnest($1::text[], $2::text[]) AS d(container, key)
            WHERE r.container = d.container AND r.key = d.key`,
          [deletes.map((c) => c.container), deletes.map((c) => c.key)],
        );
      }
      await client.query(`UPDATE ${this.#t.head} SET idx = $1, chain = $2, frontier = $3 WHERE id = 1`, [
        String(index),
        Buffer.from(chain),
        Buffer.from(head.frontier.serialise()),
      ]);
      return { index, checkpoint: head.checkpoint() };
    });
  }

  async checkpoint(): Promise<Checkpoint> {
    this.#assertOpen();
    const { rows } = await this.#query<HeadRow>(
      'read the log head',
      `SELECT idx, chain, frontier FROM ${this.#t.head} WHERE id = 1`,
    );
    return this.#parseHead(rows[0]).checkpoint();
  }

  async leaves(count: number): Promise<Uint8Array[]> {
    this.#assertOpen();
    checkLeafCount(count, (await this.checkpoint()).index);
    const leaves: Uint8Array[] = [];
    // The log is append-only: entries 1..count never change once the head has passed them.
    while (leaves.length < count) {
      const { rows } = await this.#query<{ idx: string; leaf: Buffer }>(
        'read the log leaves',
        `SELECT idx, leaf FROM ${this.#t.log} WHERE idx > $1 AND idx <= $2 ORDER BY idx LIMIT ${VERIFY_BATCH}`,
        [String(leaves.length), String(count)],
      );
      for (const row of rows) {
        if (Number(row.idx) !== leaves.length + 1)
          throw this.#corrupt(`log_entries row ${row.idx} found where entry ${leaves.length + 1} was due`);
        leaves.push(bytes(row.leaf));
      }
      if (rows.length === 0) throw this.#corrupt(`the log ends before entry ${leaves.length + 1}`);
    }
    return leaves;
  }

  async verify(): Promise<VerifyReport> {
    this.#assertOpen();
    // One snapshot for the head, the log and the records, so concurrent commits cannot make
    // a sound database look inconsistent.
    return this.#transaction(
      'verify the log',
      async (client) => {
        const held = this.#parseHead(
          (await client.query<HeadRow>(`SELECT idx, chain, frontier FROM ${this.#t.head} WHERE id = 1`)).rows[0],
        );
        const head = new LogHead();
        const replayed = new RecordIndex();
        for (;;) {
          const { rows } = await client.query<{ idx: string; payload: Buffer; leaf: Buffer; chain: Buffer }>(
            `SELECT idx, payload, leaf, chain FROM ${this.#t.log} WHERE idx > $1 ORDER BY idx LIMIT ${VERIFY_BATCH}`,
            [String(head.index)],
          );
          for (const row of rows) {
            const where = `log_entries row ${row.idx}`;
            const due = head.index + 1;
            if (Number(row.idx) !== due) throw this.#corrupt(`${where} found where entry ${due} was due`);
            const payload = bytes(row.payload);
            const entry = decodeLogEntry(payload, where);
            if (entry.index !== due) throw this.#corrupt(`${where} carries index ${entry.index}`);
            const { leaf, chain } = head.append(payload);
            if (!sameHash(leaf, bytes(row.leaf)))
              throw this.#corrupt(`${where} has a leaf hash that does not match its payload`);
            if (!sameHash(chain, bytes(row.chain))) throw this.#corrupt(`${where} breaks the hash chain`);
            replayed.apply(entry.changes, entry.index);
          }
          if (rows.length < VERIFY_BATCH) break;
        }
        const actual = head.checkpoint();
        const expected = held.checkpoint();
        if (
          actual.index !== expected.index ||
          !sameHash(actual.chain, expected.chain) ||
          !sameHash(actual.root, expected.root)
        ) {
          throw this.#corrupt(
            `the log replays to entry ${actual.index} with a chain or Merkle root different from the head row (entry ${expected.index})`,
          );
        }
        let count = 0;
        let after: [string, string] = ['', ''];
        for (;;) {
          const { rows } = await client.query<{ container: string; key: string; value: string; version: string }>(
            `SELECT container, key, value, version FROM ${this.#t.records}
              WHERE (container, key) > ($1::text COLLATE "C", $2::text COLLATE "C")
              ORDER BY container, key LIMIT ${VERIFY_BATCH}`,
            after,
          );
          for (const row of rows) {
            const record = replayed.get(row.container, row.key);
            if (record === undefined || record.version !== Number(row.version) || record.json !== row.value) {
              throw this.#corrupt(
                `record ${row.container}/${JSON.stringify(row.key)} disagrees with a replay of the log`,
              );
            }
            count += 1;
            after = [row.container, row.key];
          }
          if (rows.length < VERIFY_BATCH) break;
        }
        if (count !== replayed.count)
          throw this.#corrupt(`${count} records stored, ${replayed.count} replayed from the log`);
        return { entries: actual.index, records: count, checkpoint: actual };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end().catch(() => undefined);
  }

  async #createSchema(): Promise<void> {
    await this.#transaction('create the schema', async (client) => {
      // Two instances starting together would race on CREATE … IF NOT EXISTS (which is not
      // atomic in PostgreSQL); an advisory lock per schema makes the second one wait.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mesh-store:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#t.log} (
           idx bigint PRIMARY KEY, payload bytea NOT NULL, leaf bytea NOT NULL, chain bytea NOT NULL)`,
      );
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#t.records} (
           container text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
           value text NOT NULL, version bigint NOT NULL, PRIMARY KEY (container, key))`,
      );
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#t.head} (
           id smallint PRIMARY KEY CHECK (id = 1), idx bigint NOT NULL, chain bytea NOT NULL, frontier bytea NOT NULL)`,
      );
      await client.query(
        `INSERT INTO ${this.#t.head} (id, idx, chain, frontier) VALUES (1, 0, $1, $2) ON CONFLICT (id) DO NOTHING`,
        [Buffer.from(EMPTY_CHAIN), Buffer.alloc(0)],
      );
    });
  }

  #parseHead(row: HeadRow | undefined): LogHead {
    if (row === undefined) throw this.#corrupt('the log_head row is missing');
    const index = Number(row.idx);
    return new LogHead(bytes(row.chain), MerkleFrontier.restore(index, bytes(row.frontier)));
  }

  #corrupt(detail: string): StoreCorruptionError {
    return new StoreCorruptionError(`PostgreSQL store "${this.schema}" at ${this.#target} does not verify: ${detail}`, {
      context: { schema: this.schema, target: this.#target },
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(`the PostgreSQL store "${this.schema}" at ${this.#target} is closed`);
  }

  async #query<R extends pg.QueryResultRow>(
    step: string,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(text, values);
    } catch (cause) {
      throw this.#backendError(step, cause);
    }
  }

  async #transaction<T>(step: string, body: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (cause) {
      throw this.#backendError(step, cause);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back is not returned to the pool.
        broken = rollbackError as Error;
      }
      if (error instanceof StoreConflictError || error instanceof StoreCorruptionError) throw error;
      throw this.#backendError(step, error);
    } finally {
      client.release(broken);
    }
  }

  #backendError(step: string, cause: unknown): StoreBackendError {
    const code = (cause as { code?: unknown }).code;
    const detail =
      typeof code === 'string'
        ? ` (${code}: ${(cause as Error).message})`
        : cause instanceof Error
          ? ` (${cause.message})`
          : '';
    return new StoreBackendError(`could not ${step} in PostgreSQL at ${this.#target}${detail}`, {
      context: { step, target: this.#target, schema: this.schema },
      cause,
    });
  }
}

function bytes(buffer: Buffer): Uint8Array {
  return concat(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
}

/** host:port/database for messages, never the user's password. */
function describeTarget(connection: string | pg.PoolConfig): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      const host = url.searchParams.get('host') ?? url.hostname;
      return `${host}${url.port === '' ? '' : `:${url.port}`}${url.pathname}`;
    } catch {
      return 'an unparsable connection string';
    }
  }
  return `${connection.host ?? 'localhost'}:${connection.port ?? 5432}/${connection.database ?? ''}`;
}
