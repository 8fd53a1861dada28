/**
 * @module test/contract/store/file-store.test
 * The embedded store against the contract, then its crash behaviour (docs/decisions/0011-crash-safe-persistence.md:
 * "append-only, hash-chained and recovers a torn tail"; the service's promise: "no acknowledged write is
 * lost"): every cut inside the last entry, garbage after it, damage before the tail, and a
 * writer killed with SIGKILL in the middle of a stream of commits.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileStore, LOG_FILE, type RecoveryEvent } from '../../../src/service/store/file-store.js';
import { LOCK_FILE } from '../../../src/service/store/directory-lock.js';
import { StoreCorruptionError } from '../../../src/service/store/store-errors.js';
import type { Checkpoint } from '../../../src/service/store/store.js';
import { storeChildScript, storeContract } from './store-contract.js';

const temporaries: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-file-store-'));
  temporaries.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of temporaries.splice(0)) await rm(dir, { recursive: true, force: true });
});

storeContract('FileStore', () => ({
  sharedWriters: false,
  async create() {
    const directory = await mkdtemp(join(tmpdir(), 'mesh-file-store-'));
    return {
      spec: `file:${directory}`,
      open: (limits) => FileStore.open(directory, limits === undefined ? {} : { limits }),
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  },
}));

interface Fixture {
  readonly directory: string;
  /** Log size after each commit; offsets[i] is the end of entry i (offsets[0]: header only). */
  readonly offsets: number[];
  readonly checkpoints: Checkpoint[];
}

/** A closed store of `entries` commits whose frame boundaries are known. */
async function fixture(entries: number): Promise<Fixture> {
  const directory = await tempDir();
  const store = await FileStore.open(directory);
  const path = join(directory, LOG_FILE);
  const offsets = [(await stat(path)).size];
  const checkpoints = [await store.checkpoint()];
  for (let i = 1; i <= entries; i++) {
    const receipt = await store.commit([
      { op: 'put', container: 'requests', key: `r${i}`, value: { i, witness: 'ABCD-EFGH'.repeat(i % 3) } },
      ...(i > 2 ? [{ op: 'delete' as const, container: 'requests', key: `r${i - 2}` }] : []),
    ]);
    offsets.push((await stat(path)).size);
    checkpoints.push(receipt.checkpoint);
  }
  await store.close();
  return { directory, offsets, checkpoints };
}

async function copyOf(source: string): Promise<string> {
  const dir = await tempDir();
  await cp(source, dir, { recursive: true });
  return dir;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, offset);
    b[0] = (b[0] as number) ^ 0x20;
    await handle.write(b, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

describe('FileStore crash recovery', () => {
  const open: FileStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  async function reopen(directory: string, events?: RecoveryEvent[]): Promise<FileStore> {
    const store = await FileStore.open(directory, events === undefined ? {} : { onRecovery: (e) => events.push(e) });
    open.push(store);
    return store;
  }

  it('recovers from a cut at every byte inside the last entry, back to the entry before', async () => {
    const f = await fixture(5);
    const start = f.offsets[4] as number;
    const end = f.offsets[5] as number;
    expect(end - start).toBeGreaterThan(72);
    const work = await tempDir();
    for (let cut = start; cut < end; cut++) {
      await rm(work, { recursive: true, force: true });
      await cp(f.directory, work, { recursive: true });
      await truncate(join(work, LOG_FILE), cut);
      const events: RecoveryEvent[] = [];
      const store = await reopen(work, events);
      if (cut === start) {
        // A cut exactly at a frame boundary is a clean, shorter log.
        expect(events).toEqual([]);
        expect(store.recovery).toBeUndefined();
      } else {
        expect(events).toHaveLength(1);
        expect(store.recovery).toEqual(events[0]);
        expect(events[0]).toMatchObject({ truncatedAt: start, droppedBytes: cut - start, lastIndex: 4 });
      }
      expect(await store.checkpoint()).toEqual(f.checkpoints[4]);
      expect(await store.get('requests', 'r5')).toBeUndefined();
      expect((await store.get('requests', 'r4'))?.version).toBe(4);
      expect((await store.verify()).entries).toBe(4);
      expect((await stat(join(work, LOG_FILE))).size).toBe(start);
      // The recovered log takes new writes, and the next open is clean.
      expect((await store.commit([{ op: 'put', container: 'requests', key: 'again', value: {} }])).index).toBe(5);
      await store.close();
      open.splice(0);
      const clean: RecoveryEvent[] = [];
      const again = await reopen(work, clean);
      expect(clean).toEqual([]);
      expect((await again.verify()).entries).toBe(5);
      await again.close();
      open.splice(0);
    }
  });

  it.each([
    ['random bytes', Buffer.from('3ab1f0c29d7e55aa01ff', 'hex')],
    ['zero fill (a crash after the size grew)', Buffer.alloc(4096)],
    ['a lone frame magic', Buffer.from('MLE1')],
    [
      'a frame header claiming more than the file holds',
      Buffer.concat([Buffer.from('MLE1'), Buffer.from([0, 0, 1, 0])]),
    ],
    [
      'a frame header claiming more than any entry may be',
      Buffer.concat([Buffer.from('MLE1'), Buffer.from([0xff, 0xff, 0xff, 0xff])]),
    ],
    [
      'a complete frame with a bad hash',
      Buffer.concat([Buffer.from('MLE1'), Buffer.from([0, 0, 0, 2]), Buffer.from('{}'), Buffer.alloc(64, 7)]),
    ],
  ])('recovers when %s follow the last entry', async (_name, garbage) => {
    const f = await fixture(5);
    const dir = await copyOf(f.directory);
    await writeFile(join(dir, LOG_FILE), garbage, { flag: 'a' });
    const events: RecoveryEvent[] = [];
    const store = await reopen(dir, events);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ truncatedAt: f.offsets[5], droppedBytes: garbage.length, lastIndex: 5 });
    expect(await store.checkpoint()).toEqual(f.checkpoints[5]);
    expect((await store.verify()).entries).toBe(5);
  });

  it('treats a last entry whose stored hash is damaged as a torn tail', async () => {
    const f = await fixture(5);
    const dir = await copyOf(f.directory);
    await flipByte(join(dir, LOG_FILE), (f.offsets[5] as number) - 1);
    const events: RecoveryEvent[] = [];
    const store = await reopen(dir, events);
    expect(events[0]).toMatchObject({ truncatedAt: f.offsets[4], lastIndex: 4, reason: 'hash chain mismatch' });
    expect(await store.checkpoint()).toEqual(f.checkpoints[4]);
  });

  it.each([
    ['the payload of entry 2', (o: number[]) => (o[1] as number) + 20, 'hash chain mismatch'],
    ['the length of entry 2', (o: number[]) => (o[1] as number) + 4, 'frame length'],
    ['the magic of entry 3', (o: number[]) => (o[2] as number) + 1, 'bad frame magic'],
    ['the stored hash of entry 4 (second to last)', (o: number[]) => (o[4] as number) - 10, 'hash chain mismatch'],
  ])('refuses to open when %s is damaged and intact entries follow', async (_name, where, reason) => {
    const f = await fixture(5);
    const dir = await copyOf(f.directory);
    const offset = where(f.offsets);
    await flipByte(join(dir, LOG_FILE), offset);
    const before = await readFile(join(dir, LOG_FILE));
    const error = await FileStore.open(dir).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect(error?.message).toMatch(
      /is damaged at offset \d+ \(.+\) after entry \d+, but an intact entry follows at offset \d+; refusing to drop it/,
    );
    expect(error?.message).toContain(reason);
    // Nothing was truncated, and the lock was released so an operator can inspect or repair.
    expect(await readFile(join(dir, LOG_FILE))).toEqual(before);
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('holds a lock file with its pid while open, and takes over one left by a dead process', async () => {
    const dir = await tempDir();
    // A pid above the kernel's pid_max (4194304 at most) cannot be running.
    await writeFile(join(dir, LOCK_FILE), '4194305\n');
    const store = await reopen(dir);
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await expect(FileStore.open(dir)).rejects.toThrow(new RegExp(`already open for writing by process ${process.pid}`));
    await store.close();
    open.splice(0);
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a file that is not a store log', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, LOG_FILE), 'PGDMP not a mesh log at all');
    await expect(FileStore.open(dir)).rejects.toThrow(/does not start with the "mesh-store-log\/1" header/);
  });

  it('verify() notices damage made underneath an open store', async () => {
    const f = await fixture(5);
    const dir = await copyOf(f.directory);
    const store = await reopen(dir);
    expect((await store.verify()).entries).toBe(5);
    await flipByte(join(dir, LOG_FILE), (f.offsets[2] as number) + 30);
    const error = await store.verify().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect(error?.message).toMatch(/does not verify at offset \d+ after entry 2: hash chain mismatch/);
  });

  it('loses no acknowledged commit when the writer is killed with SIGKILL mid-stream', async () => {
    const script = await storeChildScript();
    const dir = await tempDir();
    const acknowledged = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [script, 'commit-loop', `file:${dir}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolveExit) =>
        child.on('exit', (_code, signal) => resolveExit(signal)),
      );
      let buffered = '';
      let acksThisRound = 0;
      const target = 40 + round * 37;
      await new Promise<void>((resolveAcks, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            const [word, index, key] = line.split(' ');
            if (word !== 'acked' || key === undefined) continue;
            // Each round restarts the key sequence; keys are overwritten with later indexes.
            acknowledged.set(key, Number(index));
            acksThisRound += 1;
            if (acksThisRound === target) {
              // Killed while further commits are in flight.
              child.kill('SIGKILL');
              resolveAcks();
            }
          }
        });
        void exited.then(() =>
          acksThisRound < target ? reject(new StoreCorruptionError(`child died early: ${stderr}`)) : undefined,
        );
      });
      // Wait until the process is reaped, so its pid no longer holds the lock.
      expect(await exited).toBe('SIGKILL');

      const store = await FileStore.open(dir);
      try {
        for (const [key, index] of acknowledged) {
          const record = await store.get('crash', key);
          // A later round may have rewritten the key; it is never older than what was acknowledged.
          expect(record?.version, key).toBeGreaterThanOrEqual(index);
        }
        const highest = Math.max(...acknowledged.values());
        expect((await store.checkpoint()).index).toBeGreaterThanOrEqual(highest);
        await store.verify();
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});
