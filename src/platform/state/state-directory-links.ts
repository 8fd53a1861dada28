/**
 * @module platform/state/state-directory-links
 * The state directory is the agent's alone (0700, its own uid) and holds only what the agent
 * wrote: never a symbolic link. At start the agent looks at every entry (and the entries of
 * its subdirectories, `secrets/` and `confirmations/`) with lstat and refuses to start on the
 * first link, naming it, before it reads, writes or deletes anything there: a linked
 * `state.json` would be read from, and written over, a file elsewhere; a linked
 * `confirmations/` would have the files of another directory taken as codes and deleted.
 * Links planted while the agent runs are refused where each file is used (no-follow).
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SymbolicLinkRefusedError } from '../fs/no-follow.js';

/** How deep the start-up check looks: the directory and its subdirectories. */
const DEPTH = 2;

/**
 * Refuses a state directory that contains a symbolic link.
 * @throws SymbolicLinkRefusedError naming the first link found
 */
export async function refuseStateDirectoryLinks(directory: string, depth = DEPTH): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names.sort()) {
    const path = join(directory, name);
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (info.isSymbolicLink()) throw new SymbolicLinkRefusedError(path);
    if (info.isDirectory() && depth > 1) await refuseStateDirectoryLinks(path, depth - 1);
  }
}
