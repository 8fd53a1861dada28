/**
 * @module test/helpers/swtpm
 * A real software TPM for the TPM keystore tests: swtpm in the foreground on 127.0.0.1 at
 * two consecutive free ports (the swtpm TCTI expects the control channel at port + 1), its NVRAM in a temp directory, started already initialised
 * (`not-need-init,startup-clear`, docs/decisions/0002-seed-based-secret-store.md). restart() stops it gracefully and
 * starts it again on the same state directory, as a device reboot does: the owner seed
 * survives, transient objects and saved contexts do not. A missing swtpm, tpm2-tools or
 * swtpm TCTI library fails with the Debian package to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeTpm } from '../../src/platform/keystore/tpm-tools.js';
import { freePort, requireTool, stopChild, TestBackendUnavailableError, waitFor } from './system-tools.js';

export interface Swtpm {
  /** `swtpm:host=127.0.0.1,port=N` for the current run (ports change on restart). */
  readonly tcti: string;
  /** The swtpm NVRAM directory (kept across restarts). */
  readonly tpmState: string;
  /** A scratch directory for the test's own state (removed by stop()). */
  readonly directory: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await portFree(port + 1))) return port;
  }
  throw new TestBackendUnavailableError('could not find two consecutive free ports on 127.0.0.1 for swtpm');
}

export async function startSwtpm(): Promise<Swtpm> {
  const swtpmBin = requireTool('swtpm', 'swtpm');
  requireTool('tpm2_getcap', 'tpm2-tools');
  const directory = await mkdtemp(join(tmpdir(), 'mesh-swtpm-'));
  const tpmState = join(directory, 'tpmstate');
  await mkdir(tpmState, { mode: 0o700 });

  let child: ChildProcess | undefined;
  let tcti = '';
  const killNow = (): void => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);

  const launch = async (): Promise<void> => {
    // A port picked free can be taken before swtpm binds it; retry with others.
    let lastOutput = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      // The swtpm TCTI finds the control channel at port + 1, so both must be free.
      const port = await freePortPair();
      const ctrl = port + 1;
      const started = spawn(
        swtpmBin,
        [
          'socket',
          '--tpm2',
          '--tpmstate',
          `dir=${tpmState}`,
          '--server',
          `type=tcp,port=${port},bindaddr=127.0.0.1`,
          '--ctrl',
          `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
          '--flags',
          'not-need-init,startup-clear',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      started.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      started.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
      const up = await waitFor(async () => started.exitCode === null && (await canConnect(port)), 5_000, 10);
      if (up) {
        child = started;
        tcti = `swtpm:host=127.0.0.1,port=${port}`;
        const probe = await probeTpm({ tcti }, 5_000);
        if (!probe.available) {
          await stopChild(started);
          const missingTcti = /tcti/i.test(probe.reason) && /load|not found|No such file/i.test(probe.reason);
          throw new TestBackendUnavailableError(
            `swtpm started but tpm2_getcap cannot use it: ${probe.reason}` +
              (missingTcti ? '; install the Debian package libtss2-tcti-swtpm0 (listed in .ci/apt-packages)' : ''),
          );
        }
        return;
      }
      lastOutput = output.trim();
      await stopChild(started, 'SIGKILL');
    }
    throw new TestBackendUnavailableError(`swtpm did not start on 127.0.0.1: ${lastOutput}`);
  };

  try {
    await launch();
  } catch (error) {
    process.removeListener('exit', killNow);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    get tcti() {
      return tcti;
    },
    tpmState,
    directory,
    async restart(): Promise<void> {
      // SIGTERM lets swtpm write its state out, as a clean shutdown of a device would.
      if (child !== undefined) await stopChild(child);
      await launch();
    },
    async stop(): Promise<void> {
      process.removeListener('exit', killNow);
      if (child !== undefined) await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
