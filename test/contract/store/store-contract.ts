/**
 * @module test/contract/store/store-contract
 * The one contract every Store backend must meet (docs/decisions/0008-where-fakes-live.md: "every adapter has one
 * contract suite run against its fake and against the real thing"). Each backend's test file
 * calls `storeContract` with a way to make fresh store locations.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/crypto/errors.js';
import { sha512 } from '../../../src/crypto/hash.js';
import { concat } from '../../../src/crypto/bytes.js';
import { encodeLogEntry } from '../../../src/service/store/log-entry.js';
import { checkChanges, resolveLimits } from '../../../src/service/store/store-input.js';
import {
  StoreClosedError,
  StoreConflictError,
  StoreInputError,
  StoreLimitError,
  StoreLockedError,
} from '../../../src/service/store/store-errors.js';
import type { JsonObject } from '../../../src/mesh/encoding/json-value.js';
import type { Checkpoint, ListPage, Store, StoreChange, StoreLimits } from '../../../src/service/store/store.js';

export interface StoreLocation {
  /** Opens the store at this location (again, if it was opened before). */
  open(limits?: Partial<StoreLimits>): Promise<Store>;
  /** The `--store` spec a child process passes to openStore to reach this location. */
  readonly spec: string;
  cleanup(): Promise<void>;
}

export interface StoreUnderTest {
  /** A fresh, empty location. */
  create(): Promise<StoreLocation>;
  /**
   * Whether two instances may write one location at once (PostgreSQL: several service
   * instances) or the second is refused (file store: a directory lock).
   */
  readonly sharedWriters: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
let childBundle: Promise<{ path: string; directory: string }> | undefined;

/**
 * Bundles store-child.ts (and `pg`) into one CommonJS file, because Node 20 cannot run
 * TypeScript and the child must be a real separate process.
 */
export function storeChildScript(): Promise<string> {
  childBundle ??= (async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mesh-store-child-'));
    const path = join(directory, 'store-child.cjs');
    await build({
      entryPoints: [join(here, 'store-child.ts')],
      outfile: path,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['pg-native', 'pg-cloudflare'],
      logLevel: 'error',
    });
    return { path, directory };
  })();
  return childBundle.then((b) => b.path);
}

export async function removeStoreChildScript(): Promise<void> {
  if (childBundle === undefined) return;
  const { directory } = await childBundle;
  childBundle = undefined;
  await rm(directory, { recursive: true, force: true });
}

/** Runs the child to completion and returns its stdout. */
export function runStoreChild(args: string[], cwd: string): Promise<string> {
  return storeChildScript().then(
    (script) =>
      new Promise((resolveRun, reject) => {
        const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code === 0) resolveRun(out);
          else reject(new StoreChildFailedError(`store child exited with ${code}: ${err}`));
        });
      }),
  );
}

/** A store child process failed; its stderr is in the message. */
export class StoreChildFailedError extends MeshError {
  readonly code = 'ERR_TEST_STORE_CHILD_FAILED';
}

/** RFC 6962 §2.1 MTH computed the slow, obvious way, to check the incremental frontier. */
export function referenceMerkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const hashLeaf = (d: Uint8Array): Uint8Array => sha512(concat(Uint8Array.of(0), d));
  const mth = (d: readonly Uint8Array[]): Uint8Array => {
    if (d.length === 0) return sha512(new Uint8Array(0));
    if (d.length === 1) return hashLeaf(d[0] as Uint8Array);
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return sha512(concat(Uint8Array.of(1), mth(d.slice(0, k)), mth(d.slice(k))));
  };
  return mth(leaves);
}

const put = (container: string, key: string, value: JsonObject): StoreChange => ({ op: 'put', container, key, value });
const del = (container: string, key: string): StoreChange => ({ op: 'delete', container, key });

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new StoreInputError('expected the promise to reject');
}

export function storeContract(name: string, target: () => StoreUnderTest): void {
  describe(`${name}: store contract`, () => {
    const locations: StoreLocation[] = [];
    const stores: Store[] = [];

    async function fresh(limits?: Partial<StoreLimits>): Promise<{ store: Store; location: StoreLocation }> {
      const location = await target().create();
      locations.push(location);
      const store = await location.open(limits);
      stores.push(store);
      return { store, location };
    }

    async function reopen(location: StoreLocation): Promise<Store> {
      const store = await location.open();
      stores.push(store);
      return store;
    }

    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      for (const l of locations.splice(0)) await l.cleanup();
    });

    afterAll(removeStoreChildScript);

    it('starts empty, with the RFC 6962 empty-tree root and a zero chain', async () => {
      const { store } = await fresh();
      expect(await store.get('accounts', 'alice@example.com')).toBeUndefined();
      expect(await store.list('accounts')).toEqual({ records: [] });
      const cp = await store.checkpoint();
      expect(cp.index).toBe(0);
      expect(hex(cp.root)).toBe(hex(sha512(new Uint8Array(0))));
      expect(hex(cp.chain)).toBe('00'.repeat(64));
      expect((await store.verify()).entries).toBe(0);
    });

    it('puts, gets, replaces and deletes records, with versions that are log indexes', async () => {
      const { store } = await fresh();
      const r1 = await store.commit([put('accounts', 'alice@example.com', { profile: 'MAAA', n: 1 })]);
      expect(r1.index).toBe(1);
      const got = await store.get('accounts', 'alice@example.com');
      expect(got).toEqual({
        container: 'accounts',
        key: 'alice@example.com',
        value: { profile: 'MAAA', n: 1 },
        version: 1,
      });

      // A returned value is a copy: changing it must not change the store.
      (got?.value as JsonObject)['n'] = 99;
      expect((await store.get('accounts', 'alice@example.com'))?.value).toEqual({ profile: 'MAAA', n: 1 });

      const r2 = await store.commit([
        put('accounts', 'alice@example.com', { profile: 'MBBB', nested: { a: [1, 'two', null, true, { b: -0.5 }] } }),
        put('pins', 'alice@example.com/PIN1', { expires: '2025-01-01T00:00:00Z' }),
      ]);
      expect(r2.index).toBe(2);
      expect(await store.get('accounts', 'alice@example.com')).toMatchObject({
        value: { profile: 'MBBB', nested: { a: [1, 'two', null, true, { b: -0.5 }] } },
        version: 2,
      });
      expect((await store.get('pins', 'alice@example.com/PIN1'))?.version).toBe(2);
      // Containers are separate name spaces.
      expect(await store.get('pins', 'alice@example.com')).toBeUndefined();

      const r3 = await store.commit([del('accounts', 'alice@example.com'), del('accounts', 'never-existed')]);
      expect(r3.index).toBe(3);
      expect(await store.get('accounts', 'alice@example.com')).toBeUndefined();
      expect((await store.verify()).records).toBe(1);
    });

    it('applies a batch all-or-nothing: a failed precondition changes nothing', async () => {
      const { store } = await fresh();
      await store.commit([put('requests', 'r1', { state: 'pending' })]);
      const before = await store.checkpoint();
      const error = await rejection(
        store.commit(
          [put('requests', 'r2', { state: 'pending' }), put('requests', 'r1', { state: 'accepted' })],
          [{ container: 'requests', key: 'r1', expected: 'absent' }],
        ),
      );
      expect(error).toBeInstanceOf(StoreConflictError);
      expect(error.message).toContain('requests/"r1"');
      expect(error.message).toContain('expected absent, found version 1');
      expect(await store.get('requests', 'r2')).toBeUndefined();
      expect((await store.get('requests', 'r1'))?.value).toEqual({ state: 'pending' });
      expect(await store.checkpoint()).toEqual(before);
    });

    it('checks expected versions and absence, and never repeats a version after delete and re-create', async () => {
      const { store } = await fresh();
      const pre = (expected: number | 'absent') => [{ container: 'claims', key: 'c', expected }];
      await store.commit([put('claims', 'c', { v: 1 })], pre('absent'));
      await expect(store.commit([put('claims', 'c', { v: 2 })], pre('absent'))).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      await expect(store.commit([put('claims', 'c', { v: 2 })], pre(7))).rejects.toBeInstanceOf(StoreConflictError);
      const r = await store.commit([put('claims', 'c', { v: 2 })], pre(1));
      expect((await store.get('claims', 'c'))?.version).toBe(r.index);

      // A precondition may guard a record the batch does not write.
      await store.commit([put('other', 'x', { ok: true })], pre(r.index));

      const stale = r.index;
      await store.commit([del('claims', 'c')], pre(stale));
      await expect(store.commit([put('claims', 'c', { v: 3 })], pre(stale))).rejects.toBeInstanceOf(StoreConflictError);
      const again = await store.commit([put('claims', 'c', { v: 3 })], pre('absent'));
      expect(again.index).toBeGreaterThan(stale);
      await expect(store.commit([del('claims', 'c')], pre(stale))).rejects.toThrow(
        /expected version \d+, found version \d+/,
      );
    });

    it('pages through many records in a stable code-point order with opaque page keys', async () => {
      const { store } = await fresh();
      const keys: string[] = [];
      for (let i = 0; i < 230; i++) keys.push(`dev-${String((i * 7919) % 1000).padStart(4, '0')}`);
      // Characters where UTF-16 order and code-point order disagree, and a prefix boundary.
      keys.push('dev-\uE000', 'dev-\u{1F600}', 'dev-~', 'dev-', 'dev', 'dew', 'de');
      for (let i = 0; i < keys.length; i += 50) {
        await store.commit(keys.slice(i, i + 50).map((k) => put('devices', k, { k })));
      }
      await store.commit([put('devicesx', 'dev-0001', { other: true })]);
      const codePointOrder = [...keys].sort((a, b) => {
        const x = [...a].map((c) => c.codePointAt(0) as number);
        const y = [...b].map((c) => c.codePointAt(0) as number);
        for (let i = 0; i < Math.min(x.length, y.length); i++)
          if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
        return x.length - y.length;
      });

      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page: ListPage = await store.list('devices', { limit: 17, ...(after === undefined ? {} : { after }) });
        expect(page.records.length).toBeLessThanOrEqual(17);
        for (const r of page.records) {
          expect(r.value).toEqual({ k: r.key });
          expect(r.container).toBe('devices');
        }
        seen.push(...page.records.map((r) => r.key));
        after = page.next;
        pages += 1;
      } while (after !== undefined);
      expect(seen).toEqual(codePointOrder);
      expect(pages).toBe(Math.ceil(keys.length / 17));

      // Prefix listing, paged.
      const prefixed: string[] = [];
      after = undefined;
      do {
        const page: ListPage = await store.list('devices', {
          prefix: 'dev-0',
          limit: 40,
          ...(after === undefined ? {} : { after }),
        });
        prefixed.push(...page.records.map((r) => r.key));
        after = page.next;
      } while (after !== undefined);
      expect(prefixed).toEqual(codePointOrder.filter((k) => k.startsWith('dev-0')));

      // Default limit is 100; a page exactly filling the container has no next.
      expect((await store.list('devices')).records).toHaveLength(100);
      expect((await store.list('devices', { limit: keys.length })).next).toBeUndefined();
      expect((await store.list('devices', { prefix: 'zzz' })).records).toEqual([]);
    });

    it('keeps paging stable while records are inserted and deleted', async () => {
      const { store } = await fresh();
      await store.commit(Array.from({ length: 20 }, (_, i) => put('nonces', `n${String(i).padStart(2, '0')}`, { i })));
      const first = await store.list('nonces', { limit: 10 });
      expect(first.next).toBeDefined();
      // A key sorting before the cursor and the cursor record itself change meanwhile.
      await store.commit([put('nonces', 'n00a', { i: -1 }), del('nonces', 'n09')]);
      const second = await store.list('nonces', { limit: 10, after: first.next as string });
      expect(second.records.map((r) => r.key)).toEqual(Array.from({ length: 10 }, (_, i) => `n${10 + i}`));
    });

    it('produces a new checkpoint for every commit, equal to an independent RFC 6962 computation', async () => {
      const { store } = await fresh();
      const limits = resolveLimits();
      const payloads: Uint8Array[] = [];
      const seenRoots = new Set<string>();
      const seenChains = new Set<string>();
      let previous: Checkpoint = await store.checkpoint();
      seenRoots.add(hex(previous.root));
      seenChains.add(hex(previous.chain));
      for (let i = 1; i <= 13; i++) {
        const changes = i % 4 === 0 ? [del('log', `k${i - 1}`)] : [put('log', `k${i}`, { i, text: 'é\u{1F600}' })];
        const receipt = await store.commit(changes);
        payloads.push(encodeLogEntry({ index: i, changes: checkChanges(changes, limits) }));
        const cp = await store.checkpoint();
        expect(receipt.index).toBe(i);
        expect(cp).toEqual(receipt.checkpoint);
        expect(cp.index).toBe(previous.index + 1);
        expect(hex(cp.root)).toBe(hex(referenceMerkleRoot(payloads)));
        expect(seenRoots.has(hex(cp.root))).toBe(false);
        expect(seenChains.has(hex(cp.chain))).toBe(false);
        seenRoots.add(hex(cp.root));
        seenChains.add(hex(cp.chain));
        previous = cp;
      }
      expect((await store.verify()).checkpoint).toEqual(previous);
    });

    it('keeps everything across close and reopen', async () => {
      const { store, location } = await fresh();
      for (let i = 0; i < 30; i++) {
        await store.commit([
          put('accounts', `a${i}`, { i }),
          ...(i % 3 === 0 && i > 0 ? [del('accounts', `a${i - 1}`)] : []),
        ]);
      }
      const cp = await store.checkpoint();
      const listing = await store.list('accounts', { limit: 1000 });
      await store.close();
      await expect(store.get('accounts', 'a1')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.commit([put('accounts', 'z', {})])).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.verify()).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.checkpoint()).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.list('accounts')).rejects.toBeInstanceOf(StoreClosedError);
      await store.close();

      const again = await reopen(location);
      expect(await again.checkpoint()).toEqual(cp);
      expect(await again.list('accounts', { limit: 1000 })).toEqual(listing);
      expect((await again.verify()).entries).toBe(30);
      const next = await again.commit([put('accounts', 'after-reopen', { ok: true })]);
      expect(next.index).toBe(31);
    });

    it('serialises concurrent commits on one instance and lets exactly one racing writer win', async () => {
      const { store } = await fresh();
      const receipts = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.commit([put('seen', `nonce-${i}`, { i })])),
      );
      expect(receipts.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

      const race = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.commit(
            [put('lockouts', 'alice', { by: i })],
            [{ container: 'lockouts', key: 'alice', expected: 'absent' }],
          ),
        ),
      );
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of race) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflictError);
      expect((await store.verify()).entries).toBe(26);
    });

    it('handles a second instance on the same location as the backend promises', async () => {
      const { store, location } = await fresh();
      await store.commit([put('counters', 'pin-failures', { n: 0 })]);
      if (!target().sharedWriters) {
        const error = await rejection(location.open());
        expect(error).toBeInstanceOf(StoreLockedError);
        expect(error.message).toContain('already open');
        await store.close();
        const second = await reopen(location);
        expect((await second.get('counters', 'pin-failures'))?.value).toEqual({ n: 0 });
        return;
      }
      const other = await reopen(location);
      // Each instance sees the other's writes.
      expect((await other.get('counters', 'pin-failures'))?.version).toBe(1);
      await other.commit([put('counters', 'written-by-other', { n: 1 })]);
      expect((await store.get('counters', 'written-by-other'))?.version).toBe(2);

      // Both read version 1 of the counter and race: one update wins, the other is refused.
      const race = await Promise.allSettled([
        store.commit(
          [put('counters', 'pin-failures', { n: 1 })],
          [{ container: 'counters', key: 'pin-failures', expected: 1 }],
        ),
        other.commit(
          [put('counters', 'pin-failures', { n: 1 })],
          [{ container: 'counters', key: 'pin-failures', expected: 1 }],
        ),
      ]);
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StoreConflictError);
      expect(await store.checkpoint()).toEqual(await other.checkpoint());
      expect((await other.verify()).entries).toBe(3);
    });

    it('loses no update when two processes increment one counter', async () => {
      const { store, location } = await fresh();
      if (!target().sharedWriters) {
        // The file store admits one writer; the child must be refused while this one is open.
        await expect(runStoreChild(['increment', location.spec, 'counters', 'c', '1'], tmpdir())).rejects.toThrow(
          /StoreLockedError|already open/,
        );
        return;
      }
      const perProcess = 30;
      const outputs = await Promise.all([
        runStoreChild(['increment', location.spec, 'counters', 'c', String(perProcess)], tmpdir()),
        runStoreChild(['increment', location.spec, 'counters', 'c', String(perProcess)], tmpdir()),
      ]);
      for (const out of outputs) expect(out).toMatch(/^done \d+\n$/);
      expect((await store.get<{ n: number }>('counters', 'c'))?.value.n).toBe(2 * perProcess);
      const report = await store.verify();
      expect(report.entries).toBe(2 * perProcess);
    }, 60_000);

    describe('bad input', () => {
      it('refuses malformed container names, naming the field', async () => {
        const { store } = await fresh();
        for (const container of [
          '',
          'Accounts',
          '../etc',
          'a b',
          'a/b',
          '9lives',
          'x'.repeat(65),
          42 as unknown as string,
        ]) {
          const error = await rejection(store.get(container, 'k'));
          expect(error).toBeInstanceOf(StoreInputError);
          expect(error.message).toMatch(/^"container" expected a container name/);
        }
        const error = await rejection(store.commit([put('Bad Name', 'k', {})]));
        expect(error).toBeInstanceOf(StoreInputError);
        expect(error.message).toContain('"changes[0].container"');
        await expect(store.list('UPPER')).rejects.toBeInstanceOf(StoreInputError);
      });

      it('refuses empty, control-character, lone-surrogate and oversized keys', async () => {
        const { store } = await fresh();
        for (const [key, pattern] of [
          ['', /"key" expected a non-empty string, got an empty string/],
          ['a\u0000b', /"key" contains a control character or lone surrogate \(U\+0000\) at position 1/],
          ['line\nbreak', /U\+000a/],
          ['half\uD800', /lone surrogate \(U\+d800\)/],
        ] as const) {
          const error = await rejection(store.get('accounts', key));
          expect(error).toBeInstanceOf(StoreInputError);
          expect(error.message).toMatch(pattern);
        }
        const long = await rejection(store.commit([put('accounts', 'é'.repeat(257), {})]));
        expect(long).toBeInstanceOf(StoreLimitError);
        expect(long.message).toBe('"changes[0].key" is 514 bytes of UTF-8, more than the limit of 512');
        // At the bound is fine, and keys may hold any other Unicode.
        await store.commit([put('accounts', 'k'.repeat(512), {}), put('accounts', 'ü@例え.jp 🙂', {})]);
      });

      it('refuses values that are not plain JSON objects, naming the path', async () => {
        const { store } = await fresh();
        const circular: Record<string, unknown> = {};
        circular['self'] = circular;
        let deep: Record<string, unknown> = {};
        for (let i = 0; i < 70; i++) deep = { d: deep };
        const cases: Array<[unknown, RegExp, typeof StoreInputError | typeof StoreLimitError]> = [
          [[1, 2], /"changes\[0\]\.value" expected a JSON object, got an array/, StoreInputError],
          ['text', /"changes\[0\]\.value" expected a JSON object, got type string/, StoreInputError],
          [null, /"changes\[0\]\.value" expected a JSON object, got null/, StoreInputError],
          [undefined, /"changes\[0\]\.value" expected a JSON object, got type undefined/, StoreInputError],
          [new Date(0), /got an instance of Date/, StoreInputError],
          [{ n: Number.NaN }, /"changes\[0\]\.value\.n" expected a finite number, got NaN/, StoreInputError],
          [{ a: [0, { b: Infinity }] }, /"changes\[0\]\.value\.a\[1\]\.b" expected a finite number/, StoreInputError],
          [{ u: undefined }, /"changes\[0\]\.value\.u" expected a JSON value, got type undefined/, StoreInputError],
          [{ f: () => 1 }, /"changes\[0\]\.value\.f" expected a JSON value, got type function/, StoreInputError],
          [{ big: 1n }, /got type bigint/, StoreInputError],
          [
            { m: new Map() },
            /"changes\[0\]\.value\.m" expected a plain JSON object or array, got an instance of Map/,
            StoreInputError,
          ],
          [circular, /"changes\[0\]\.value\.self" is a circular reference/, StoreInputError],
          [deep, /is nested more than 64 levels deep/, StoreLimitError],
        ];
        for (const [value, pattern, errorClass] of cases) {
          const error = await rejection(
            store.commit([{ op: 'put', container: 'accounts', key: 'k', value: value as JsonObject }]),
          );
          expect(error).toBeInstanceOf(errorClass);
          expect(error.message).toMatch(pattern);
        }
        expect((await store.checkpoint()).index).toBe(0);
      });

      it('bounds value, batch and entry sizes', async () => {
        const { store } = await fresh({ maxValueBytes: 1000, maxChanges: 3, maxEntryBytes: 2500 });
        const big = await rejection(store.commit([put('accounts', 'k', { blob: 'x'.repeat(1000) })]));
        expect(big).toBeInstanceOf(StoreLimitError);
        expect(big.message).toBe('"changes[0].value" is 1011 bytes of JSON, more than the limit of 1000');
        expect(big).toMatchObject({ context: { what: 'changes[0].value', limit: 1000, actual: 1011 } });

        const many = await rejection(store.commit(Array.from({ length: 4 }, (_, i) => put('accounts', `k${i}`, {}))));
        expect(many).toBeInstanceOf(StoreLimitError);
        expect(many.message).toContain('"changes" has 4 changes, more than the limit of 3');

        const entry = await rejection(
          store.commit(Array.from({ length: 3 }, (_, i) => put('accounts', `k${i}`, { blob: 'x'.repeat(900) }))),
        );
        expect(entry).toBeInstanceOf(StoreLimitError);
        expect(entry.message).toMatch(/^"changes" serialise to \d+ bytes, more than the limit of 2500$/);
        expect((await store.checkpoint()).index).toBe(0);
      });

      it('refuses malformed batches, preconditions and list options', async () => {
        const { store } = await fresh();
        const cases: Array<[Promise<unknown>, RegExp, typeof StoreInputError | typeof StoreLimitError]> = [
          [store.commit([]), /"changes" expected a non-empty array, got an empty array/, StoreInputError],
          [
            store.commit({} as unknown as StoreChange[]),
            /"changes" expected a non-empty array, got an instance of Object/,
            StoreInputError,
          ],
          [
            store.commit([{ op: 'upsert', container: 'a', key: 'k' } as unknown as StoreChange]),
            /"changes\[0\]\.op" expected "put" or "delete", got "upsert"/,
            StoreInputError,
          ],
          [
            store.commit([put('a', 'k', {}), del('a', 'k')]),
            /"changes\[1\]" changes a\/"k" a second time in one commit/,
            StoreInputError,
          ],
          [
            store.commit([put('a', 'k', {})], [{ container: 'a', key: 'k', expected: 0 }]),
            /"preconditions\[0\]\.expected" expected a version \(a positive integer\) or "absent", got 0/,
            StoreInputError,
          ],
          [
            store.commit([put('a', 'k', {})], [{ container: 'a', key: 'k' } as never]),
            /"preconditions\[0\]\.expected" .* got undefined/,
            StoreInputError,
          ],
          [
            store.commit([put('a', 'k', {})], [{ container: 'A', key: 'k', expected: 1 }]),
            /"preconditions\[0\]\.container"/,
            StoreInputError,
          ],
          [store.list('a', { limit: 0 }), /"limit" expected a positive integer, got 0/, StoreInputError],
          [store.list('a', { limit: 1.5 }), /"limit" expected a positive integer, got 1.5/, StoreInputError],
          [store.list('a', { limit: 1001 }), /"limit" is 1001, more than the limit of 1000/, StoreLimitError],
          [
            store.list('a', { after: 'not-a-page-key' }),
            /"after" expected a page key returned by list, got "not-a-page-key"/,
            StoreInputError,
          ],
          [store.list('a', { after: 'k1.!!!' }), /"after" is not a page key returned by list/, StoreInputError],
          [store.list('a', { after: 'k1.AA' }), /"after" is not a page key returned by list/, StoreInputError],
          [store.list('a', { prefix: 'a\u0007' }), /"prefix" contains a control character/, StoreInputError],
        ];
        for (const [promise, pattern, errorClass] of cases) {
          const error = await rejection(promise);
          expect(error, String(pattern)).toBeInstanceOf(errorClass);
          expect(error.message).toMatch(pattern);
        }
        expect((await store.checkpoint()).index).toBe(0);
      });
    });
  });
}
