/**
 * @module test/helpers/mosquitto
 * A real mosquitto (Debian package `mosquitto`, in .ci/apt-packages) for the MQTT tests
 *: listening on 127.0.0.1 at a free port, anonymous access off, a password file
 * made with mosquitto_passwd and an ACL file, no persistence. `restart()` stops it and starts
 * it again on the same port (a broker restart); `stop()` kills it by the PID we started.
 * A missing binary fails the test naming the package, never skips it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TestBackendUnavailableError, freePort, requireTool, stopChild, waitFor } from './system-tools.js';

export interface MosquittoUser {
  readonly password: string;
  /** ACL lines for this user: `read <topic>`, `write <topic>` or `readwrite <topic>`. */
  readonly acl: readonly string[];
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  readonly log: string[];
  restart(): Promise<void>;
  /** Stops it (the port stays reserved for `start()`). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(users: Readonly<Record<string, MosquittoUser>>): Promise<Mosquitto> {
  const binary = requireTool('mosquitto', 'mosquitto');
  const passwd = requireTool('mosquitto_passwd', 'mosquitto');
  const dir = await mkdtemp(join(tmpdir(), 'mesh-mosquitto-'));
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  await writeFile(passwordFile, '', { mode: 0o600 });
  for (const [name, user] of Object.entries(users)) {
    const made = spawnSync(passwd, ['-b', passwordFile, name, user.password], { encoding: 'utf8' });
    if (made.status !== 0) throw new TestBackendUnavailableError(`mosquitto_passwd failed for ${name}: ${made.stderr}`);
  }
  await chmod(passwordFile, 0o600);
  const acl = Object.entries(users)
    .map(([name, user]) => [`user ${name}`, ...user.acl.map((line) => `topic ${line}`)].join('\n'))
    .join('\n\n');
  await writeFile(aclFile, `${acl}\n`, { mode: 0o600 });
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      'persistence false',
      // Started as root it would switch to the "mosquitto" user, who cannot read our files.
      `user ${userInfo().username}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'connection_messages true',
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  const log: string[] = [];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (b: Buffer) => log.push(...b.toString('utf8').split('\n').filter(Boolean)));
    proc.stderr?.on('data', (b: Buffer) => log.push(...b.toString('utf8').split('\n').filter(Boolean)));
    const up = await waitFor(async () => proc.exitCode !== null || (await portOpen(port)), 10_000, 50);
    if (!up || proc.exitCode !== null) {
      throw new TestBackendUnavailableError(
        `mosquitto did not start on 127.0.0.1:${port}: ${log.slice(-5).join(' | ')}`,
      );
    }
  };
  const stop = async (): Promise<void> => {
    if (child !== undefined) await stopChild(child);
    child = undefined;
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
