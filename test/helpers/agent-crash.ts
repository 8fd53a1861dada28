/**
 * @module test/helpers/agent-crash
 * The bundled agent as a child process that can be run from any directory (the standalone
 * bundle tests copy it out of the repository) and killed with SIGKILL at a chosen moment
 * (the crash-recovery trials); plus the seeded randomness that picks the kill
 * moments, so a failing trial can be replayed from the seed it printed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO_AGENT_BIN = resolve('dist/mesh-agent.mjs');

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  /** The bundle to run (default the repository's dist/mesh-agent.mjs). */
  readonly bin?: string;
  /** Working directory of the child (default the process's). */
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', ...extra };
}

/** Runs a short `mesh-agent` command to completion. */
export function runAgentAt(args: readonly string[], options: SpawnOptions = {}): CliRun {
  const result = spawnSync(process.execPath, [options.bin ?? REPO_AGENT_BIN, ...args], {
    encoding: 'utf8',
    env: childEnv(options.env),
    cwd: options.cwd,
    timeout: 20_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const running = new Set<SpawnedAgent>();

/** For afterAll: kills every agent a failed test left running. */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...running].map((a) => a.kill9()));
}

/** `mesh-agent run --config FILE`, with its output kept line by line. */
export class SpawnedAgent {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly started = performance.now();
  #waiters: Array<() => void> = [];

  constructor(configPath: string, options: SpawnOptions = {}) {
    this.child = spawn(process.execPath, [options.bin ?? REPO_AGENT_BIN, 'run', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(options.env),
      cwd: options.cwd,
    });
    running.add(this);
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.#wake();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    this.exited = new Promise((resolveExit) =>
      this.child.once('exit', (code, signal) => {
        running.delete(this);
        this.#wake();
        resolveExit({ code, signal });
      }),
    );
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line matching `pattern`; fails after `timeoutMs` or if the agent exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const m = line.match(pattern);
        if (m !== null) return m;
      }
      if (!this.alive)
        throw new Error(
          `agent exited (${this.child.exitCode ?? this.child.signalCode}) before ${pattern}: ${this.stderr.join('')}\n${this.lines.join('\n')}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no line matching ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}\n${this.stderr.join('')}`,
        );
      await new Promise<void>((wake) => {
        const t = setTimeout(wake, Math.min(left, 100));
        this.#waiters.push(() => {
          clearTimeout(t);
          wake();
        });
      });
    }
  }

  /** SIGKILL (no handler runs, nothing is saved) and wait for the exit. */
  async kill9(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<number | null> {
    if (this.alive) this.child.kill('SIGTERM');
    return (await this.exited).code;
  }
}

/** mulberry32: small, seedable, good enough to spread kill delays. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The crash suite's seed: MESH_CRASH_SEED to replay a run, else a fresh one. */
export function crashSeed(): number {
  const fromEnv = process.env['MESH_CRASH_SEED'];
  if (fromEnv !== undefined && fromEnv !== '') return Number.parseInt(fromEnv, 10) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

export function statePath(stateDirectory: string, name: string): string {
  return join(stateDirectory, name);
}
