/**
 * @module test/contract/file-secret-store
 * The 0600-file tier on the real file system: the contract, then what only files can get
 * wrong: modes and owners (0700 directory, 0600 files, anything wider, foreign or
 * symlinked refused by path), and crash safety (a write interrupted before its rename
 * leaves the old secret; a leftover temp file is never read, never listed, and swept
 * once stale).
 */
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../src/platform/keystore/file-secret-store.js';
import { InsecureStorageError } from '../../src/platform/keystore/keystore-errors.js';
import { caught, distinctiveSecret, expectNoSecretIn, secretStoreContract } from './secret-store-contract.js';

secretStoreContract('file', () => ({
  tier: 'file',
  async fresh() {
    const stateDir = await mkdtemp(join(tmpdir(), 'mesh-file-store-'));
    return {
      open: () => FileSecretStore.open({ stateDir }),
      cleanup: () => rm(stateDir, { recursive: true, force: true }),
    };
  },
}));

describe('FileSecretStore on the file system', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mesh-file-store-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });
  const secretsDir = (): string => join(stateDir, 'secrets');
  const mode = async (path: string): Promise<number> => (await lstat(path)).mode & 0o777;

  it('creates <stateDir>/secrets 0700 and each secret file 0600, one file per secret', async () => {
    const store = await FileSecretStore.open({ stateDir: join(stateDir, 'nested', 'state') });
    await store.put('activation/alice@example.com', distinctiveSecret());
    await store.put('device-seed', distinctiveSecret());
    expect(await mode(store.directory)).toBe(0o700);
    expect((await readdir(store.directory)).sort()).toEqual([
      'activation~alice@example.com.secret',
      'device-seed.secret',
    ]);
    for (const file of await readdir(store.directory))
      expect(await mode(join(store.directory, file)), file).toBe(0o600);
    expect(store.describe()).toBe(`file (${store.directory}, 0600 files)`);
  });

  it('refuses a secrets directory readable by others, naming the path and mode', async () => {
    await mkdir(secretsDir(), { mode: 0o755 });
    await chmod(secretsDir(), 0o755);
    const error = await caught(() => FileSecretStore.open({ stateDir }));
    expect(error).toBeInstanceOf(InsecureStorageError);
    expect((error as InsecureStorageError).path).toBe(secretsDir());
    expect((error as Error).message).toContain(secretsDir());
    expect((error as Error).message).toContain('0755');
  });

  it('refuses a secret file with wider permissions on get, without reading it out', async () => {
    const store = await FileSecretStore.open({ stateDir });
    const secret = distinctiveSecret();
    await store.put('device-seed', secret);
    const file = join(secretsDir(), 'device-seed.secret');
    await chmod(file, 0o644);
    const error = await caught(() => store.get('device-seed'));
    expect(error).toBeInstanceOf(InsecureStorageError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('0644');
    expectNoSecretIn(error, secret);
  });

  it('refuses a directory opened up after start, before writing a new secret into it', async () => {
    const store = await FileSecretStore.open({ stateDir });
    await chmod(secretsDir(), 0o750);
    const secret = distinctiveSecret();
    const error = await caught(() => store.put('device-seed', secret));
    expect(error).toBeInstanceOf(InsecureStorageError);
    expectNoSecretIn(error, secret);
    expect(await readdir(secretsDir())).toEqual([]);
  });

  it('refuses a symlinked secrets directory and a symlinked secret file', async () => {
    const elsewhere = join(stateDir, 'elsewhere');
    await mkdir(elsewhere, { mode: 0o700 });
    await symlink(elsewhere, secretsDir());
    expect(await caught(() => FileSecretStore.open({ stateDir }))).toBeInstanceOf(InsecureStorageError);
    await rm(secretsDir());

    const store = await FileSecretStore.open({ stateDir });
    await writeFile(join(elsewhere, 'target'), 'planted', { mode: 0o600 });
    await symlink(join(elsewhere, 'target'), join(secretsDir(), 'device-seed.secret'));
    const error = await caught(() => store.get('device-seed'));
    expect(error).toBeInstanceOf(InsecureStorageError);
    expect((error as Error).message).toMatch(/symbolic link/);
  });

  // Changing a file's owner needs root; CI runs as root (the .ci/run contract), so this
  // runs there; as a normal user the owner check is still exercised by the code path above.
  it.runIf(process.getuid?.() === 0)('refuses a secret file or directory owned by another user', async () => {
    const store = await FileSecretStore.open({ stateDir });
    await store.put('device-seed', distinctiveSecret());
    const file = join(secretsDir(), 'device-seed.secret');
    await chown(file, 65534, 65534);
    const fileError = await caught(() => store.get('device-seed'));
    expect(fileError).toBeInstanceOf(InsecureStorageError);
    expect((fileError as Error).message).toContain('owned by uid 65534');
    expect((fileError as Error).message).toContain(file);

    await chown(secretsDir(), 65534, 65534);
    const dirError = await caught(() => FileSecretStore.open({ stateDir }));
    expect(dirError).toBeInstanceOf(InsecureStorageError);
    expect((dirError as InsecureStorageError).path).toBe(secretsDir());
  });

  it('a write interrupted before its rename leaves the previous secret intact and no temp file', async () => {
    const good = distinctiveSecret();
    const first = await FileSecretStore.open({ stateDir });
    await first.put('device-seed', good);

    const crashing = await FileSecretStore.open({
      stateDir,
      writeHooks: {
        beforeRename: () => {
          throw new InsecureStorageError('simulated power cut before rename', stateDir);
        },
      },
    });
    await expect(crashing.put('device-seed', distinctiveSecret())).rejects.toThrow(/simulated power cut/);
    expect(await first.get('device-seed')).toEqual(good);
    expect(await readdir(secretsDir())).toEqual(['device-seed.secret']);
  });

  it('a leftover temp file from a crashed writer is never read or listed, and is swept once stale', async () => {
    const good = distinctiveSecret();
    const store = await FileSecretStore.open({ stateDir });
    await store.put('device-seed', good);
    // What a writer killed between fsync and rename leaves: a complete, newer, hidden file.
    const leftover = join(secretsDir(), `.device-seed.secret.tmp-999999-abcdef`);
    await writeFile(leftover, distinctiveSecret(), { mode: 0o600 });
    expect(await store.get('device-seed')).toEqual(good);
    expect(await store.list()).toEqual(['device-seed']);

    // A fresh one is left alone (it could be another instance's write in flight)...
    await FileSecretStore.open({ stateDir });
    expect(await readdir(secretsDir())).toContain('.device-seed.secret.tmp-999999-abcdef');
    // ...a stale one is swept at open.
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(leftover, old, old);
    const reopened = await FileSecretStore.open({ stateDir });
    expect(await readdir(secretsDir())).toEqual(['device-seed.secret']);
    expect(await reopened.get('device-seed')).toEqual(good);
  });

  it('ignores files that are not secrets of this store', async () => {
    const store = await FileSecretStore.open({ stateDir });
    await writeFile(join(secretsDir(), 'README'), 'not a secret', { mode: 0o600 });
    await writeFile(join(secretsDir(), 'bad name.secret'), 'x', { mode: 0o600 });
    await store.put('device-seed', distinctiveSecret());
    expect(await store.list()).toEqual(['device-seed']);
  });
});
