/**
 * @module test/contract/secret-service-store
 * The Secret Service tier against a real gnome-keyring-daemon on a private session bus:
 * the contract (each test in its own `instance`, the attribute that separates agents on
 * one keyring), then isolation between instances, a locked keyring reported as such at
 * open and mid-use, a bus with no Secret Service and an unreachable bus reported clearly,
 * and `auto` choosing the keyring when there is no TPM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SecretServiceLockedError,
  SecretServiceUnavailableError,
} from '../../src/platform/keystore/keystore-errors.js';
import { KEYSTORE_TIER_FILE, openSecretStore } from '../../src/platform/keystore/open-secret-store.js';
import { resolveBusAddress, toNodeBusAddress } from '../../src/platform/keystore/secret-service-bus.js';
import { probeSecretService, SecretServiceStore } from '../../src/platform/keystore/secret-service-store.js';
import { startSecretService, type SecretServiceSession } from '../helpers/secret-service.js';
import { caught, distinctiveSecret, expectNoSecretIn, secretStoreContract } from './secret-store-contract.js';

let keyring: SecretServiceSession;
let scratch: string;
let counter = 0;
const run = Math.random().toString(36).slice(2, 8);
const newInstance = (): string => `test-${run}-${++counter}`;

beforeAll(async () => {
  keyring = await startSecretService();
  scratch = await mkdtemp(join(tmpdir(), 'mesh-ss-store-'));
});
afterAll(async () => {
  await keyring?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

/** No TPM for `auto`, whatever this machine has. */
const NO_TPM = { tpmDevice: '/nonexistent/tpmrm0' } as const;

secretStoreContract('secret-service (gnome-keyring)', () => ({
  tier: 'secret-service',
  async fresh() {
    const instance = newInstance();
    return {
      open: () => SecretServiceStore.open({ dbusAddress: keyring.address, instance }),
      async cleanup() {
        const store = await SecretServiceStore.open({ dbusAddress: keyring.address, instance });
        for (const name of await store.list()) await store.delete(name);
        await store.close();
      },
    };
  },
}));

describe('SecretServiceStore on gnome-keyring', () => {
  it('describes the collection and bus, and separates agents by instance', async () => {
    const a = await SecretServiceStore.open({ dbusAddress: keyring.address, instance: newInstance() });
    const b = await SecretServiceStore.open({ dbusAddress: keyring.address, instance: newInstance() });
    expect(a.describe()).toBe(
      `secret-service (/org/freedesktop/secrets/collection/login on ${keyring.address}, instance ${JSON.stringify(a.instance)})`,
    );
    await a.put('device-seed', Uint8Array.of(1, 0, 1));
    await b.put('device-seed', Uint8Array.of(2, 0, 2));
    expect(await a.get('device-seed')).toEqual(Uint8Array.of(1, 0, 1));
    expect(await b.get('device-seed')).toEqual(Uint8Array.of(2, 0, 2));
    await a.delete('device-seed');
    expect(await a.list()).toEqual([]);
    expect(await b.list()).toEqual(['device-seed']);
    await b.delete('device-seed');
    await a.close();
    await b.close();
  });

  it('reads the bus address from the option, DBUS_SESSION_BUS_ADDRESS, or $XDG_RUNTIME_DIR/bus', async () => {
    expect(
      resolveBusAddress({ dbusAddress: 'unix:path=/x', env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/y' } }),
    ).toEqual({
      address: 'unix:path=/x',
      source: 'configured address',
    });
    expect(resolveBusAddress({ env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/y' } })).toEqual({
      address: 'unix:path=/y',
      source: 'DBUS_SESSION_BUS_ADDRESS',
    });
    expect(resolveBusAddress({ env: { XDG_RUNTIME_DIR: keyring.directory } })).toEqual({
      address: `unix:path=${join(keyring.directory, 'bus')}`,
      source: 'XDG_RUNTIME_DIR/bus',
    });
    expect(resolveBusAddress({ env: {} })).toEqual({
      address: undefined,
      reason: 'no session bus: DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus',
    });
    expect(toNodeBusAddress('unix:path=/run/user/1000/bus,guid=abc')).toBe('unix:socket=/run/user/1000/bus');
    expect(toNodeBusAddress('unix:abstract=/tmp/dbus-x,guid=1;unix:path=/tmp/s%20b')).toBe('unix:socket=/tmp/s b');
    expect(toNodeBusAddress('tcp:host=127.0.0.1,port=5555')).toBe('tcp:host=127.0.0.1,port=5555');
  });

  it('refuses an abstract-socket-only address with a message saying what to use instead', async () => {
    const error = await caught(() => SecretServiceStore.open({ dbusAddress: 'unix:abstract=/tmp/dbus-XYZ,guid=0123' }));
    expect(error).toBeInstanceOf(SecretServiceUnavailableError);
    expect((error as Error).message).toMatch(/only abstract-namespace sockets.*unix:path=/);
  });

  it('reports an unreachable bus and a bus without a Secret Service as SecretServiceUnavailableError', async () => {
    const gone = join(scratch, 'no-such-bus');
    const unreachable = await caught(() =>
      SecretServiceStore.open({ dbusAddress: `unix:path=${gone}`, timeoutMs: 2_000 }),
    );
    expect(unreachable).toBeInstanceOf(SecretServiceUnavailableError);
    expect((unreachable as Error).message).toContain(`cannot reach the session bus at unix:path=${gone}`);

    const bare = await startSecretService({ keyring: false });
    try {
      const absent = await caught(() => SecretServiceStore.open({ dbusAddress: bare.address, timeoutMs: 2_000 }));
      expect(absent).toBeInstanceOf(SecretServiceUnavailableError);
      expect((absent as Error).message).toMatch(
        /no Secret Service on the session bus at .*org\.freedesktop\.secrets is not running.*gnome-keyring/,
      );
      const probe = await probeSecretService({ dbusAddress: bare.address });
      expect(probe.available).toBe(false);
      expect(!probe.available && probe.reason).toMatch(/^no Secret Service: no Secret Service on the session bus/);

      const explicit = await caught(() =>
        openSecretStore({
          choice: 'secret-service',
          stateDir: join(scratch, 'explicit'),
          dbusAddress: bare.address,
          log: () => undefined,
        }),
      );
      expect(explicit).toBeInstanceOf(SecretServiceUnavailableError);
      expect((explicit as Error).message).toMatch(/^keystore "secret-service" is unavailable: no Secret Service/);
    } finally {
      await bare.stop();
    }
    expect(await probeSecretService({ env: {} })).toEqual({
      available: false,
      reason: 'no Secret Service: no session bus: DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus',
    });
  });

  it('auto picks the Secret Service when there is no TPM, and says why the TPM was skipped', async () => {
    const stateDir = join(scratch, 'auto-ss');
    const lines: string[] = [];
    const store = await openSecretStore({
      choice: 'auto',
      stateDir,
      env: { DBUS_SESSION_BUS_ADDRESS: keyring.address },
      ...NO_TPM,
      log: (l) => lines.push(l),
    });
    expect(store.tier).toBe('secret-service');
    expect((store as SecretServiceStore).instance).toBe(stateDir);
    expect(lines).toEqual([
      'keystore: skipped tpm: no TPM: /nonexistent/tpmrm0 absent and TPM2TOOLS_TCTI unset',
      `keystore: ${store.describe()} (auto: best available; recorded in ${join(stateDir, KEYSTORE_TIER_FILE)})`,
    ]);
    await store.put('device-seed', Uint8Array.of(7));
    await store.close();

    // The next start finds the keyring gone: an error, not a fresh file store.
    const error = await caught(() =>
      openSecretStore({ choice: 'auto', stateDir, env: {}, ...NO_TPM, log: () => undefined }),
    );
    expect(error).toBeInstanceOf(SecretServiceUnavailableError);
    expect((error as Error).message).toContain('keystore "auto" chose secret-service at first start');

    const again = await openSecretStore({
      choice: 'auto',
      stateDir,
      env: { DBUS_SESSION_BUS_ADDRESS: keyring.address },
      ...NO_TPM,
      log: () => undefined,
    });
    expect(await again.get('device-seed')).toEqual(Uint8Array.of(7));
    await again.delete('device-seed');
    await again.close();
  });
});

describe('SecretServiceStore in a one-file bundle', () => {
  // The recipe the agent bundle needs (docs/decisions/0004-lazy-chunks-and-startup-snapshot.md): dbus-next's optional x11 and
  // usocket stay external (never reached: an address is always given, and unix:path goes
  // through net), and xml2js becomes a stub (~100 KB saved; no introspection is used).
  it('bundles with x11/usocket external and xml2js stubbed, and runs from a directory without node_modules', async () => {
    const { build } = await import('esbuild');
    const { execFile } = await import('node:child_process');
    const { writeFile: write, stat: statFile } = await import('node:fs/promises');
    const { promisify } = await import('node:util');
    const root = join(import.meta.dirname, '..', '..');
    const dir = await mkdtemp(join(tmpdir(), 'mesh-ss-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      await write(
        entry,
        [
          `import { openSecretStore } from ${JSON.stringify(join(root, 'src/platform/keystore/open-secret-store.ts'))};`,
          "const store = await openSecretStore({ choice: 'secret-service', stateDir: process.argv[2], instance: process.argv[3], log: () => undefined });",
          "await store.put('device-seed', Uint8Array.of(0, 1, 2, 0));",
          "process.stdout.write(Buffer.from((await store.get('device-seed')) ?? []).toString('hex') + ' ' + store.tier);",
          "await store.delete('device-seed');",
          'await store.close();',
        ].join('\n'),
      );
      const outfile = join(dir, 'out', 'agent.mjs');
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        minify: true,
        external: ['x11', 'usocket'],
        alias: { xml2js: join(root, 'src/platform/keystore/xml2js-stub.ts') },
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        logLevel: 'silent',
      });
      expect((await statFile(outfile)).size).toBeLessThan(140_000);
      const { stdout } = await promisify(execFile)(process.execPath, [outfile, join(dir, 'state'), newInstance()], {
        cwd: join(dir, 'out'),
        env: { PATH: process.env['PATH'], DBUS_SESSION_BUS_ADDRESS: keyring.address },
        timeout: 20_000,
      });
      expect(stdout).toBe('00010200 secret-service');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('SecretServiceStore on a locked keyring', () => {
  let locked: SecretServiceSession;
  beforeAll(async () => {
    locked = await startSecretService();
  });
  afterAll(async () => {
    await locked?.stop();
  });

  it('says the collection is locked, at open and for a store opened before the lock, never leaking the secret', async () => {
    const instance = newInstance();
    const store = await SecretServiceStore.open({ dbusAddress: locked.address, instance });
    const secret = distinctiveSecret();
    await store.put('device-seed', secret);
    await locked.lockDefaultCollection();

    for (const action of [
      () => store.put('device-seed', secret),
      () => store.get('device-seed'),
      () => store.list(),
      () => store.delete('device-seed'),
    ]) {
      const error = await caught(action);
      expect(error).toBeInstanceOf(SecretServiceLockedError);
      expect((error as Error).message).toMatch(/collection \/org\/freedesktop\/secrets\/collection\/login is locked/);
      expectNoSecretIn(error, secret);
    }
    await store.close();

    const atOpen = await caught(() => SecretServiceStore.open({ dbusAddress: locked.address, instance }));
    expect(atOpen).toBeInstanceOf(SecretServiceLockedError);
    expect((atOpen as Error).message).toContain('headless agent cannot answer the unlock prompt');

    // auto passes over a locked keyring to the file tier, and says so.
    const lines: string[] = [];
    const fallback = await openSecretStore({
      choice: 'auto',
      stateDir: join(scratch, 'auto-locked'),
      env: { DBUS_SESSION_BUS_ADDRESS: locked.address },
      ...NO_TPM,
      log: (l) => lines.push(l),
    });
    expect(fallback.tier).toBe('file');
    expect(lines[1]).toMatch(
      /^keystore: skipped secret-service: no Secret Service: the Secret Service collection .* is locked/,
    );
    await fallback.close();
  });
});
