/**
 * @module cli/owner/atomic-file
 * Crash-safe replacement of a small file (design.md decision 7): the new content goes to a
 * temp file in the same directory, created 0600 with O_EXCL, fsync'd, renamed over the
 * target, and the directory fsync'd so the rename itself is durable. A crash at any point
 * leaves either the old file or the new one, never a mix; a leftover temp file is never
 * read (readers open only the final name) and is swept later.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files are `.<name>.tmp-<pid>-<random>`: hidden, and never a name a reader opens. */
export const TEMP_MARKER = '.tmp-';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600: owner files hold private material). */
  readonly mode?: number;
  /**
   * Called after the temp file is durable and before the rename: the window a crash test
   * aims at. Throwing here aborts the write as a crash would, minus the process dying.
   */
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

async function fsyncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR); the rename is then as
    // durable as that file system makes it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    await handle?.close();
  }
}

/** Replaces `path` with `data` atomically and durably. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const temp = tempPathFor(path);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      // The umask may have removed bits, never added any; chmod makes the mode exact.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, path);
    renamed = true;
    await fsyncDirectory(dirname(path));
  } finally {
    if (!renamed) await rm(temp, { force: true }).catch(() => undefined);
  }
}

/**
 * Removes temp files left in `directory` by a writer that died, if older than `minAgeMs`
 * (a live writer's temp file is seconds old at most). Returns the names removed.
 */
export async function sweepTempFiles(directory: string, minAgeMs = 60_000, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(directory)) {
    if (!isTempName(name)) continue;
    const path = join(directory, name);
    try {
      const info = await stat(path);
      if (now - info.mtimeMs >= minAgeMs) {
        await rm(path, { force: true });
        removed.push(name);
      }
    } catch {
      // Gone already (another sweeper); nothing to do.
    }
  }
  return removed;
}
