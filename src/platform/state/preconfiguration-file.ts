/**
 * @module platform/state/preconfiguration-file
 * The factory DevicePreconfiguration file as the agent's PreconfigurationFile port: read as
 * bytes (absent = undefined), replaced atomically and durably (temp 0600 in the same
 * directory, fsync, rename, fsync of the directory), so the rewrite without the private
 * part never leaves a half-written file in place of a good one.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PreconfigurationError } from '../../agent/agent-errors.js';
import type { PreconfigurationFile } from '../../agent/ports.js';
import { writePrivateFileAtomic, type AtomicWriteHooks } from '../fs/atomic-write.js';

export class DiskPreconfigurationFile implements PreconfigurationFile {
  readonly path: string;
  readonly #hooks: AtomicWriteHooks;

  constructor(path: string, hooks: AtomicWriteHooks = {}) {
    this.path = resolve(path);
    this.#hooks = hooks;
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new PreconfigurationError(`preconfiguration ${this.path}: cannot read it (${code ?? 'error'})`, {
        cause: error,
        context: { path: this.path },
      });
    }
  }

  async replace(text: string): Promise<void> {
    await writePrivateFileAtomic(this.path, Buffer.from(text, 'utf8'), this.#hooks);
  }
}
