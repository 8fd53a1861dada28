/**
 * @module test/helpers/secret-service
 * A private session bus with a real gnome-keyring-daemon on it, for the Secret Service
 * contract tests (docs/decisions/0006-dbus-next-instead-of-dbus.md). Instead of dbus-run-session (whose bus the test
 * process could not join) the helper runs dbus-daemon itself with a minimal config: its
 * own socket file in a temp directory (dbus-next cannot reach abstract sockets without a
 * native module; secret-service-bus), and no service directories, so nothing is auto-activated and "no Secret Service" can be
 * tested on a bus without the keyring. gnome-keyring-daemon runs in the foreground with
 * `--unlock` (password on stdin) in a temp HOME, so it creates and unlocks a fresh login
 * keyring that becomes the default collection. Both processes are stopped, and the
 * directory removed, by stop(), and killed at process exit if a test forgot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { probeSecretService } from '../../src/platform/keystore/secret-service-store.js';
import { toNodeBusAddress } from '../../src/platform/keystore/secret-service-bus.js';
import { requireTool, stopChild, TestBackendUnavailableError, waitFor } from './system-tools.js';

export interface SecretServiceOptions {
  /** Start gnome-keyring on the bus (default true); false gives a bus with no Secret Service. */
  readonly keyring?: boolean;
}

export interface SecretServiceSession {
  /** The bus address as dbus-daemon printed it, for DBUS_SESSION_BUS_ADDRESS / dbusAddress. */
  readonly address: string;
  readonly directory: string;
  /** Locks the default collection, as a screen locker or a timeout would. */
  lockDefaultCollection(): Promise<void>;
  stop(): Promise<void>;
}

function busConfig(listen: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>${listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const add = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => output.trim();
}

export async function startSecretService(options: SecretServiceOptions = {}): Promise<SecretServiceSession> {
  const dbusDaemon = requireTool('dbus-daemon', 'dbus-daemon');
  const keyringDaemon = options.keyring === false ? undefined : requireTool('gnome-keyring-daemon', 'gnome-keyring');

  const directory = await mkdtemp(join(tmpdir(), 'mesh-ss-'));
  const home = join(directory, 'home');
  const runtime = join(directory, 'run');
  await mkdir(home, { mode: 0o700 });
  await mkdir(runtime, { mode: 0o700 });
  const listen = `unix:path=${join(directory, 'bus')}`;
  const configPath = join(directory, 'bus.conf');
  await writeFile(configPath, busConfig(listen));

  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const fail = async (message: string): Promise<never> => {
    process.removeListener('exit', killAll);
    for (const child of children.reverse()) await stopChild(child, 'SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw new TestBackendUnavailableError(message);
  };

  const bus = spawn(dbusDaemon, [`--config-file=${configPath}`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(bus);
  const busOutput = collectOutput(bus);
  const address = await new Promise<string | undefined>((resolveAddress) => {
    let text = '';
    const timer = setTimeout(() => resolveAddress(undefined), 10_000);
    bus.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = text.split('\n')[0];
      if (text.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        resolveAddress(line.trim());
      }
    });
    bus.once('exit', () => {
      clearTimeout(timer);
      resolveAddress(undefined);
    });
  });
  if (address === undefined || address === '') return fail(`dbus-daemon did not print its address: ${busOutput()}`);

  if (keyringDaemon !== undefined) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_RUNTIME_DIR: runtime,
      XDG_DATA_HOME: join(home, '.local/share'),
      DBUS_SESSION_BUS_ADDRESS: address,
    };
    delete env['DISPLAY'];
    const keyring = spawn(keyringDaemon, ['--foreground', '--unlock', '--components=secrets'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(keyring);
    const keyringOutput = collectOutput(keyring);
    // --unlock reads the login keyring's password from stdin until EOF.
    keyring.stdin.end('mesh-test-keyring-password');
    const ready = await waitFor(
      async () => keyring.exitCode === null && (await probeSecretService({ dbusAddress: address }, 1_000)).available,
      10_000,
    );
    if (!ready) {
      const probe = await probeSecretService({ dbusAddress: address }, 1_000);
      return fail(
        `gnome-keyring-daemon did not become a usable Secret Service on ${address}: ${probe.available ? 'ok' : probe.reason}; daemon output: ${keyringOutput()}`,
      );
    }
  }

  return {
    address,
    directory,
    async lockDefaultCollection(): Promise<void> {
      const client = dbus.sessionBus({ busAddress: toNodeBusAddress(address) });
      client.on('error', () => undefined);
      try {
        const call = async (
          path: string,
          iface: string,
          member: string,
          signature: string,
          body: unknown[],
        ): Promise<unknown[]> =>
          (
            await client.call(
              new dbus.Message({
                destination: 'org.freedesktop.secrets',
                path,
                interface: iface,
                member,
                signature,
                body,
              }),
            )
          )?.body ?? [];
        const [collection] = await call(
          '/org/freedesktop/secrets',
          'org.freedesktop.Secret.Service',
          'ReadAlias',
          's',
          ['default'],
        );
        await call('/org/freedesktop/secrets', 'org.freedesktop.Secret.Service', 'Lock', 'ao', [[collection]]);
      } finally {
        client.disconnect();
      }
    },
    async stop(): Promise<void> {
      process.removeListener('exit', killAll);
      for (const child of [...children].reverse()) await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
