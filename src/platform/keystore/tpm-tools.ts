/**
 * @module platform/keystore/tpm-tools
 * Running tpm2-tools and finding a TPM. npm has no TPM 2.0 client, so the tools run as
 * child processes through execFile, never a shell (docs/decisions/0002-seed-based-secret-store.md); the TCTI goes in
 * TPM2TOOLS_TCTI of the child's environment only. Secret input goes over stdin and secret
 * output comes back on stdout, so neither touches a file, and neither is ever copied into
 * an error: a failure reports the tool, its exit code and its stderr (which tpm2-tools
 * fills with TSS return codes, never object contents).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { KeystoreUnavailableError, TpmCommandError, TpmUnavailableError } from './keystore-errors.js';

/** The kernel's resource-managed TPM device, present on a Pi with a TPM overlay enabled. */
export const DEFAULT_TPM_DEVICE = '/dev/tpmrm0';

const DEFAULT_TIMEOUT_MS = 20_000;
const STDERR_SHOWN = 600;

export interface TpmLocation {
  /** Explicit TCTI (configuration); wins over the environment. */
  readonly tcti?: string | undefined;
  /** Environment to read TPM2TOOLS_TCTI from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Device node probed when no TCTI is given (default /dev/tpmrm0). */
  readonly tpmDevice?: string | undefined;
}

export type TctiResolution =
  | { readonly tcti: string; readonly source: string }
  | { readonly tcti: undefined; readonly reason: string };

/** Where the TPM is: the option, then TPM2TOOLS_TCTI, then the device node if it exists. */
export function resolveTcti(location: TpmLocation = {}): TctiResolution {
  if (location.tcti !== undefined && location.tcti !== '') return { tcti: location.tcti, source: 'configured TCTI' };
  const fromEnv = (location.env ?? process.env)['TPM2TOOLS_TCTI'];
  if (fromEnv !== undefined && fromEnv !== '') return { tcti: fromEnv, source: 'TPM2TOOLS_TCTI' };
  const device = location.tpmDevice ?? DEFAULT_TPM_DEVICE;
  if (existsSync(device)) return { tcti: `device:${device}`, source: `device node ${device}` };
  return { tcti: undefined, reason: `no TPM: ${device} absent and TPM2TOOLS_TCTI unset` };
}

export interface TpmToolRun {
  readonly tcti: string;
  /** Bytes for the tool's stdin (the only way secret input reaches a tool). */
  readonly input?: Uint8Array;
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

function firstLines(text: string): string {
  const trimmed = text.trim().replace(/\s+\n/g, '\n');
  return trimmed.length > STDERR_SHOWN ? `${trimmed.slice(0, STDERR_SHOWN)}…` : trimmed;
}

/** Runs one tpm2-tools command and returns its stdout; failures become typed errors. */
export function runTpmTool(tool: string, args: readonly string[], run: TpmToolRun): Promise<Buffer> {
  return new Promise((resolveRun, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TPM2TOOLS_TCTI: run.tcti };
    const child = execFile(
      tool,
      [...args],
      {
        encoding: 'buffer',
        env,
        timeout: run.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: 1 << 20,
        cwd: run.cwd,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolveRun(stdout);
          return;
        }
        // Whatever the tool printed on stdout is dropped unseen: for tpm2_unseal it is the secret.
        stdout.fill(0);
        const errno = (error as NodeJS.ErrnoException).code;
        if (errno === 'ENOENT') {
          reject(new TpmUnavailableError(`${tool} not found: install the tpm2-tools package`, { context: { tool } }));
          return;
        }
        const detail = firstLines(stderr.toString('utf8'));
        const exec = error as { killed?: boolean; signal?: string | null; code?: unknown };
        if (exec.killed === true || (exec.signal !== null && exec.signal !== undefined)) {
          reject(
            new TpmCommandError(
              `${tool} did not finish within ${Math.round((run.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s on TCTI ${run.tcti} (signal ${exec.signal ?? 'none'})${detail ? `: ${detail}` : ''}`,
              tool,
              null,
              { context: { tcti: run.tcti } },
            ),
          );
          return;
        }
        const exitCode = typeof exec.code === 'number' ? exec.code : null;
        reject(
          new TpmCommandError(
            `${tool} failed with exit code ${exitCode ?? 'unknown'} on TCTI ${run.tcti}${detail ? `: ${detail}` : ''}`,
            tool,
            exitCode,
            {
              context: { tcti: run.tcti, stderr: detail },
            },
          ),
        );
      },
    );
    // execFile has no `input` option; the secret goes down the pipe, never into argv or a file.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(run.input === undefined ? undefined : Buffer.from(run.input));
  });
}

export type TpmProbe =
  | { readonly available: true; readonly tcti: string; readonly source: string }
  | { readonly available: false; readonly reason: string };

/**
 * Is a TPM reachable? A TCTI must be known (option, environment or device node) and
 * `tpm2_getcap properties-fixed` must answer on it within `timeoutMs`.
 */
export async function probeTpm(location: TpmLocation = {}, timeoutMs = 5_000): Promise<TpmProbe> {
  const resolved = resolveTcti(location);
  if (resolved.tcti === undefined) return { available: false, reason: resolved.reason };
  try {
    await runTpmTool('tpm2_getcap', ['properties-fixed'], { tcti: resolved.tcti, timeoutMs });
    return { available: true, tcti: resolved.tcti, source: resolved.source };
  } catch (error) {
    const why =
      error instanceof KeystoreUnavailableError || error instanceof TpmCommandError ? error.message : String(error);
    return { available: false, reason: `no TPM: ${resolved.source} gives TCTI ${resolved.tcti}, but ${why}` };
  }
}
