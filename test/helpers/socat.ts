/**
 * @module test/helpers/socat
 * A pty pair standing in for a serial line (docs/packaging.md): `socat -d -d
 * pty,raw,echo=0,link=A pty,raw,echo=0,link=B`. What is written to A is read from B and the
 * other way round; the links are the paths the agent and the test open. A missing socat
 * fails the test naming the package (system-tools.requireTool), never skips it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TestBackendUnavailableError, requireTool, stopChild, waitFor } from './system-tools.js';

export interface PtyPair {
  /** The end the device side opens (e.g. the agent's serial.console). */
  readonly a: string;
  /** The end the test (or the technician's CLI) opens. */
  readonly b: string;
  /** The pty devices behind the links (`/dev/pts/N`), for configurations that want a /dev path. */
  readonly ptyA: string;
  readonly ptyB: string;
  readonly child: ChildProcess;
  /** Stops socat (both ptys vanish, and so do the links). */
  stop(): Promise<void>;
}

const started = new Set<PtyPair>();

/**
 * Starts socat with links `<directory>/<nameA>` and `<directory>/<nameB>` (absolute names are
 * used as they are, e.g. a link under /dev for a configuration that wants one); resolves once
 * both exist and socat says it is transferring.
 */
export async function startPtyPair(directory: string, nameA = 'ttyA', nameB = 'ttyB'): Promise<PtyPair> {
  const socat = requireTool('socat', 'socat');
  const a = isAbsolute(nameA) ? nameA : join(directory, nameA);
  const b = isAbsolute(nameB) ? nameB : join(directory, nameB);
  const child = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const ready = await waitFor(
    async () =>
      child.exitCode !== null || (existsSync(a) && existsSync(b) && /starting data transfer loop/.test(stderr)),
    10_000,
  );
  if (!ready || child.exitCode !== null) {
    await stopChild(child, 'SIGKILL');
    throw new TestBackendUnavailableError(`socat did not make the pty pair ${a} ${b}: ${stderr.trim()}`);
  }
  const ptys = [...stderr.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
  const pair: PtyPair = {
    a,
    b,
    ptyA: ptys[0] ?? a,
    ptyB: ptys[1] ?? b,
    child,
    async stop() {
      started.delete(pair);
      await stopChild(child);
    },
  };
  started.add(pair);
  return pair;
}

/** For afterAll: stops every socat a failed test left running. */
export async function stopAllPtyPairs(): Promise<void> {
  await Promise.all([...started].map((p) => p.stop()));
}
