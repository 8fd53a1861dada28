/**
 * @module test/contract/store/postgres-store.test
 * The PostgreSQL store against the same contract as the file store, on a real PostgreSQL
 * cluster started for this file ("CI installs and starts PostgreSQL for its
 * contract tests"). Each test gets its own schema, so one cluster serves the whole file.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../src/service/store/postgres-store.js';
import { openStore } from '../../../src/service/store/open-store.js';
import { StoreBackendError, StoreConfigError, StoreCorruptionError } from '../../../src/service/store/store-errors.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';
import { storeContract } from './store-contract.js';

let cluster: PostgresCluster | undefined;
let databaseUrl = '';
let schemas = 0;

beforeAll(async () => {
  cluster = await startPostgres();
  databaseUrl = await cluster.createDatabase('mesh_store_test');
});

afterAll(async () => {
  await cluster?.stop();
});

function nextSchema(): string {
  schemas += 1;
  return `contract_${process.pid}_${schemas}`;
}

storeContract('PostgresStore', () => ({
  sharedWriters: true,
  async create() {
    const schema = nextSchema();
    return {
      spec: `${databaseUrl}?schema=${schema}`,
      open: (limits) => PostgresStore.open(databaseUrl, { schema, ...(limits === undefined ? {} : { limits }) }),
      cleanup: async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  },
}));

describe('PostgresStore specifics', () => {
  async function sql(text: string): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  it('creates its schema once even when instances start together', async () => {
    const schema = nextSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(databaseUrl, { schema })));
    try {
      await (stores[0] as PostgresStore).commit([{ op: 'put', container: 'a', key: 'k', value: {} }]);
      for (const s of stores) expect((await s.checkpoint()).index).toBe(1);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('is reached through openStore with a schema parameter', async () => {
    const schema = nextSchema();
    const store = await openStore(`${databaseUrl}?schema=${schema}`, { dataDirectory: '/nonexistent' });
    try {
      expect(store.kind).toBe('postgres');
      await store.commit([{ op: 'put', container: 'a', key: 'k', value: { via: 'openStore' } }]);
    } finally {
      await store.close();
    }
    const direct = await PostgresStore.open(databaseUrl, { schema });
    try {
      expect((await direct.get('a', 'k'))?.value).toEqual({ via: 'openStore' });
    } finally {
      await direct.close();
    }
  });

  it.each([
    [
      'a log payload',
      (s: string) =>
        `UPDATE "${s}".log_entries SET payload = convert_to(replace(convert_from(payload, 'UTF8'), '"n":2', '"n":3'), 'UTF8') WHERE idx = 2`,
      /log_entries row 2 has a leaf hash that does not match its payload/,
    ],
    [
      'a chain link',
      (s: string) => `UPDATE "${s}".log_entries SET chain = sha512(chain) WHERE idx = 3`,
      /log_entries row 3 breaks the hash chain/,
    ],
    [
      'a missing entry',
      (s: string) => `DELETE FROM "${s}".log_entries WHERE idx = 2`,
      /log_entries row 3 found where entry 2 was due/,
    ],
    [
      'the head',
      (s: string) => `UPDATE "${s}".log_head SET chain = sha512(chain)`,
      /chain or Merkle root different from the head row/,
    ],
    [
      'a record',
      (s: string) => `UPDATE "${s}".records SET value = '{"n":42}' WHERE key = 'k2'`,
      /record c\/"k2" disagrees with a replay of the log/,
    ],
    [
      'a vanished record',
      (s: string) => `DELETE FROM "${s}".records WHERE key = 'k4'`,
      /3 records stored, 4 replayed from the log/,
    ],
  ])('verify() detects tampering with %s', async (_name, tamper, message) => {
    const schema = nextSchema();
    const store = await PostgresStore.open(databaseUrl, { schema });
    try {
      for (let n = 1; n <= 4; n++) await store.commit([{ op: 'put', container: 'c', key: `k${n}`, value: { n } }]);
      await store.verify();
      await sql(tamper(schema));
      const error = await store.verify().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(StoreCorruptionError);
      expect(error?.message).toMatch(message);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server as StoreBackendError without the password', async () => {
    const port = (cluster as PostgresCluster).port;
    // Port 1 on loopback: nothing listens there.
    const error = await PostgresStore.open(`postgres://postgres:s3cret@127.0.0.1:1/x`, { schema: 'x' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(port).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(StoreBackendError);
    expect(error?.message).toMatch(/^could not create the schema in PostgreSQL at 127\.0\.0\.1:1\/x/);
    expect(error?.message).not.toContain('s3cret');
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(PostgresStore.open(databaseUrl, { schema: 'x"; DROP TABLE y; --' })).rejects.toBeInstanceOf(
      StoreConfigError,
    );
  });
});
