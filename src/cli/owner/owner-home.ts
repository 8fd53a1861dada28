/**
 * @module cli/owner/owner-home
 * The owner's local profile directory: `--home DIR`, else `$XDG_DATA_HOME/mesh`,
 * else `~/.local/share/mesh`. The directory is 0700 and every file 0600 (the account seed
 * lives here, docs/decisions/0002-seed-based-secret-store.md's file tier); every write is atomic (atomic-file.ts);
 * a directory or private file open to other users is refused, like ssh refuses such a key.
 *
 * Writers hold `lock` (O_EXCL, with the holder's pid), so two `mesh` processes on one home
 * never lose each other's catalog updates; a lock whose holder died is taken over.
 */
import { lstat, mkdir, open, readFile, rm, stat, chmod } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { sweepTempFiles, writePrivateFileAtomic, type AtomicWriteHooks } from '../../platform/fs/atomic-write.js';
import {
  HomeBusyError,
  HomeCorruptError,
  HomeExistsError,
  HomeInsecureError,
  HomeMissingError,
} from './home-errors.js';
import {
  DEVICES_FILE,
  DEVICES_FORMAT,
  PINS_FILE,
  PINS_FORMAT,
  PROFILE_FILE,
  SECRETS_FILE,
  readDevicesRecord,
  readPinsRecord,
  readProfileRecord,
  readSecretsRecord,
  type OwnerDevicesRecord,
  type OwnerPinsRecord,
  type OwnerProfileRecord,
  type OwnerSecretsRecord,
} from './home-records.js';

export const DIRECTORY_MODE = 0o700;
export const FILE_MODE = 0o600;
const LOCK_FILE = 'lock';
const LOCK_WAIT_MS = 10_000;

/** The directory `--home` names, or the XDG default from `env`; undefined if none can be made. */
export function defaultHome(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env['XDG_DATA_HOME'];
  // XDG Base Directory: a relative $XDG_DATA_HOME is invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'mesh');
  const home = env['HOME'];
  if (home !== undefined && home !== '' && isAbsolute(home)) return join(home, '.local', 'share', 'mesh');
  return undefined;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/** An opened owner directory. Reads are checked; writes are atomic and locked. */
export class OwnerHome {
  private constructor(readonly directory: string) {}

  private path(name: string): string {
    return join(this.directory, name);
  }

  /** Creates the directory (0700) for a new profile; refuses one that already holds a profile. */
  static async create(directory: string): Promise<OwnerHome> {
    const dir = resolve(directory);
    await mkdir(dir, { recursive: true, mode: DIRECTORY_MODE });
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new HomeCorruptError(`${dir} is not a directory`, { context: { directory: dir } });
    // mkdir's mode is masked by the umask and ignored for an existing directory.
    await chmod(dir, DIRECTORY_MODE);
    const home = new OwnerHome(dir);
    await home.checkOwnerOnly();
    return home;
  }

  /** Opens an existing profile directory. */
  static async open(directory: string): Promise<OwnerHome> {
    const dir = resolve(directory);
    let info;
    try {
      info = await stat(dir);
    } catch (error) {
      if (errno(error) === 'ENOENT') {
        throw new HomeMissingError(
          `no owner profile at ${dir}: run "mesh account create <account> --service <url>" or pass --home`,
          {
            context: { directory: dir },
          },
        );
      }
      throw new HomeCorruptError(`cannot open the owner directory ${dir} (${errno(error) ?? 'error'})`, {
        cause: error,
        context: { directory: dir },
      });
    }
    if (!info.isDirectory()) throw new HomeCorruptError(`${dir} is not a directory`, { context: { directory: dir } });
    const home = new OwnerHome(dir);
    if (!(await home.exists(PROFILE_FILE))) {
      throw new HomeMissingError(
        `no owner profile in ${dir} (no ${PROFILE_FILE}): run "mesh account create <account> --service <url>" or pass --home`,
        {
          context: { directory: dir },
        },
      );
    }
    await home.checkOwnerOnly();
    await sweepTempFiles(dir).catch(() => undefined);
    return home;
  }

  async exists(name: string): Promise<boolean> {
    try {
      await lstat(this.path(name));
      return true;
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /** Refuses a directory or private file that group or others can use. */
  async checkOwnerOnly(): Promise<void> {
    const dirInfo = await stat(this.directory);
    if ((dirInfo.mode & 0o077) !== 0) {
      throw new HomeInsecureError(
        `${this.directory} is accessible to other users (mode ${(dirInfo.mode & 0o777).toString(8)}); run "chmod 700 ${this.directory}"`,
        { context: { directory: this.directory, mode: dirInfo.mode & 0o777 } },
      );
    }
    for (const name of [SECRETS_FILE, PROFILE_FILE, DEVICES_FILE, PINS_FILE]) {
      let info;
      try {
        info = await lstat(this.path(name));
      } catch (error) {
        if (errno(error) === 'ENOENT') continue;
        throw error;
      }
      if (!info.isFile())
        throw new HomeCorruptError(`${this.path(name)} is not a regular file`, { context: { file: this.path(name) } });
      if ((info.mode & 0o077) !== 0) {
        throw new HomeInsecureError(
          `${this.path(name)} is accessible to other users (mode ${(info.mode & 0o777).toString(8)}); run "chmod 600 ${this.path(name)}"`,
          { context: { file: this.path(name), mode: info.mode & 0o777 } },
        );
      }
    }
  }

  private async readJson(name: string): Promise<unknown> {
    const file = this.path(name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errno(error) === 'ENOENT')
        throw new HomeMissingError(`${file} is missing from the owner profile`, { context: { file } });
      throw new HomeCorruptError(`cannot read ${file} (${errno(error) ?? 'error'})`, {
        cause: error,
        context: { file },
      });
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      // The parser's message may quote file content; the seed file's content is secret.
      throw new HomeCorruptError(
        `${file} is not valid JSON (${text.length === 0 ? 'empty' : 'truncated or damaged'}); restore it from a backup`,
        {
          cause: name === SECRETS_FILE ? undefined : cause,
          context: { file },
        },
      );
    }
  }

  private async writeJson(name: string, value: unknown, options: AtomicWriteHooks = {}): Promise<void> {
    // Every owner file holds or protects private material: 0600 (FILE_MODE) always.
    await writePrivateFileAtomic(
      this.path(name),
      new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n'),
      options,
    );
  }

  async readProfile(): Promise<OwnerProfileRecord> {
    return readProfileRecord(await this.readJson(PROFILE_FILE), this.path(PROFILE_FILE));
  }

  async readSecrets(): Promise<OwnerSecretsRecord> {
    return readSecretsRecord(await this.readJson(SECRETS_FILE), this.path(SECRETS_FILE));
  }

  async readDevices(): Promise<OwnerDevicesRecord> {
    if (!(await this.exists(DEVICES_FILE))) return { Format: DEVICES_FORMAT, Devices: [] };
    return readDevicesRecord(await this.readJson(DEVICES_FILE), this.path(DEVICES_FILE));
  }

  async readPins(): Promise<OwnerPinsRecord> {
    if (!(await this.exists(PINS_FILE))) return { Format: PINS_FORMAT, Pins: [] };
    return readPinsRecord(await this.readJson(PINS_FILE), this.path(PINS_FILE));
  }

  /**
   * Writes a new profile: the seed first, then profile.json, whose presence marks the
   * profile as existing (so a crash between the two leaves no half profile visible).
   */
  async writeNewProfile(profile: OwnerProfileRecord, secrets: OwnerSecretsRecord): Promise<void> {
    await this.withLock(async () => {
      if (await this.exists(PROFILE_FILE)) {
        const existing = await this.readProfile();
        throw new HomeExistsError(
          `${this.directory} already holds the profile of ${existing.Account}; use another --home`,
          {
            context: { directory: this.directory },
          },
        );
      }
      await this.writeJson(SECRETS_FILE, secrets);
      await this.writeJson(PROFILE_FILE, profile);
    });
  }

  async writeProfile(profile: OwnerProfileRecord): Promise<void> {
    await this.withLock(() => this.writeJson(PROFILE_FILE, profile));
  }

  /** Removes a profile that was never registered (CreateAccount refused). */
  async discardUnregisteredProfile(): Promise<void> {
    await this.withLock(async () => {
      const profile = await this.readProfile();
      if (profile.Registered) return;
      await rm(this.path(PROFILE_FILE), { force: true });
      await rm(this.path(SECRETS_FILE), { force: true });
    });
  }

  /** Read-modify-write of the device catalog under the lock. */
  async updateDevices(
    update: (current: OwnerDevicesRecord) => OwnerDevicesRecord,
    options: AtomicWriteHooks = {},
  ): Promise<OwnerDevicesRecord> {
    return this.withLock(async () => {
      const next = update(await this.readDevices());
      await this.writeJson(DEVICES_FILE, next, options);
      return next;
    });
  }

  async updatePins(update: (current: OwnerPinsRecord) => OwnerPinsRecord): Promise<OwnerPinsRecord> {
    return this.withLock(async () => {
      const next = update(await this.readPins());
      await this.writeJson(PINS_FILE, next);
      return next;
    });
  }

  /** Runs `fn` holding the directory lock. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = this.path(LOCK_FILE);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lock, 'wx', FILE_MODE);
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
        if (await this.lockIsStale(lock)) {
          await rm(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new HomeBusyError(
            `${this.directory} is locked by another mesh process (remove ${lock} if none is running)`,
            {
              context: { lock },
            },
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  private async lockIsStale(lock: string): Promise<boolean> {
    let text: string;
    let age: number;
    try {
      text = (await readFile(lock, 'utf8')).trim();
      age = Date.now() - (await stat(lock)).mtimeMs;
    } catch {
      return false; // Just removed: try again.
    }
    const pid = Number(text);
    // An empty lock is one being written; only a long-empty one was left by a crash.
    if (!/^\d+$/.test(text) || pid <= 0) return age > 5_000;
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return errno(error) === 'ESRCH';
    }
  }
}
