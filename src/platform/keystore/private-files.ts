/**
 * @module platform/keystore/private-files
 * The rules for directories and files that hold secrets or sealed blobs: a directory is
 * 0700 and a file 0600, both owned by the user the agent runs as, neither a symlink.
 * Anything wider is refused with the path and what was found, never silently chmod'ed:
 * a secret that was world-readable may already be copied, and a file owned by someone
 * else may have been planted, so a person has to look.
 * Files are opened with O_NOFOLLOW and checked on the open handle, so a symlink swapped
 * in between a check and the read cannot redirect it.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import { InsecureStorageError } from './keystore-errors.js';

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

function checkOwnerAndMode(path: string, info: Stats, kind: 'directory' | 'file', wanted: number): void {
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new InsecureStorageError(
      `${kind} ${path} is owned by uid ${info.uid}, expected the agent's own uid ${uid}; refusing to use it`,
      path,
      { context: { expectedUid: uid, foundUid: info.uid } },
    );
  }
  if ((info.mode & 0o077) !== 0) {
    throw new InsecureStorageError(
      `${kind} ${path} has mode ${octal(info.mode)}, expected ${octal(wanted)} (no access for group or others); refusing to use it`,
      path,
      { context: { expectedMode: octal(wanted), foundMode: octal(info.mode) } },
    );
  }
}

/**
 * Makes sure `path` is a private directory: created 0700 (with any missing parents) when
 * absent, refused when it exists with another owner, wider permissions, or as a symlink.
 */
export async function ensurePrivateDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
    // EEXIST with recursive means a non-directory is in the way; lstat below names it.
  }
  const info = await lstat(path);
  if (!info.isDirectory()) {
    throw new InsecureStorageError(
      `${path} expected a directory, found ${info.isSymbolicLink() ? 'a symbolic link' : 'another kind of file'}; refusing to use it`,
      path,
    );
  }
  checkOwnerAndMode(path, info, 'directory', 0o700);
}

/** The checks on an opened file's stats: a regular file, ours, 0600 or narrower. */
export function checkPrivateFile(path: string, info: Stats): void {
  if (!info.isFile()) {
    throw new InsecureStorageError(
      `${path} expected a regular file, found another kind of file; refusing to use it`,
      path,
    );
  }
  checkOwnerAndMode(path, info, 'file', 0o600);
}

/**
 * Reads a private file, or returns undefined when it does not exist. A symlink, another
 * owner or wider permissions raise InsecureStorageError.
 */
export async function readPrivateFile(path: string): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      throw new InsecureStorageError(
        `${path} is a symbolic link, expected a regular file; refusing to follow it`,
        path,
        { cause },
      );
    }
    throw cause;
  }
  try {
    checkPrivateFile(path, await handle.stat());
    const data = await handle.readFile();
    // An exact copy, not a view that could expose a larger shared Buffer; the read buffer is wiped.
    const bytes = new Uint8Array(data);
    data.fill(0);
    return bytes;
  } finally {
    await handle.close();
  }
}
