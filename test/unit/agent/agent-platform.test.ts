/**
 * @module test/unit/agent/agent-platform.test
 * The agent's platform adapters: the state store (atomic replacement — a crash before the
 * rename leaves the previous state whole; a corrupt or foreign file is refused by name),
 * the preconfiguration file, the confirmation directory, the lock, and the line logger
 * (text and JSON lines, key-material field names dropped).
 */
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentLockedError, StateCorruptError } from '../../../src/agent/agent-errors.js';
import { STATE_FORMAT, activationSecretName, type AgentState } from '../../../src/agent/agent-state.js';
import { LineLogger, LogAnnouncer } from '../../../src/platform/log/line-logger.js';
import { AgentLock, LOCK_FILE, lockHolder } from '../../../src/platform/state/agent-lock.js';
import { ConfirmationDirectory } from '../../../src/platform/state/confirmation-directory.js';
import { FileStateStore, readAgentState } from '../../../src/platform/state/file-state-store.js';
import { DiskPreconfigurationFile } from '../../../src/platform/state/preconfiguration-file.js';
import { SECRET_NAME_PATTERN } from '../../../src/agent/secret-store.js';

const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mesh-agent-platform-'));
  directories.push(d);
  return d;
}

const state = (udf: string): AgentState => ({
  Format: STATE_FORMAT,
  device: { udf, mode: 'self', created: '2026-11-21T10:00:00Z' },
  owners: {
    'alice@example.com': {
      account: 'alice@example.com',
      service: 'https://example.com/',
      origin: 'config',
      state: 'new',
      since: '2026-11-21T10:00:00Z',
    },
  },
  claims: { seen: [], held: [] },
  updated: '2026-11-21T10:00:00Z',
});

describe('FileStateStore', () => {
  it('saves 0600 and loads what it saved; absent is undefined', async () => {
    const dir = await temp();
    const store = await FileStateStore.open({ stateDirectory: join(dir, 'state') });
    expect(await store.load()).toBeUndefined();
    await store.save(state('MAAA'));
    expect(await store.load()).toEqual(state('MAAA'));
    expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
  });

  it('a crash between the durable temp file and the rename leaves the previous state whole', async () => {
    const dir = await temp();
    const good = await FileStateStore.open({ stateDirectory: dir });
    await good.save(state('MAAA'));
    const crashing = await FileStateStore.open({
      stateDirectory: dir,
      writeHooks: {
        beforeRename: () => {
          throw new Error('power cut');
        },
      },
    });
    await expect(crashing.save(state('MBBB'))).rejects.toThrow('power cut');
    expect((await good.load())?.device.udf).toBe('MAAA');
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a state file that is not JSON or not ours, naming it and the field', async () => {
    const dir = await temp();
    const store = await FileStateStore.open({ stateDirectory: dir });
    await writeFile(store.location, '{"Format": "mesh-agent-state/1", "device"');
    await expect(store.load()).rejects.toThrow(StateCorruptError);
    await expect(store.load()).rejects.toThrow(`${store.location} is not JSON`);
    await writeFile(store.location, JSON.stringify({ ...state('MAAA'), Format: 'other/9' }));
    await expect(readAgentState(dir)).rejects.toThrow(/"Format" expected "mesh-agent-state\/1"/);
    await writeFile(
      store.location,
      JSON.stringify({ ...state('MAAA'), owners: { x: { account: 'x@y.z', service: 's', state: 'dancing' } } }),
    );
    await expect(store.load()).rejects.toThrow(/"owners.x.state" expected one of new, pending/);
    await writeFile(
      store.location,
      JSON.stringify({ ...state('MAAA'), owners: { x: { account: 'x@y.z', service: 's', state: 'pending' } } }),
    );
    await expect(store.load()).rejects.toThrow(/"owners.x.responseId"/);
  });
});

describe('DiskPreconfigurationFile and ConfirmationDirectory', () => {
  it('reads bytes (absent: undefined) and replaces atomically', async () => {
    const dir = await temp();
    const file = new DiskPreconfigurationFile(join(dir, 'device.medk'));
    expect(await file.read()).toBeUndefined();
    await writeFile(file.path, 'private');
    await file.replace('public');
    expect(await readFile(file.path, 'utf8')).toBe('public');
    const crashing = new DiskPreconfigurationFile(file.path, {
      beforeRename: () => {
        throw new Error('power cut');
      },
    });
    await expect(crashing.replace('half')).rejects.toThrow('power cut');
    expect(await readFile(file.path, 'utf8')).toBe('public');
  });

  it('hands each code over once; junk names are dropped', async () => {
    const dir = await temp();
    const inbox = new ConfirmationDirectory(dir);
    expect(await inbox.take()).toEqual([]);
    await inbox.put('ABCDEFGH');
    await writeFile(join(inbox.directory, 'not-a-code'), '');
    expect(await inbox.take()).toEqual(['ABCDEFGH']);
    expect(await inbox.take()).toEqual([]);
  });
});

describe('AgentLock', () => {
  it('one holder at a time; a lock left by a dead process is taken over', async () => {
    const dir = await temp();
    const lock = await AgentLock.acquire(dir);
    expect(await lockHolder(dir)).toBe(process.pid);
    await lock.release();
    expect(await lockHolder(dir)).toBeUndefined();
    const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    // pid 1 is alive (another holder); a pid beyond pid_max is not.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, boot }));
    await expect(AgentLock.acquire(dir)).rejects.toThrow(AgentLockedError);
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 1, boot }));
    const taken = await AgentLock.acquire(dir);
    await taken.release();
    // A lock from another boot is stale whatever its pid.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, boot: 'another-boot' }));
    await (await AgentLock.acquire(dir)).release();
  });
});

describe('LineLogger', () => {
  it('text lines for journald, filtered by level, one line per event', () => {
    const lines: string[] = [];
    const log = new LineLogger({ level: 'info', format: 'text', write: (l) => lines.push(l) });
    log.log('debug', 'hidden');
    log.log('info', 'connected\nsecond line', { account: 'alice@example.com', note: 'two words' });
    expect(lines).toEqual(['info: connected second line account=alice@example.com note="two words"']);
  });

  it('JSON lines with time; fields named like key material are dropped', () => {
    const lines: string[] = [];
    const log = new LineLogger({
      level: 'debug',
      format: 'json',
      write: (l) => lines.push(l),
      now: () => new Date('2026-11-21T10:00:00Z'),
    });
    log.log('warn', 'x', { deviceSeed: 'ZAAA', pin: 'AAAA', secret: 's', privateKey: 'k', account: 'a@b.c' });
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: '2026-11-21T10:00:00.000Z',
      level: 'warn',
      msg: 'x',
      account: 'a@b.c',
    });
  });

  it('announcements are SHOW lines a person or a test can find', () => {
    const lines: string[] = [];
    const announcer = new LogAnnouncer(new LineLogger({ level: 'info', format: 'text', write: (l) => lines.push(l) }));
    announcer.announce({ kind: 'witness', account: 'alice@example.com', witness: 'ABCD-EFGH', deviceUdf: 'MAAA' });
    announcer.announce({
      kind: 'claim-held',
      claimant: 'carol@example.com',
      policy: 'physical-confirmation',
      code: 'WXYZ-2345',
    });
    expect(lines).toEqual([
      'info: SHOW witness ABCD-EFGH for alice@example.com event=witness account=alice@example.com device=MAAA',
      'warn: SHOW claim-held carol@example.com awaiting physical-confirmation code WXYZ-2345 event=claim-held claimant=carol@example.com code=WXYZ-2345',
    ]);
  });
});

describe('activationSecretName', () => {
  it('is a valid secret name for any account, and distinct per account', () => {
    const accounts = [
      'alice@example.com',
      'Alice@Example.com',
      "o'brien+iot@example.com",
      'a_b@example.com',
      'a_5fb@example.com',
      `${'x'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(60)}.example`,
    ];
    const names = accounts.map(activationSecretName);
    for (const n of names) expect(n).toMatch(SECRET_NAME_PATTERN);
    expect(names[0]).toBe('activation/alice@example.com');
    expect(names[1]).toBe(names[0]);
    expect(new Set(names.slice(1)).size).toBe(names.length - 1);
  });
});
