/**
 * @module cli/agent/snapshot-command
 * `mesh-agent snapshot --output FILE [--from FILE]`: builds the agent's V8 startup snapshot
 * (docs/packaging.md, "Startup snapshot"). `node --build-snapshot` runs
 * `mesh-agent-snapshot.cjs` (the whole agent as one CommonJS script, beside the bundle),
 * which loads every module and warms up what each start needs, and writes the heap to FILE.
 * A start from it (`node --snapshot-blob FILE -- run …`) skips compiling and evaluating the
 * agent: the cold start to "fingerprint shown" is then within 2× bare Node.
 *
 * A snapshot is only valid for the very Node binary and agent script it was built from, so
 * FILE.stamp records both (size and mtime, what systemd/mesh-agent-launch can compare with
 * `stat` alone, without starting Node). Written in an order that never pairs a stamp with a
 * blob it does not describe: old stamp removed, blob renamed into place, then the stamp.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AgentCliContext } from './agent-context.js';
import { SnapshotBuildError } from './snapshot-errors.js';
import { EXIT_OK } from './exit-codes.js';

/** The snapshot script's name, beside the bundle (scripts/build.mjs). */
export const SNAPSHOT_SCRIPT = 'mesh-agent-snapshot.cjs';

/** `<size>-<mtime seconds>`, as `stat -L -c %s-%Y` prints it. */
async function fileIdentity(path: string): Promise<string> {
  const s = await stat(path);
  return `${s.size}-${Math.floor(s.mtimeMs / 1000)}`;
}

/** What FILE.stamp holds: the Node binary and the agent script the blob was built from. */
export async function snapshotStamp(nodePath: string, script: string): Promise<string> {
  return `node ${await fileIdentity(nodePath)} agent ${await fileIdentity(script)}`;
}

/** The snapshot script beside the running bundle (process.argv[1]). */
export function defaultSnapshotScript(argv1: string | undefined): string {
  return join(dirname(resolve(argv1 ?? '.')), SNAPSHOT_SCRIPT);
}

function runBuilder(nodePath: string, blob: string, script: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    // --no-warnings: node calls the snapshot builder experimental on every run.
    const child = spawn(nodePath, ['--no-warnings', '--snapshot-blob', blob, '--build-snapshot', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4_000) stderr += d.toString();
    });
    child.once('error', (cause) =>
      reject(new SnapshotBuildError(`cannot run ${nodePath}: ${cause.message}`, { cause, context: { script } })),
    );
    child.once('exit', (code, signal) => {
      if (code === 0) resolveRun();
      else
        reject(
          new SnapshotBuildError(
            `node --build-snapshot ${script} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            { context: { script } },
          ),
        );
    });
  });
}

export interface BuildSnapshotOptions {
  readonly output: string;
  readonly script: string;
  /** The Node binary to build for and stamp (default: this process's). */
  readonly nodePath?: string;
}

/**
 * Builds FILE and FILE.stamp; a failure leaves neither half-written (and an existing pair
 * either intact or without its stamp, which the launcher treats as no snapshot).
 * @throws SnapshotBuildError naming what failed.
 */
export async function buildSnapshot(options: BuildSnapshotOptions): Promise<string> {
  const nodePath = realpathSync(options.nodePath ?? process.execPath);
  const script = resolve(options.script);
  const output = resolve(options.output);
  try {
    await stat(script);
  } catch (cause) {
    throw new SnapshotBuildError(
      `${script} not found: the snapshot script is built beside mesh-agent.mjs (npm run build)`,
      { cause, context: { script } },
    );
  }
  const stamp = await snapshotStamp(nodePath, script);
  const temp = `${output}.${process.pid}.tmp`;
  try {
    await runBuilder(nodePath, temp, script);
    await rm(`${output}.stamp`, { force: true });
    await rename(temp, output);
    await writeFile(`${output}.stamp.${process.pid}.tmp`, `${stamp}\n`, { mode: 0o644 });
    await rename(`${output}.stamp.${process.pid}.tmp`, `${output}.stamp`);
  } catch (error) {
    await rm(temp, { force: true });
    await rm(`${output}.stamp.${process.pid}.tmp`, { force: true });
    if (error instanceof SnapshotBuildError) throw error;
    throw new SnapshotBuildError(`cannot write ${output}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
      context: { output },
    });
  }
  return stamp;
}

export async function snapshotCommand(output: string, script: string, ctx: AgentCliContext): Promise<number> {
  const stamp = await buildSnapshot({ output, script });
  ctx.out(`startup snapshot ${resolve(output)} (${stamp})`);
  return EXIT_OK;
}
