/**
 * @module test/integration/agent/startup-snapshot.test
 * The V8 startup snapshot (docs/packaging.md, the cold start): `mesh-agent
 * snapshot` builds it from dist/mesh-agent-snapshot.cjs with a stamp systemd's launcher can
 * check with `stat`; systemd/mesh-agent-launch starts from the bundle while there is no
 * current snapshot (and builds one in the background), then from the snapshot; a stale
 * stamp sends it back to the bundle. From the snapshot the real agent does the whole job
 * against the real service over loopback: factory first boot, witness, the owner accepts,
 * connected, a clean SIGTERM stop, and a restart that resumes from the saved state.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, runAgentCli, stopAllAgents, tempDirectory, writeConfig } from '../../helpers/agent-process.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

const DIST = resolve('dist');
const LAUNCH = resolve('systemd/mesh-agent-launch');
let service: TestService;
const directories: string[] = [];

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await stopAllAgents();
  await service.close();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

const statId = (path: string): string =>
  spawnSync('stat', ['-L', '-c', '%s-%Y', path], { encoding: 'utf8' }).stdout.trim();

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('mesh-agent snapshot', () => {
  it('builds the blob and a stamp naming this node and this script, as stat prints them', async () => {
    const dir = await tempDirectory('mesh-snapshot-');
    directories.push(dir);
    const blob = join(dir, 'agent.blob');
    const built = runAgentCli(['snapshot', '--output', blob]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toContain(`startup snapshot ${blob}`);
    const stamp = (await readFile(`${blob}.stamp`, 'utf8')).trim();
    expect(stamp).toBe(`node ${statId(process.execPath)} agent ${statId(join(DIST, 'mesh-agent-snapshot.cjs'))}`);
    const version = spawnSync(process.execPath, ['--snapshot-blob', blob, '--', '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe(runAgentCli(['--version']).stdout.trim());
  });

  it('a missing snapshot script: one line naming it, exit 1, nothing written', async () => {
    const dir = await tempDirectory('mesh-snapshot-');
    directories.push(dir);
    const blob = join(dir, 'agent.blob');
    const result = runAgentCli(['snapshot', '--output', blob, '--from', join(dir, 'absent.cjs')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/absent\.cjs not found/);
    expect(existsSync(blob)).toBe(false);
    expect(existsSync(`${blob}.stamp`)).toBe(false);
  });
});

describe('systemd/mesh-agent-launch', () => {
  it('bundle first (snapshot built meanwhile), then the snapshot: first boot, accept, connected, restart', async () => {
    const dir = await tempDirectory('mesh-launch-');
    directories.push(dir);
    const cache = join(dir, 'cache');
    const blob = join(cache, 'mesh-agent.blob');
    const env = { MESH_AGENT_DIR: DIST, MESH_AGENT_NODE: process.execPath, CACHE_DIRECTORY: cache };
    await mkdir(cache, { mode: 0o700 });

    // No snapshot yet: the launcher runs the bundle and builds one in the background.
    const first = spawnSync('sh', [LAUNCH, '--version'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    expect(first.status, first.stderr).toBe(0);
    await until(() => existsSync(`${blob}.stamp`), 60_000, 'no snapshot built in the background');

    const aliceHome = join(dir, 'alice');
    await ownerJson(aliceHome, 'account', 'create', 'alice@example.com', '--service', service.url);
    const factory = factoryFileText();
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      preconfiguration: medk,
      owners: [{ account: 'alice@example.com', service: service.url }],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0.1, honorRetryAfter: false },
    });

    let agent = new AgentProcess(config, env, ['sh', LAUNCH]);
    await agent.waitFor(/starting .*startup=snapshot/);
    expect((await agent.waitFor(/SHOW fingerprint (\S+)/))[1]).toBe(factory.made.deviceUdf);
    const witness = (await agent.waitFor(/SHOW witness (\S+) for alice@example.com/))[1] as string;
    const accepted = await owner(aliceHome, 'device', 'accept', witness);
    expect(accepted.status, accepted.stderr).toBe(0);
    await agent.waitFor(/SHOW connected alice@example.com/);
    expect(await agent.stop()).toBe(0);
    expect(await readFile(medk, 'utf8')).not.toContain(factory.seed);

    // Restart from the snapshot: the saved state, the same device, still connected.
    agent = new AgentProcess(config, env, ['sh', LAUNCH]);
    await agent.waitFor(/starting .*startup=snapshot/);
    expect((await agent.waitFor(/SHOW fingerprint (\S+)/))[1]).toBe(factory.made.deviceUdf);
    expect(await agent.stop()).toBe(0);
    const status = runAgentCli(['status', '--json', '--config', config]);
    expect((JSON.parse(status.stdout) as { owners: Array<{ state: string }> }).owners.map((o) => o.state)).toEqual([
      'connected',
    ]);
  });

  it('a stamp that no longer matches (agent upgraded): back to the bundle, the snapshot rebuilt', async () => {
    const dir = await tempDirectory('mesh-launch-');
    directories.push(dir);
    const blob = join(dir, 'mesh-agent.blob');
    expect(runAgentCli(['snapshot', '--output', blob]).status).toBe(0);
    // As if mesh-agent-snapshot.cjs had been replaced since: the stamp's mtime is another.
    await writeFile(
      `${blob}.stamp`,
      (await readFile(`${blob}.stamp`, 'utf8')).replace(
        /agent (\d+)-(\d+)/,
        (_m, size: string, t: string) => `agent ${size}-${Number(t) - 60}`,
      ),
    );
    const stale = await readFile(`${blob}.stamp`, 'utf8');
    const config = await writeConfig(dir, { stateDirectory: join(dir, 'state'), owners: [], keystore: 'file' });
    const env = { MESH_AGENT_DIR: DIST, MESH_AGENT_NODE: process.execPath, CACHE_DIRECTORY: dir };
    const agent = new AgentProcess(config, env, ['sh', LAUNCH]);
    await agent.waitFor(/starting .*startup=bundle/);
    await agent.waitFor(/SHOW fingerprint /);
    expect(await agent.stop()).toBe(0);
    await until(
      () => existsSync(`${blob}.stamp`) && !statStampIs(`${blob}.stamp`, stale),
      60_000,
      'the stale snapshot was not rebuilt',
    );
    // Ages the blob's timestamps only to show that the check is the stamp, not file times.
    await utimes(blob, new Date(0), new Date(0));
    const again = new AgentProcess(config, env, ['sh', LAUNCH]);
    await again.waitFor(/starting .*startup=snapshot/);
    expect(await again.stop()).toBe(0);
  });
});

function statStampIs(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false; // between the rebuild's remove and rename
  }
}
