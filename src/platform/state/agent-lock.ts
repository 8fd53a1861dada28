/**
 * @module platform/state/agent-lock
 * One agent per state directory: `<stateDirectory>/agent.pid` holds the pid and boot id of
 * the running agent, created with O_EXCL. A file left by an agent that died (another boot,
 * or a pid no longer alive) is taken over; a live one is AgentLockedError, because two
 * agents would answer the same requests and overwrite each other's state.
 */
import { readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentLockedError } from '../../agent/agent-errors.js';
import { readFileNoFollow } from '../fs/no-follow.js';

export const LOCK_FILE = 'agent.pid';

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Whether `pid` is a live process (EPERM: alive but another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockContent {
  readonly pid: number;
  readonly boot: string;
}

/** A link in place of the lock file is never read through (state-directory-links refuses it at start). */
async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    const bytes = await readFileNoFollow(path);
    if (bytes === undefined) return undefined;
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<LockContent>;
    return typeof value.pid === 'number' && typeof value.boot === 'string'
      ? { pid: value.pid, boot: value.boot }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an agent holds the lock of `stateDirectory` now (for `mesh-agent status`). */
export async function lockHolder(stateDirectory: string): Promise<number | undefined> {
  const lock = await readLock(join(resolve(stateDirectory), LOCK_FILE));
  if (lock === undefined || lock.boot !== bootId() || !processAlive(lock.pid)) return undefined;
  return lock.pid;
}

export class AgentLock {
  private constructor(readonly path: string) {}

  static async acquire(stateDirectory: string): Promise<AgentLock> {
    const path = join(resolve(stateDirectory), LOCK_FILE);
    const content = `${JSON.stringify({ pid: process.pid, boot: bootId() })}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx', 0o600);
        try {
          await handle.writeFile(content);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return new AgentLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readLock(path);
      if (holder !== undefined && holder.boot === bootId() && holder.pid !== process.pid && processAlive(holder.pid)) {
        throw new AgentLockedError(`another mesh-agent (pid ${holder.pid}) runs on ${resolve(stateDirectory)}`, {
          context: { pid: holder.pid },
        });
      }
      // Left by an agent that is gone (or unreadable: torn by a crash while being created).
      await rm(path, { force: true });
    }
    throw new AgentLockedError(`cannot take ${path}: another agent keeps creating it`);
  }

  async release(): Promise<void> {
    const holder = await readLock(this.path);
    if (holder?.pid === process.pid) await rm(this.path, { force: true });
  }
}
