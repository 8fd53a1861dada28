/**
 * @module platform/fs/no-follow
 * The state directory holds only what the agent wrote there, so it never contains a link:
 * a symbolic link in it (`state.json` pointing at another file, `confirmations/` pointing at
 * another directory) would make the agent read, overwrite or delete something outside it.
 * Files are opened with O_NOFOLLOW (the kernel refuses a link at the last component, with
 * no window between a check and the open), directories are checked with lstat before they
 * are listed or emptied, and a link is refused with SymbolicLinkRefusedError naming it;
 * nothing is ever read, written or deleted through one.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { MeshError, type MeshErrorOptions } from '../../crypto/errors.js';

/** A path inside the state directory is a symbolic link; the agent refuses to follow it. */
export class SymbolicLinkRefusedError extends MeshError {
  readonly code = 'ERR_SYMBOLIC_LINK_REFUSED';
  readonly path: string;
  constructor(path: string, options: MeshErrorOptions = {}) {
    super(`${path} is a symbolic link; the state directory must not contain links (remove it and restart the agent)`, {
      ...options,
      context: { path, ...options.context },
    });
    this.path = path;
  }
}

/** The ENOENT of a missing file, told apart from every other failure. */
function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Reads the regular file at `path` without following a link; undefined when it does not exist.
 * @throws SymbolicLinkRefusedError when `path` is a link; the fs error otherwise
 */
export async function readFileNoFollow(path: string): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (missing(error)) return undefined;
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new SymbolicLinkRefusedError(path, { cause: error });
    throw error;
  }
  try {
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** lstat that turns a link into SymbolicLinkRefusedError; undefined when nothing is there. */
export async function lstatNoLink(path: string): Promise<Stats | undefined> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
  if (info.isSymbolicLink()) throw new SymbolicLinkRefusedError(path);
  return info;
}

/**
 * The names in directory `path` (undefined when it does not exist), refusing a `path` that
 * is a link. The caller removes entries by their full name, and unlink never follows the last
 * component, so an entry that is itself a link is removed as a link, never its target.
 */
export async function readDirectoryNoFollow(path: string): Promise<string[] | undefined> {
  const info = await lstatNoLink(path);
  if (info === undefined) return undefined;
  return readdir(path);
}
