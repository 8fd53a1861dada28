/**
 * @module test/integration/agent/agent-cli.test
 * The built `mesh-agent` on bad input: --version and --help exit 0; a bad
 * configuration exits 78 (systemd's RestartPreventExitStatus); a bad preconfiguration
 * (truncated, wrong seed, tampered envelope, not JSON) or a lost key exits 1 with one line
 * naming the problem, and leaves the state directory, the keystore and the file untouched.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/crypto/random.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { AgentProcess, runAgentCli, tempDirectory, writeConfig, stopAllAgents } from '../../helpers/agent-process.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';

const directories: string[] = [];
afterAll(async () => {
  await stopAllAgents();
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

async function device(text: string): Promise<{ dir: string; state: string; medk: string; config: string }> {
  const dir = await tempDirectory('mesh-agent-cli-');
  directories.push(dir);
  const medk = join(dir, 'device.medk');
  await writeFile(medk, text, { mode: 0o600 });
  const state = join(dir, 'state');
  // The service is never reached: these fail before any connection.
  const config = await writeConfig(dir, {
    stateDirectory: state,
    preconfiguration: medk,
    owners: [{ account: 'alice@example.com', service: 'http://127.0.0.1:9/' }],
    keystore: 'file',
  });
  return { dir, state, medk, config };
}

describe('mesh-agent command line', () => {
  it('--version and --help exit 0; no command or an unknown one is a usage error', () => {
    const version = runAgentCli(['--version']);
    expect(version).toMatchObject({ status: 0, stdout: '0.1.0\n', stderr: '' });
    const help = runAgentCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: mesh-agent <command>/);
    expect(help.stdout).toContain('mesh-agent approve-claim CODE');
    expect(runAgentCli(['status', '--help']).status).toBe(0);
    expect(runAgentCli([]).status).toBe(2);
    expect(runAgentCli(['frobnicate']).stderr).toBe(
      'mesh-agent: unknown command "frobnicate" (try mesh-agent --help)\n',
    );
    expect(runAgentCli(['run', '--bogus']).status).toBe(2);
  });

  it('a bad configuration exits 78, naming the path of each problem', async () => {
    const dir = await tempDirectory('mesh-agent-cfg-');
    directories.push(dir);
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 's'),
      keystor: 'file',
      owners: [{ account: 'not-an-address' }],
    });
    const run = runAgentCli(['run', '--config', config]);
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('"$.keystor"');
    expect(run.stderr).toContain('did you mean "keystore"?');
    expect(run.stderr).toContain('"$.owners[0].account"');
    expect(runAgentCli(['run', '--config', join(dir, 'missing.json')]).status).toBe(78);
    expect(runAgentCli(['status', '--config', config]).status).toBe(78);
    expect(existsSync(join(dir, 's'))).toBe(false);
  });

  const good = factoryFileText();
  const body = JSON.parse(good.text) as { DevicePreconfiguration: Record<string, unknown> };
  const envelope = body.DevicePreconfiguration['EnvelopedProfileDevice'] as [unknown, string, unknown];
  const flipped = envelope[1].slice(0, 50) + (envelope[1][50] === 'A' ? 'B' : 'A') + envelope[1].slice(51);
  const otherSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, seededRandom(77));
  const bad: Array<[string, string, RegExp]> = [
    [
      'truncated',
      good.text.slice(0, 300),
      /PreconfigurationError: preconfiguration \S+device\.medk: is not JSON \(truncated/,
    ],
    ['not JSON', 'hello\n', /PreconfigurationError: .*is not JSON/],
    [
      'wrong seed',
      JSON.stringify({
        DevicePreconfiguration: {
          ...body.DevicePreconfiguration,
          PrivateKey: { PrivateKeyUDF: { PrivateValue: otherSeed, KeyType: 'MeshProfileDevice' } },
        },
      }),
      /does not regenerate the enveloped ProfileDevice/,
    ],
    [
      'tampered envelope',
      JSON.stringify({
        DevicePreconfiguration: {
          ...body.DevicePreconfiguration,
          EnvelopedProfileDevice: [envelope[0], flipped, envelope[2]],
        },
      }),
      /PreconfigurationError: .*EnvelopedProfileDevice/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`a ${name} preconfiguration: exit 1, one line, nothing touched`, async () => {
      const d = await device(text);
      const run = runAgentCli(['run', '--config', d.config]);
      expect(run.status).toBe(1);
      // A wrong seed under a validly self-signed profile: that profile's fingerprint may be
      // shown before the seed is checked (first-boot KnownIdentity), but nothing else is.
      const shown = run.stdout.split('\n').filter((l) => / SHOW /.test(` ${l}`));
      expect(shown).toEqual(
        name === 'wrong seed' ? [expect.stringMatching(new RegExp(`SHOW fingerprint ${good.made.deviceUdf} `))] : [],
      );
      const lines = run.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      for (const form of [good.seed, otherSeed]) expect(run.stderr + run.stdout).not.toContain(form);
      expect(await readFile(d.medk, 'utf8')).toBe(text);
      expect(existsSync(join(d.state, 'state.json'))).toBe(false);
      const secrets = existsSync(join(d.state, 'secrets')) ? await readdir(join(d.state, 'secrets')) : [];
      expect(secrets).toEqual([]);
    });
  }

  it('an imported preconfiguration whose seed is gone from the keystore: exit 1, the key was lost', async () => {
    const d = await device(good.text);
    const first = new AgentProcess(d.config);
    await first.waitFor(/SHOW fingerprint/);
    expect(await first.stop()).toBe(0);
    await rm(join(d.state, 'secrets', 'device-seed.secret'));
    const run = runAgentCli(['run', '--config', d.config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^mesh-agent: DeviceKeyLostError: preconfiguration \S+ was imported .* the key was lost\n$/,
    );
  });

  it('a second agent on the same state directory is refused while the first runs', async () => {
    const d = await device(factoryFileText().text);
    const first = new AgentProcess(d.config);
    await first.waitFor(/SHOW fingerprint/);
    const second = runAgentCli(['run', '--config', d.config]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/AgentLockedError: another mesh-agent \(pid \d+\) runs on/);
    expect(await first.stop()).toBe(0);
  });

  it('status before any start says so; approve-claim with an unknown code exits 1', async () => {
    const d = await device(factoryFileText().text);
    const status = runAgentCli(['status', '--config', d.config]);
    expect(status.status).toBe(1);
    expect(status.stderr).toMatch(/the agent has not started there yet/);
    const approve = runAgentCli(['approve-claim', 'ABCD-EFGH', '--config', d.config]);
    expect(approve.status).toBe(1);
    expect(approve.stderr).toMatch(/UnknownConfirmationError: no held claim has confirmation code "ABCD-EFGH"/);
    expect(runAgentCli(['approve-claim', '--config', d.config]).status).toBe(2);
  });
});
