/**
 * @module test/integration/agent/bundle-standalone.test
 * The bundle as shipped (docs/packaging.md): dist/mesh-agent.mjs is copied out
 * of the repository into a temp directory that has no node_modules anywhere above it and
 * runs there: --version, --help, a factory first boot to "connected" and status on the file
 * keystore, a self-keyed boot, all with the core file alone. The
 * optional Secret Service file is loaded only for that tier: with it beside the core the
 * agent boots on a real keyring; without it that tier is refused with one clear line and
 * `auto` passes over it. The core file stays within the 300 KB target. When a bundle uses
 * serialport, its prebuilt add-on sits in dist/prebuilds/<platform-arch>/ for this machine and
 * loads from the copied layout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdtemp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllSpawned, runAgentAt, SpawnedAgent } from '../../helpers/agent-crash.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { requireTool } from '../../helpers/system-tools.js';
import { startSecretService, type SecretServiceSession } from '../../helpers/secret-service.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

/** At most 300 KB minified without MQTT, for the file a device always needs. */
const CORE_LIMIT_BYTES = 300_000;
const DIST = resolve('dist');
const CORE = 'mesh-agent.mjs';

let service: TestService;
let scratch: string;
/** The core file alone. */
let coreOnly: string;
/** Everything `npm run build` put in dist/ for the agent: core, optional files, prebuilds. */
let full: string;
const optionalFiles: string[] = [];

function noNodeModulesAbove(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    expect(existsSync(join(d, 'node_modules')), `${d}/node_modules`).toBe(false);
    if (dirname(d) === d) break;
  }
}

beforeAll(async () => {
  service = await startTestService();
  scratch = await mkdtemp(join(tmpdir(), 'mesh-agent-bundle-'));
  coreOnly = join(scratch, 'core-only');
  full = join(scratch, 'opt-mesh-agent');
  await mkdir(coreOnly);
  await mkdir(full);
  await copyFile(join(DIST, CORE), join(coreOnly, CORE));
  for (const name of await readdir(DIST)) {
    if (/^mesh-agent-[a-z0-9-]+\.mjs$/.test(name)) optionalFiles.push(name);
    if (name === CORE || optionalFiles.includes(name)) await copyFile(join(DIST, name), join(full, name));
  }
  if (existsSync(join(DIST, 'prebuilds')))
    await cp(join(DIST, 'prebuilds'), join(full, 'prebuilds'), { recursive: true });
  noNodeModulesAbove(scratch);
});

afterAll(async () => {
  await killAllSpawned();
  await service?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

async function factoryDevice(
  name: string,
  keystore: unknown,
  owners = [{ account: 'alice@example.com', service: '' }],
) {
  const dir = join(scratch, name);
  await mkdir(dir);
  const factory = factoryFileText();
  const medk = join(dir, 'device.medk');
  await writeFile(medk, factory.text, { mode: 0o600 });
  const config = join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      stateDirectory: join(dir, 'state'),
      preconfiguration: medk,
      owners: owners.map((o) => ({ ...o, service: o.service === '' ? service.url : o.service })),
      keystore,
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0.1, honorRetryAfter: false },
    }),
  );
  return { dir, factory, medk, config, state: join(dir, 'state') };
}

describe('dist/mesh-agent.mjs from a directory with no node_modules', () => {
  it('the core file stays within 300 KB; the optional files are separate', async () => {
    const size = (await stat(join(DIST, CORE))).size;
    expect(
      size,
      `dist/${CORE} is ${size} bytes; the target is ${CORE_LIMIT_BYTES} (docs/packaging.md: make the new heavy part a lazy module)`,
    ).toBeLessThanOrEqual(CORE_LIMIT_BYTES);
    // The core does not carry dbus-next: the Secret Service adapter is its own file.
    expect(optionalFiles).toContain('mesh-agent-secret-service.mjs');
    const core = await readFile(join(DIST, CORE), 'utf8');
    expect(core).not.toContain('org.freedesktop.DBus');
    expect(core).toContain('"./mesh-agent-secret-service.mjs"');
    // Minified: long lines (only template literals such as the help text break them).
    expect(core.length / core.split('\n').length).toBeGreaterThan(1_000);
  });

  it('--version and --help', () => {
    const version = runAgentAt(['--version'], { bin: join(coreOnly, CORE), cwd: coreOnly });
    expect(version).toMatchObject({ status: 0, stdout: '0.1.0\n', stderr: '' });
    const help = runAgentAt(['--help'], { bin: join(coreOnly, CORE), cwd: coreOnly });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: mesh-agent <command>/);
  });

  it('factory first boot, an owner accepts, status: file keystore, core file only', async () => {
    const device = await factoryDevice('file-tier', 'file');
    const home = join(device.dir, 'alice');
    await ownerJson(home, 'account', 'create', 'alice@example.com', '--service', service.url);
    const bin = join(coreOnly, CORE);
    const agent = new SpawnedAgent(device.config, { bin, cwd: coreOnly });
    expect((await agent.waitFor(/SHOW fingerprint (\S+)/))[1]).toBe(device.factory.made.deviceUdf);
    const witness = (await agent.waitFor(/SHOW witness (\S+) for alice@example.com/))[1] as string;
    expect((await owner(home, 'device', 'accept', witness)).status).toBe(0);
    await agent.waitFor(/SHOW connected alice@example.com/);
    const status = runAgentAt(['status', '--json', '--config', device.config], { bin, cwd: coreOnly });
    expect(status.status, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as {
      running: boolean;
      device: { udf: string; mode: string };
      keystore: { tier: string };
      owners: Array<{ account: string; state: string }>;
    };
    expect(s).toMatchObject({
      running: true,
      device: { udf: device.factory.made.deviceUdf, mode: 'factory' },
      keystore: { tier: 'file' },
    });
    expect(s.owners.map((o) => [o.account, o.state])).toEqual([['alice@example.com', 'connected']]);
    expect(await agent.stop()).toBe(0);
    expect(agent.stderr.join('')).toBe('');
    expect(await readFile(device.medk, 'utf8')).toContain('DevicePreconfigurationPublic');
  });

  it('self-keyed first boot and status, core file only', async () => {
    const dir = join(scratch, 'self-keyed');
    await mkdir(dir);
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        stateDirectory: join(dir, 'state'),
        owners: [{ account: 'carol@example.com', service: service.url }],
        keystore: 'file',
        polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4 },
      }),
    );
    const bin = join(coreOnly, CORE);
    const agent = new SpawnedAgent(config, { bin, cwd: coreOnly });
    const udf = (await agent.waitFor(/SHOW fingerprint (\S+) event=fingerprint mode=self/))[1];
    // carol has no account: the service refuses, the agent logs it and keeps trying.
    const status = JSON.parse(runAgentAt(['status', '--json', '--config', config], { bin, cwd: coreOnly }).stdout) as {
      device: { udf: string; mode: string };
      keystore: { tier: string };
    };
    expect(status.device).toMatchObject({ udf, mode: 'self' });
    expect(status.keystore.tier).toBe('file');
    expect(await agent.stop()).toBe(0);
  });

  it('without the optional file, secret-service is refused in one line and auto passes over it', async () => {
    const bin = join(coreOnly, CORE);
    const explicit = await factoryDevice('no-chunk-explicit', {
      type: 'secret-service',
      secretService: { address: 'unix:path=/nonexistent/bus' },
    });
    const refused = runAgentAt(['run', '--config', explicit.config], { bin, cwd: coreOnly });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /^mesh-agent: SecretServiceUnavailableError: keystore "secret-service" is unavailable: its module could not be loaded .*install mesh-agent-secret-service\.mjs beside mesh-agent\.mjs/,
    );
    expect(refused.stderr.split('\n')).toHaveLength(2);
    // Nothing imported: the preconfiguration still holds its seed.
    expect(await readFile(explicit.medk, 'utf8')).toBe(explicit.factory.text);

    const auto = await factoryDevice('no-chunk-auto', 'auto');
    const agent = new SpawnedAgent(auto.config, {
      bin,
      cwd: coreOnly,
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    // The connect URI is shown once the state is saved (the fingerprint comes before).
    await agent.waitFor(/SHOW connect-uri/);
    expect(agent.lines.join('\n')).toMatch(/keystore: skipped secret-service: .*its module could not be loaded/);
    expect(
      JSON.parse(runAgentAt(['status', '--json', '--config', auto.config], { bin, cwd: coreOnly }).stdout).keystore
        .tier,
    ).toBe('file');
    expect(await agent.stop()).toBe(0);
  });

  describe('the Secret Service tier from the optional file', () => {
    let keyring: SecretServiceSession | undefined;
    // A missing keyring fails here, naming the package (.ci/apt-packages installs it).
    beforeAll(async () => {
      requireTool('gnome-keyring-daemon', 'gnome-keyring');
      requireTool('dbus-daemon', 'dbus-daemon');
      keyring = await startSecretService();
    });
    afterAll(async () => {
      await keyring?.stop();
    });

    it('boots on a real keyring with mesh-agent-secret-service.mjs beside the core', async () => {
      if (keyring === undefined) throw new Error('the Secret Service did not start');
      const device = await factoryDevice('secret-service', {
        type: 'secret-service',
        secretService: { address: keyring.address },
      });
      const bin = join(full, CORE);
      const agent = new SpawnedAgent(device.config, { bin, cwd: full });
      expect((await agent.waitFor(/SHOW fingerprint (\S+)/))[1]).toBe(device.factory.made.deviceUdf);
      await agent.waitFor(/SHOW witness \S+ for alice@example.com/);
      const status = JSON.parse(
        runAgentAt(['status', '--json', '--config', device.config], { bin, cwd: full }).stdout,
      ) as { keystore: { tier: string } };
      expect(status.keystore.tier).toBe('secret-service');
      expect(await agent.stop()).toBe(0);
      expect(agent.stderr.join('')).toBe('');
      // A restart finds the seed in the keyring (the file no longer holds it).
      const again = new SpawnedAgent(device.config, { bin, cwd: full });
      expect((await again.waitFor(/SHOW fingerprint (\S+)/))[1]).toBe(device.factory.made.deviceUdf);
      expect(await again.stop()).toBe(0);
    });
  });

  it('native prebuilds: beside the bundle exactly when an agent file uses serialport, and loadable from there', async () => {
    // The startup snapshot's script only runs under node's snapshot builder (startup-snapshot.test.ts).
    const metas = (await readdir(resolve('.tmp/build'))).filter(
      (f) => /^mesh-agent(-[a-z0-9-]+)?\.meta\.json$/.test(f) && f !== 'mesh-agent-snapshot.meta.json',
    );
    const users: string[] = [];
    for (const f of metas) {
      const meta = JSON.parse(await readFile(resolve('.tmp/build', f), 'utf8')) as { inputs: Record<string, unknown> };
      if (Object.keys(meta.inputs).some((p) => p.includes('node_modules/@serialport/bindings-cpp/')))
        users.push(f.replace('.meta.json', '.mjs'));
    }
    const prebuilds = join(DIST, 'prebuilds');
    if (users.length === 0) {
      expect(existsSync(prebuilds)).toBe(false);
      return;
    }
    const host = (await readdir(prebuilds)).find(
      (d) => d.split('-')[0] === process.platform && (d.split('-')[1] ?? '').split('+').includes(process.arch),
    );
    expect(host, `dist/prebuilds has no directory for ${process.platform}-${process.arch}`).toBeDefined();
    expect((await readdir(join(prebuilds, host as string))).filter((f) => f.endsWith('.node')).length).toBeGreaterThan(
      0,
    );
    // The add-on loads from the copied layout, with no node_modules anywhere.
    for (const file of users) {
      const run = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(pathToFileURL(join(full, file)).href)}); const S = m.SerialPort ?? m.default?.SerialPort; if (S) { await S.list(); console.log('listed'); } else console.log('loaded');`,
        ],
        {
          cwd: full,
          encoding: 'utf8',
          env: { PATH: process.env['PATH'] ?? '' },
          timeout: 20_000,
        },
      );
      expect(run.status, `${file}: ${run.stderr}`).toBe(0);
    }
  });
});
