/**
 * @module platform/state/confirmation-directory
 * How `mesh-agent approve-claim <code>` reaches the running agent: the command writes an
 * empty file named by the normalised code into `<stateDirectory>/confirmations/` (atomic,
 * 0600), and the agent's ConfirmationInbox takes and removes them. Only someone who can
 * write the state directory (root, or the agent's own user) on the device can do this,
 * which is what makes it a physical confirmation until the serial console arrives.
 * A `confirmations` that is a symbolic link is refused (SymbolicLinkRefusedError), never
 * listed or emptied: the agent deletes what it takes, and must not delete another directory's
 * files. Entries are removed by unlink, which removes a link itself, never its target.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConfirmationInbox } from '../../agent/ports.js';
import { isTempFileName, writePrivateFileAtomic } from '../fs/atomic-write.js';
import { readDirectoryNoFollow } from '../fs/no-follow.js';
import { ensurePrivateDirectory } from '../keystore/private-files.js';

export const CONFIRMATIONS_DIRECTORY = 'confirmations';
const CODE = /^[A-Z2-7]{8}$/;

export class ConfirmationDirectory implements ConfirmationInbox {
  readonly directory: string;

  constructor(stateDirectory: string) {
    this.directory = join(resolve(stateDirectory), CONFIRMATIONS_DIRECTORY);
  }

  async take(): Promise<string[]> {
    const names = await readDirectoryNoFollow(this.directory);
    if (names === undefined) return [];
    const codes: string[] = [];
    for (const name of names.sort()) {
      if (isTempFileName(name)) continue;
      await rm(join(this.directory, name), { force: true });
      if (CODE.test(name)) codes.push(name);
    }
    return codes;
  }

  /** Drops a normalised code for the agent (the approve-claim side). */
  async put(code: string): Promise<void> {
    await ensurePrivateDirectory(this.directory);
    await writePrivateFileAtomic(join(this.directory, code), new Uint8Array(0));
  }
}
