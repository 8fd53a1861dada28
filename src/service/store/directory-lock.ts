/**
 * @module service/store/directory-lock
 * Keeps a second writer out of a file store's data directory: two processes appending to one
 * log would interleave frames and break the hash chain. The lock is a file holding the
 * owner's pid, created atomically with link(2) so it is never seen half-written. Node has no
 * flock, so a lock left by a killed process is recognised by its pid no longer running and
 * taken over; a pid reused by an unrelated process makes the directory look busy, which is
 * the safe way to be wrong.
 */
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreBackendError, StoreLockedError } from './store-errors.js';

export const LOCK_FILE = 'store.lock';

export interface DirectoryLock {
  readonly path: string;
  release(): Promise<void>;
}

export async function acquireDirectoryLock(directory: string): Promise<DirectoryLock> {
  const path = join(directory, LOCK_FILE);
  const temporary = join(directory, `${LOCK_FILE}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(temporary, `${process.pid}\n`, { mode: 0o600 });
  try {
    // Two attempts: the second follows the removal of a stale lock.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(temporary, path);
        return {
          path,
          release: async () => {
            await unlink(path).catch(() => undefined);
          },
        };
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StoreBackendError(`could not create the lock file ${path}`, { context: { path }, cause });
        }
      }
      const owner = await readOwner(path);
      if (owner !== undefined && isRunning(owner)) {
        throw new StoreLockedError(
          `the store in ${directory} is already open for writing by process ${owner} (lock file ${path})`,
          { context: { path, owner } },
        );
      }
      await unlink(path).catch(() => undefined);
    }
    throw new StoreLockedError(`the store in ${directory} is being locked by another process (lock file ${path})`, {
      context: { path },
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    // EPERM: the process exists but belongs to someone else, so it is running.
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}
