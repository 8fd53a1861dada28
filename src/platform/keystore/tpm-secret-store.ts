/**
 * @module platform/keystore/tpm-secret-store
 * The best tier: a random 256-bit wrapping key sealed by the TPM, and every secret kept as
 * an AES-256-GCM blob under it in `<stateDir>/tpm/secrets/` (docs/decisions/0002-seed-based-secret-store.md). No TPM
 * holds Ed448/X448 keys (docs/decisions/0002-seed-based-secret-store.md), so the TPM's job is to make the state
 * directory useless off this device: a copied SD card holds only blobs that need this
 * TPM's owner seed to unseal.
 *
 * The sealed object is created under the owner hierarchy's ECC P-256 primary, which the
 * TPM re-derives identically from its seed at every open, so nothing persistent is written
 * into the TPM and a reset or reboot loses nothing. Attributes `fixedtpm|fixedparent`
 * keep the sealed key from being duplicated off the TPM, `noda` keeps a misbehaving caller
 * from tripping dictionary-attack lockout.
 *
 * Without a resource manager (swtpm, /dev/tpm0) a tool leaves its transient objects
 * loaded and the TPM runs out of slots after three (docs/decisions/0002-seed-based-secret-store.md), so every step is
 * followed by `tpm2_flushcontext -t`; with /dev/tpmrm0 that flush is a harmless no-op.
 * The TPM is used only at open: put/get/delete work on files with the key in memory.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretStore, SecretStoreTier } from '../../agent/secret-store.js';
import {
  removeFileDurably,
  sweepTempFiles,
  writePrivateFileAtomic,
  type AtomicWriteHooks,
} from '../fs/atomic-write.js';
import { KeystoreClosedError } from '../../agent/secret-store-errors.js';
import { checkSecretName, checkSecretValue } from '../../agent/secret-store-checks.js';
import { KeystoreIntegrityError, TpmUnavailableError } from './keystore-errors.js';
import { ensurePrivateDirectory, readPrivateFile } from './private-files.js';
import { openSecretBlob, sealSecretBlob } from './secret-blob.js';
import { fileNameForSecret, secretNameFromFile } from './secret-name.js';
import { resolveTcti, runTpmTool, type TpmLocation } from './tpm-tools.js';

const SUFFIX = '.blob';
const WRAPPING_KEY_FILE = 'wrapping-key.json';
const WRAPPING_KEY_BYTES = 32;
/** Object attributes of the sealed wrapping key (see the module comment for why each). */
export const SEALED_KEY_ATTRIBUTES = 'fixedtpm|fixedparent|userwithauth|noda';
const PRIMARY_ARGS = ['-C', 'o', '-g', 'sha256', '-G', 'ecc256'];

export interface TpmSecretStoreOptions extends TpmLocation {
  /** The agent's state directory; the store lives in `<stateDir>/tpm/`. */
  readonly stateDir: string;
  /** Per-tool timeout (default 20 s: a real TPM creating a primary can take seconds). */
  readonly toolTimeoutMs?: number;
  /** Test hook into each write's crash window (atomic-write). */
  readonly writeHooks?: AtomicWriteHooks;
}

/** The sealed wrapping key as kept on disk: TPM2B_PUBLIC and TPM2B_PRIVATE as tpm2_create wrote them. */
interface SealedKeyRecord {
  readonly version: 1;
  readonly public: string;
  readonly private: string;
  readonly primary: string;
  readonly attributes: string;
}

function parseSealedKeyRecord(bytes: Uint8Array, path: string): SealedKeyRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new KeystoreIntegrityError(`${path} is not valid JSON; the sealed wrapping key record is damaged`, {
      context: { path },
      cause,
    });
  }
  const record = parsed as Partial<SealedKeyRecord> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    record.version !== 1 ||
    typeof record.public !== 'string' ||
    typeof record.private !== 'string'
  ) {
    throw new KeystoreIntegrityError(
      `${path} expected {"version":1,"public":<base64>,"private":<base64>}; the sealed wrapping key record is damaged`,
      {
        context: { path },
      },
    );
  }
  return record as SealedKeyRecord;
}

/** One TPM session: a private work directory for context files, flushed after every step. */
class TpmSteps {
  constructor(
    private readonly tcti: string,
    private readonly work: string,
    private readonly timeoutMs: number | undefined,
  ) {}

  async #step(tool: string, args: string[], input?: Uint8Array): Promise<Buffer> {
    const run = {
      tcti: this.tcti,
      cwd: this.work,
      ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }),
    };
    let output: Buffer;
    try {
      output = await runTpmTool(tool, args, input === undefined ? run : { ...run, input });
    } catch (error) {
      // The step's own error is the one to report; the flush only tidies up after it.
      await runTpmTool('tpm2_flushcontext', ['-t'], run).catch(() => undefined);
      throw error;
    }
    try {
      await runTpmTool('tpm2_flushcontext', ['-t'], run);
    } catch (error) {
      output.fill(0);
      throw error;
    }
    return output;
  }

  async createPrimary(): Promise<void> {
    await this.#step('tpm2_createprimary', [...PRIMARY_ARGS, '-c', 'primary.ctx']);
  }

  /** Seals `key` (via stdin) and returns the public and private blobs. */
  async seal(key: Uint8Array): Promise<{ public: Buffer; private: Buffer }> {
    await this.#step(
      'tpm2_create',
      [
        '-C',
        'primary.ctx',
        '-g',
        'sha256',
        '-a',
        SEALED_KEY_ATTRIBUTES,
        '-i',
        '-',
        '-u',
        'sealed.pub',
        '-r',
        'sealed.priv',
      ],
      key,
    );
    // tpm2-tools writes these 0660; they sit in the 0700 work directory and are not secret
    // (TPM-encrypted), so they are read plainly rather than through readPrivateFile.
    return {
      public: await readFile(join(this.work, 'sealed.pub')),
      private: await readFile(join(this.work, 'sealed.priv')),
    };
  }

  /** Loads the sealed object and unseals it to stdout. */
  async unseal(record: SealedKeyRecord): Promise<Buffer> {
    await writeFile(join(this.work, 'sealed.pub'), Buffer.from(record.public, 'base64'), { mode: 0o600 });
    await writeFile(join(this.work, 'sealed.priv'), Buffer.from(record.private, 'base64'), { mode: 0o600 });
    await this.#step('tpm2_load', ['-C', 'primary.ctx', '-u', 'sealed.pub', '-r', 'sealed.priv', '-c', 'sealed.ctx']);
    return this.#step('tpm2_unseal', ['-c', 'sealed.ctx']);
  }
}

export class TpmSecretStore implements SecretStore {
  readonly tier: SecretStoreTier = 'tpm';
  readonly tcti: string;
  /** `<stateDir>/tpm`, absolute. */
  readonly directory: string;
  readonly #secrets: string;
  readonly #hooks: AtomicWriteHooks;
  #key: Uint8Array | undefined;

  private constructor(tcti: string, directory: string, key: Uint8Array, hooks: AtomicWriteHooks) {
    this.tcti = tcti;
    this.directory = directory;
    this.#secrets = join(directory, 'secrets');
    this.#key = key;
    this.#hooks = hooks;
  }

  /**
   * Unseals the wrapping key, creating and sealing one at first use. Throws
   * TpmUnavailableError when no TCTI is known, TpmCommandError when a tool fails (a
   * different TPM, a cleared owner hierarchy, a damaged sealed blob).
   */
  static async open(options: TpmSecretStoreOptions): Promise<TpmSecretStore> {
    const resolved = resolveTcti(options);
    if (resolved.tcti === undefined) throw new TpmUnavailableError(resolved.reason);
    const tcti = resolved.tcti;
    const directory = join(resolve(options.stateDir), 'tpm');
    const secrets = join(directory, 'secrets');
    await ensurePrivateDirectory(directory);
    await ensurePrivateDirectory(secrets);
    await sweepTempFiles(directory);
    await sweepTempFiles(secrets);

    const keyPath = join(directory, WRAPPING_KEY_FILE);
    // Hidden and carrying the temp marker, so a crash leaves it to the next sweep.
    const work = await mkdtemp(join(directory, '.work.tmp-'));
    try {
      const steps = new TpmSteps(tcti, work, options.toolTimeoutMs);
      const stored = await readPrivateFile(keyPath);
      await steps.createPrimary();
      let key: Uint8Array;
      if (stored !== undefined) {
        key = await TpmSecretStore.#unsealKey(steps, parseSealedKeyRecord(stored, keyPath), keyPath);
      } else {
        const existing = (await readdir(secrets)).filter((file) => secretNameFromFile(file, SUFFIX) !== undefined);
        if (existing.length > 0) {
          // A fresh key would leave these blobs unreadable forever; a person must look first.
          throw new KeystoreIntegrityError(
            `${keyPath} is missing but ${existing.length} sealed secret(s) remain in ${secrets}; refusing to create a new wrapping key that could not open them`,
            { context: { path: keyPath, sealedSecrets: existing.length } },
          );
        }
        key = await TpmSecretStore.#createKey(steps, keyPath, options.writeHooks ?? {});
      }
      return new TpmSecretStore(tcti, directory, key, options.writeHooks ?? {});
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  static async #unsealKey(steps: TpmSteps, record: SealedKeyRecord, keyPath: string): Promise<Uint8Array> {
    const unsealed = await steps.unseal(record);
    if (unsealed.length !== WRAPPING_KEY_BYTES) {
      const length = unsealed.length;
      unsealed.fill(0);
      throw new KeystoreIntegrityError(
        `the key sealed in ${keyPath} unsealed to ${length} bytes, expected ${WRAPPING_KEY_BYTES}`,
        {
          context: { path: keyPath, length },
        },
      );
    }
    const key = new Uint8Array(unsealed);
    unsealed.fill(0);
    return key;
  }

  static async #createKey(steps: TpmSteps, keyPath: string, hooks: AtomicWriteHooks): Promise<Uint8Array> {
    const key = new Uint8Array(randomBytes(WRAPPING_KEY_BYTES));
    const sealed = await steps.seal(key);
    const record: SealedKeyRecord = {
      version: 1,
      public: sealed.public.toString('base64'),
      private: sealed.private.toString('base64'),
      primary: `tpm2_createprimary ${PRIMARY_ARGS.join(' ')}`,
      attributes: SEALED_KEY_ATTRIBUTES,
    };
    // Unseal once before anything depends on it: a key the TPM cannot give back must
    // never protect a secret.
    const check = await TpmSecretStore.#unsealKey(steps, record, keyPath);
    const same = timingSafeEqual(check, key);
    check.fill(0);
    if (!same) {
      key.fill(0);
      throw new KeystoreIntegrityError(
        `the TPM unsealed a different wrapping key than it sealed; nothing was written to ${keyPath}`,
        {
          context: { path: keyPath },
        },
      );
    }
    await writePrivateFileAtomic(keyPath, Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8'), hooks);
    return key;
  }

  describe(): string {
    return `tpm (${this.tcti}; sealed wrapping key, AES-256-GCM blobs in ${this.#secrets})`;
  }

  #openKey(): Uint8Array {
    if (this.#key === undefined) throw new KeystoreClosedError(`the TPM secret store at ${this.directory} is closed`);
    return this.#key;
  }

  #path(name: string): string {
    return join(this.#secrets, fileNameForSecret(name, SUFFIX));
  }

  async put(name: string, secret: Uint8Array): Promise<void> {
    const key = this.#openKey();
    checkSecretName(name);
    checkSecretValue(secret);
    await ensurePrivateDirectory(this.#secrets);
    await writePrivateFileAtomic(this.#path(name), sealSecretBlob(key, name, secret), this.#hooks);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const key = this.#openKey();
    checkSecretName(name);
    await ensurePrivateDirectory(this.#secrets);
    const path = this.#path(name);
    const blob = await readPrivateFile(path);
    return blob === undefined ? undefined : openSecretBlob(key, name, blob, path);
  }

  async delete(name: string): Promise<void> {
    this.#openKey();
    checkSecretName(name);
    await removeFileDurably(this.#path(name));
  }

  async list(): Promise<string[]> {
    this.#openKey();
    await ensurePrivateDirectory(this.#secrets);
    const names: string[] = [];
    for (const file of await readdir(this.#secrets)) {
      const name = secretNameFromFile(file, SUFFIX);
      if (name !== undefined) names.push(name);
    }
    return names.sort();
  }

  async close(): Promise<void> {
    this.#key?.fill(0);
    this.#key = undefined;
  }
}
