/**
 * @module test/helpers/agent-process
 * The real agent as a child process (`node dist/mesh-agent.mjs`, built by the global
 * setup): start it on a configuration file, wait for log lines, run its other commands,
 * stop it with SIGTERM. Every line it printed is kept, so a test can search them all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AGENT_BIN = 'dist/mesh-agent.mjs';
/** The agent with fake ports passed in (test/helpers/agent-with-ports.ts), built by the global setup. */
export const AGENT_WITH_PORTS_BIN = '.tmp/test-bin/agent-with-ports.mjs';

/** `launch` for AgentProcess: the agent on the memory keystore and/or a fake sysfs tree. */
export function withPorts(ports: { memoryKeystore?: boolean; sysfs?: string }): string[] {
  return [
    process.execPath,
    AGENT_WITH_PORTS_BIN,
    ...(ports.memoryKeystore === true ? ['--memory-keystore'] : []),
    ...(ports.sysfs === undefined ? [] : ['--sysfs', ports.sysfs]),
  ];
}

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', ...extra };
}

export function runAgentCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const result = spawnSync(process.execPath, [AGENT_BIN, ...args], {
    encoding: 'utf8',
    env: baseEnv(env),
    timeout: 20_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export async function tempDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function writeConfig(directory: string, config: object, name = 'config.json'): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * Waits until the agent has polled the maker's service for claims `count` more times (distinct
 * `claims.lastPoll` values in `mesh-agent status --json`, all later than this call). Each poll
 * is followed by a full pass over held claims, confirmations and approvals before the next, so
 * with count 2 that pass has run since the call: what has not happened by then did not happen
 * on it. A test that asserts an absence waits for this rather than a fixed sleep, which a slow
 * machine can outrun.
 */
export async function claimPollsAfter(configPath: string, count = 2, timeoutMs = 15_000): Promise<void> {
  const since = new Date().toISOString();
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < count) {
    const run = runAgentCli(['status', '--json', '--config', configPath]);
    const lastPoll =
      run.status === 0 ? (JSON.parse(run.stdout) as { claims?: { lastPoll?: string } }).claims?.lastPoll : undefined;
    if (lastPoll !== undefined && lastPoll > since) seen.add(lastPoll);
    if (seen.size >= count) return;
    if (Date.now() > deadline)
      throw new Error(
        `saw ${seen.size} of ${count} claim polls within ${timeoutMs} ms (status ${run.status}: ${run.stderr})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const running = new Set<AgentProcess>();

/** For afterAll: stops every agent a failed test left running. */
export async function stopAllAgents(): Promise<void> {
  await Promise.all([...running].map((a) => a.stop()));
}

export class AgentProcess {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #waiters: Array<() => void> = [];

  /** `launch`: the command before `run --config …` (default: node dist/mesh-agent.mjs). */
  constructor(
    configPath: string,
    env: Record<string, string> = {},
    launch: readonly string[] = [process.execPath, AGENT_BIN],
  ) {
    const [file, ...prefix] = launch as [string, ...string[]];
    this.child = spawn(file, [...prefix, 'run', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: baseEnv(env),
    });
    running.add(this);
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        running.delete(this);
        for (const wake of this.#waiters.splice(0)) wake();
        resolve(code);
      }),
    );
  }

  /** The first line (from `from` on) matching `pattern`; fails after `timeoutMs` or if the agent exits. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.lines.length; i++) {
        const m = (this.lines[i] as string).match(pattern);
        if (m !== null) return m;
      }
      if (this.child.exitCode !== null)
        throw new Error(
          `agent exited ${this.child.exitCode} before ${pattern}: ${this.stderr.join('')}\n${this.lines.join('\n')}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
