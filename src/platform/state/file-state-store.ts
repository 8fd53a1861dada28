/**
 * @module platform/state/file-state-store
 * The agent's StateStore on disk (docs/decisions/0011-crash-safe-persistence.md): `<stateDirectory>/state.json` and
 * `<stateDirectory>/status.json`, each replaced atomically and durably (temp file 0600 with
 * O_EXCL, fsync, rename, fsync of the directory: platform/fs/atomic-write), so a
 * power cut leaves the previous file or the new one, never a torn one. The state is checked
 * when read; a file that does not hold together is refused by name, never guessed at.
 * The directory never holds a link: opening the store refuses one anywhere in it
 * (state-directory-links), the files are read with O_NOFOLLOW and must be UTF-8 text, and a
 * write never replaces a link (atomic-write), so nothing outside the directory is touched.
 */
import { join, resolve } from 'node:path';
import { StateCorruptError } from '../../agent/agent-errors.js';
import { STATE_FORMAT, type AgentState } from '../../agent/agent-state.js';
import { STATUS_FORMAT, type AgentStatus } from '../../agent/agent-status.js';
import type { StateStore } from '../../agent/ports.js';
import { writePrivateFileAtomic, type AtomicWriteHooks } from '../fs/atomic-write.js';
import { SymbolicLinkRefusedError, readFileNoFollow } from '../fs/no-follow.js';
import { InvalidUtf8TextError, decodeUtf8File } from '../fs/strict-utf8.js';
import { ensurePrivateDirectory } from '../keystore/private-files.js';
import { refuseStateDirectoryLinks } from './state-directory-links.js';

export const STATE_FILE = 'state.json';
export const STATUS_FILE = 'status.json';

const OWNER_STATES = ['new', 'pending', 'connected', 'rejected', 'revoked'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape the agent relies on; names the first field that is wrong. */
export function checkAgentState(value: unknown, path: string): AgentState {
  const bad = (field: string, expected: string): StateCorruptError =>
    new StateCorruptError(`state file ${path}: "${field}" expected ${expected}`, { context: { path, field } });
  if (!isRecord(value)) throw bad('$', 'a JSON object');
  if (value['Format'] !== STATE_FORMAT) throw bad('Format', JSON.stringify(STATE_FORMAT));
  const device = value['device'];
  if (!isRecord(device) || typeof device['udf'] !== 'string') throw bad('device.udf', 'the device UDF');
  if (device['mode'] !== 'factory' && device['mode'] !== 'self') throw bad('device.mode', '"factory" or "self"');
  const owners = value['owners'];
  if (!isRecord(owners)) throw bad('owners', 'an object');
  for (const [key, owner] of Object.entries(owners)) {
    if (!isRecord(owner) || typeof owner['account'] !== 'string' || typeof owner['service'] !== 'string') {
      throw bad(`owners.${key}`, 'an owner record with account and service');
    }
    if (!OWNER_STATES.includes(owner['state'] as string))
      throw bad(`owners.${key}.state`, `one of ${OWNER_STATES.join(', ')}`);
    if ((owner['state'] === 'pending' || owner['state'] === 'connected') && typeof owner['responseId'] !== 'string') {
      throw bad(`owners.${key}.responseId`, 'the ResponseId polled');
    }
  }
  const claims = value['claims'];
  if (!isRecord(claims) || !Array.isArray(claims['seen']) || !Array.isArray(claims['held']))
    throw bad('claims', 'an object with seen[] and held[]');
  return value as unknown as AgentState;
}

/**
 * The JSON of a state file, undefined when absent.
 * @throws SymbolicLinkRefusedError when the file is a link; StateCorruptError when unreadable, not UTF-8 or not JSON
 */
export async function readStateJson(path: string): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readFileNoFollow(path);
    if (bytes === undefined) return undefined;
    text = decodeUtf8File(bytes, path);
  } catch (error) {
    if (error instanceof SymbolicLinkRefusedError) throw error;
    if (error instanceof InvalidUtf8TextError)
      throw new StateCorruptError(error.message, { cause: error, context: { path, offset: error.offset } });
    throw new StateCorruptError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
      context: { path },
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StateCorruptError(`${path} is not JSON`, { cause, context: { path } });
  }
}

export interface FileStateStoreOptions {
  readonly stateDirectory: string;
  /** Test hook into each write's crash window. */
  readonly writeHooks?: AtomicWriteHooks;
}

export class FileStateStore implements StateStore {
  readonly directory: string;
  readonly location: string;
  readonly #hooks: AtomicWriteHooks;

  private constructor(directory: string, hooks: AtomicWriteHooks) {
    this.directory = directory;
    this.location = join(directory, STATE_FILE);
    this.#hooks = hooks;
  }

  /** Creates (0700) or checks the state directory, refusing one that contains a link. */
  static async open(options: FileStateStoreOptions): Promise<FileStateStore> {
    const directory = resolve(options.stateDirectory);
    await ensurePrivateDirectory(directory);
    await refuseStateDirectoryLinks(directory);
    return new FileStateStore(directory, options.writeHooks ?? {});
  }

  async load(): Promise<AgentState | undefined> {
    const value = await readStateJson(this.location);
    return value === undefined ? undefined : checkAgentState(value, this.location);
  }

  async save(state: AgentState): Promise<void> {
    await writePrivateFileAtomic(
      this.location,
      Buffer.from(`${JSON.stringify(state, null, 2)}\n`, 'utf8'),
      this.#hooks,
    );
  }

  async saveStatus(status: AgentStatus): Promise<void> {
    await writePrivateFileAtomic(
      join(this.directory, STATUS_FILE),
      Buffer.from(`${JSON.stringify(status, null, 2)}\n`, 'utf8'),
      this.#hooks,
    );
  }
}

/** Reads the state file without opening the store for writing (`mesh-agent status`, `approve-claim`). */
export async function readAgentState(stateDirectory: string): Promise<AgentState | undefined> {
  const path = join(resolve(stateDirectory), STATE_FILE);
  const value = await readStateJson(path);
  return value === undefined ? undefined : checkAgentState(value, path);
}

export async function readAgentStatus(stateDirectory: string): Promise<AgentStatus | undefined> {
  const path = join(resolve(stateDirectory), STATUS_FILE);
  const value = await readStateJson(path);
  if (value === undefined) return undefined;
  if (!isRecord(value) || value['Format'] !== STATUS_FORMAT) {
    throw new StateCorruptError(`status file ${path}: "Format" expected ${JSON.stringify(STATUS_FORMAT)}`, {
      context: { path },
    });
  }
  return value as unknown as AgentStatus;
}
