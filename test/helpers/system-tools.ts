/**
 * @module test/helpers/system-tools
 * Shared by the helpers that start real backends (swtpm, dbus-daemon, gnome-keyring):
 * finding a binary and naming the Debian package when it is missing, picking a free
 * loopback port, and killing a child process we started and waiting for it to go.
 * A missing tool fails the test with the package to install, never skips it: the
 * contract suites must run against the real thing (docs/decisions/0008-where-fakes-live.md).
 */
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { MeshError } from '../../src/crypto/errors.js';

/** A backend the tests need is not installed or did not start. */
export class TestBackendUnavailableError extends MeshError {
  readonly code = 'ERR_TEST_BACKEND_UNAVAILABLE';
}

/** The absolute path of `tool`, or TestBackendUnavailableError naming the package to install. */
export function requireTool(tool: string, debianPackage: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/bin', '/sbin'].filter(
    (d) => d !== '',
  );
  for (const dir of dirs) {
    const path = join(dir, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  throw new TestBackendUnavailableError(
    `${tool} not found on PATH: install the Debian package ${debianPackage} (it is listed in .ci/apt-packages; apt-get install -y ${debianPackage})`,
    { context: { tool, debianPackage } },
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolvePort(address.port);
        else reject(new TestBackendUnavailableError('could not pick a free port'));
      });
    });
  });
}

/** Sends `signal` to a child we started and waits (up to `timeoutMs`) for it to exit, then SIGKILLs. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 5_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
