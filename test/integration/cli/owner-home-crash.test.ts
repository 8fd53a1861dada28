/**
 * @module test/integration/cli/owner-home-crash
 * The owner's catalog under a writer in another process that is killed with SIGKILL mid-write,
 * again and again: devices.json is always whole (old or new), and the dead writer's lock is
 * taken over. The child is built with esbuild and spawned, so this is not a unit test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEVICES_FORMAT,
  PROFILE_FORMAT,
  SECRETS_FORMAT,
  type OwnerProfileRecord,
  type OwnerSecretsRecord,
} from '../../../src/cli/owner/home-records.js';
import { OwnerHome } from '../../../src/cli/owner/owner-home.js';

const SEED = 'ZAAQ-EAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA';
const profile: OwnerProfileRecord = {
  Format: PROFILE_FORMAT,
  Account: 'alice@example.com',
  Service: 'http://127.0.0.1:15099/.well-known/mmm/',
  ProfileUdf: 'MAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG',
  Created: '2026-11-22T00:00:00Z',
  Registered: true,
  EnvelopedProfileAccount: [{ EnvelopeId: 'MAAA' }, 'e30'],
};
const secrets: OwnerSecretsRecord = { Format: SECRETS_FORMAT, AccountSeed: SEED };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-owner-home-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('owner home: a writer killed with SIGKILL', () => {
  it('leaves a complete devices.json (old or new) however often it is killed mid-write', async () => {
    const { build } = await import('esbuild');
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const source = fileURLToPath(new URL('../../../src/cli/owner/owner-home.ts', import.meta.url));
    // The child: a real separate process rewriting the catalog as fast as it can.
    const entry = join(dir, 'child.ts');
    await writeFile(
      entry,
      [
        `import { OwnerHome } from ${JSON.stringify(source)};`,
        'const home = await OwnerHome.open(process.argv[2]);',
        'for (let i = 1; ; i++) {',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the test writes JavaScript source for the child process
        "  await home.updateDevices(() => ({ Format: 'mesh-owner-devices/1', Devices: Array.from({ length: i % 50 }, (_, k) => ({ DeviceUdf: `M${i}-${k}`, Witness: 'W'.repeat(200), Status: 'Connected', Roles: [], Answered: '2026-11-22T00:00:00Z' })) }));",
        "  if (i === 1) process.stdout.write('ready\\n');",
        '}',
      ].join('\n'),
    );
    const bundle = join(dir, 'child.mjs');
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    const homeDir = join(dir, 'crash-home');
    const home = await OwnerHome.create(homeDir);
    await home.writeNewProfile(profile, secrets);
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, [bundle, homeDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 5 + round * 7));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // A dead writer's lock is taken over, and the catalog is always whole.
      const reopened = await OwnerHome.open(homeDir);
      const devices = await reopened.readDevices();
      expect(devices.Format).toBe(DEVICES_FORMAT);
      for (const d of devices.Devices) expect(d.Witness).toHaveLength(200);
      await reopened.updateDevices((d) => d);
    }
  }, 60_000);
});
