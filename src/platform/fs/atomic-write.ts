/**
 * @module platform/fs/atomic-write
 * Crash-safe replacement of one small private file (docs/decisions/0011-crash-safe-persistence.md): the bytes go to
 * a hidden temp file in the same directory, created 0600 with O_EXCL, fsync'd, renamed
 * over the target, and the directory fsync'd so the rename itself is durable. A power cut
 * at any point leaves the old file or the new one, never a mix; readers open only final
 * names, so a leftover temp file is never read, and it is swept at the next open.
 * One implementation serves every private file: keystores, the agent's state, the owner's
 * home and factory preconfigurations.
 *
 * Links are never followed: the temp file is created with O_CREAT|O_EXCL|O_NOFOLLOW (a name
 * planted in advance fails the open instead of redirecting the write), and a target that is
 * a symbolic link is refused (SymbolicLinkRefusedError) rather than replaced, because a link
 * where the agent's file belongs means someone tampered with the directory; rename(2) itself
 * replaces the name in this directory and never writes through a link at the target.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { lstatNoLink } from './no-follow.js';

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Temp files are `.<name>.tmp-<pid>-<random>`: hidden, and never a name a reader opens. */
const TEMP_MARKER = '.tmp-';

export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

async function fsyncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory; the rename is then as durable as
    // that file system makes it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    await handle?.close();
  }
}

export interface AtomicWriteHooks {
  /** Runs after the temp file is durable, before the rename: the window a crash test aims at. */
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Replaces `path` with `data`, mode 0600, atomically and durably.
 * @throws SymbolicLinkRefusedError when `path` is a symbolic link (nothing is written)
 */
export async function writePrivateFileAtomic(
  path: string,
  data: Uint8Array,
  hooks: AtomicWriteHooks = {},
): Promise<void> {
  await lstatNoLink(path);
  const temp = join(dirname(path), `.${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
  let renamed = false;
  try {
    const handle = await open(temp, CREATE_NEW, 0o600);
    try {
      // The umask may have removed bits, never added any; chmod makes the mode exact.
      await handle.chmod(0o600);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await hooks.beforeRename?.(temp);
    // Checked again at the last moment: a link put in place meanwhile is refused, not replaced.
    await lstatNoLink(path);
    await rename(temp, path);
    renamed = true;
    await fsyncDirectory(dirname(path));
  } finally {
    if (!renamed) await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Removes `path` (absent is fine) and makes the removal durable. */
export async function removeFileDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await fsyncDirectory(dirname(path));
}

/**
 * Removes temp files that a writer which died left in `directory`, once older than
 * `minAgeMs`: a live writer's temp file is milliseconds old, so a second store instance
 * opened on the same directory never deletes a write still in flight.
 */
export async function sweepTempFiles(directory: string, minAgeMs = 60_000, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(directory)) {
    if (!isTempFileName(name)) continue;
    const path = join(directory, name);
    try {
      const info = await lstat(path);
      if (now - info.mtimeMs < minAgeMs) continue;
      await rm(path, { force: true, recursive: true });
      removed.push(name);
    } catch {
      // Gone already; nothing to sweep.
    }
  }
  return removed;
}
