/**
 * @module platform/keystore/file-secret-store
 * The lowest real tier: one 0600 file per secret in `<stateDir>/secrets/` (0700), holding
 * the raw bytes. Protection is the file system's alone (anyone who can read the SD card
 * reads the seed), which is why the tier is reported and ranked last (docs/decisions/0002-seed-based-secret-store.md).
 * Every write replaces the file atomically (atomic-write), so a power cut leaves the old
 * secret or the new one; a directory or file with wider permissions, another owner or a
 * symlink is refused by path (private-files).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SecretStore, SecretStoreTier } from '../../agent/secret-store.js';
import {
  removeFileDurably,
  sweepTempFiles,
  writePrivateFileAtomic,
  type AtomicWriteHooks,
} from '../fs/atomic-write.js';
import { KeystoreClosedError } from '../../agent/secret-store-errors.js';
import { checkSecretName, checkSecretValue } from '../../agent/secret-store-checks.js';
import { ensurePrivateDirectory, readPrivateFile } from './private-files.js';
import { fileNameForSecret, secretNameFromFile } from './secret-name.js';

const SUFFIX = '.secret';

export interface FileSecretStoreOptions {
  /** The agent's state directory; secrets go to `<stateDir>/secrets/`. */
  readonly stateDir: string;
  /** Test hook into each write's crash window (atomic-write). */
  readonly writeHooks?: AtomicWriteHooks;
}

export class FileSecretStore implements SecretStore {
  readonly tier: SecretStoreTier = 'file';
  /** `<stateDir>/secrets`, absolute. */
  readonly directory: string;
  readonly #hooks: AtomicWriteHooks;
  #closed = false;

  private constructor(directory: string, hooks: AtomicWriteHooks) {
    this.directory = directory;
    this.#hooks = hooks;
  }

  /** Creates or checks `<stateDir>/secrets` and sweeps temp files a crashed writer left. */
  static async open(options: FileSecretStoreOptions): Promise<FileSecretStore> {
    const directory = join(resolve(options.stateDir), 'secrets');
    await ensurePrivateDirectory(directory);
    await sweepTempFiles(directory);
    return new FileSecretStore(directory, options.writeHooks ?? {});
  }

  describe(): string {
    return `file (${this.directory}, 0600 files)`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new KeystoreClosedError(`the file secret store at ${this.directory} is closed`);
  }

  #path(name: string): string {
    return join(this.directory, fileNameForSecret(name, SUFFIX));
  }

  async put(name: string, secret: Uint8Array): Promise<void> {
    this.#checkOpen();
    checkSecretName(name);
    checkSecretValue(secret);
    // Re-checked on every write: a directory opened up after start must not receive a new secret.
    await ensurePrivateDirectory(this.directory);
    await writePrivateFileAtomic(this.#path(name), secret, this.#hooks);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    checkSecretName(name);
    await ensurePrivateDirectory(this.directory);
    return readPrivateFile(this.#path(name));
  }

  async delete(name: string): Promise<void> {
    this.#checkOpen();
    checkSecretName(name);
    await removeFileDurably(this.#path(name));
  }

  async list(): Promise<string[]> {
    this.#checkOpen();
    await ensurePrivateDirectory(this.directory);
    const names: string[] = [];
    for (const file of await readdir(this.directory)) {
      const name = secretNameFromFile(file, SUFFIX);
      if (name !== undefined) names.push(name);
    }
    return names.sort();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
