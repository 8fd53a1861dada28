/**
 * Runs the `mesh` CLI in-process (fast, for many cases) or as the built binary (to check
 * exit codes and that no stack trace ever reaches the terminal).
 */
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/mesh.js';

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Raw bytes written with ctx.write (in-process runs only). */
  readonly bytes?: Uint8Array;
}

export async function runMesh(args: readonly string[], stdin?: Uint8Array): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Uint8Array[] = [];
  const status = await main(args, {
    out: (line) => out.push(line),
    write: (chunk) => bytes.push(chunk),
    err: (line) => err.push(line),
    env: {},
    ...(stdin === undefined
      ? {}
      : {
          readInput: async (path: string) => {
            if (path !== '-') throw new Error(`test harness only feeds stdin, got ${path}`);
            return stdin;
          },
        }),
  });
  return { status, stdout: out.join('\n'), stderr: err.join('\n'), bytes: Buffer.concat(bytes) };
}

export function runMeshBinary(args: readonly string[], input?: string | Uint8Array): CliResult {
  const result = spawnSync(process.execPath, ['dist/mesh.mjs', ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
