/**
 * @module test/integration/agent/agent-e2e.test
 * End to end over loopback: the real agent process (dist/mesh-agent.mjs), the
 * real Mesh service, the real owner CLI. A factory-preconfigured device boots, shows a
 * witness per owner; alice accepts and the agent reports connected; the agent is stopped
 * and restarted mid-request and resumes the same request; bob accepts too; status shows
 * both and the keystore tier; alice revokes and bob stays. Then every line the agent
 * printed and every file it wrote outside the keystore is searched for the device seed and
 * each activation seed, as strings and as bytes.
 */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/crypto/bytes.js';
import { base64urlEncode as encodeBase64url } from '../../../src/mesh/encoding/base64url.js';
import { parseDerivedKeySeed } from '../../../src/mesh/udf/derived-key-seed.js';
import {
  AgentProcess,
  runAgentCli,
  tempDirectory,
  writeConfig,
  stopAllAgents,
  withPorts,
} from '../../helpers/agent-process.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

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

/** Every form a secret could leak in: the UDF string, and its bytes in hex and base64url. */
function forms(seed: string): string[] {
  const { ikm, secret } = parseDerivedKeySeed(seed);
  return [seed, seed.replaceAll('-', ''), toHex(secret), encodeBase64url(secret), toHex(ikm), encodeBase64url(ikm)];
}

async function secretValues(stateDirectory: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await readdir(join(stateDirectory, 'secrets'))) {
    if (name.endsWith('.secret')) out.set(name, await readFile(join(stateDirectory, 'secrets', name), 'utf8'));
  }
  return out;
}

describe('mesh-agent end to end', () => {
  it('factory boot, two owners, restart mid-request, status, revoke; no secret in any log or state file', async () => {
    const dir = await tempDirectory('mesh-agent-e2e-');
    directories.push(dir);
    const state = join(dir, 'state');
    const aliceHome = join(dir, 'alice');
    const bobHome = join(dir, 'bob');
    await ownerJson(aliceHome, 'account', 'create', 'alice@example.com', '--service', service.url);
    await ownerJson(bobHome, 'account', 'create', 'bob@example.com', '--service', service.url);

    const factory = factoryFileText();
    const medk = join(dir, 'device.medk');
    await writeFile(medk, factory.text, { mode: 0o600 });
    const config = await writeConfig(dir, {
      stateDirectory: state,
      preconfiguration: medk,
      owners: [
        { account: 'alice@example.com', service: service.url },
        { account: 'bob@example.com', service: service.url },
      ],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0.1, honorRetryAfter: false },
    });

    const logs: string[] = [];
    const activations = new Set<string>();
    const collect = async (): Promise<void> => {
      for (const value of (await secretValues(state)).values())
        if (value.startsWith('Z') && value !== factory.seed) activations.add(value);
    };

    let agent = new AgentProcess(config);
    const fingerprint = (await agent.waitFor(/SHOW fingerprint (\S+)/))[1] as string;
    expect(fingerprint).toBe(factory.made.deviceUdf);
    await agent.waitFor(/SHOW connect-uri mcu:\/\/maker@example.com\//);
    const witnessA = (await agent.waitFor(/SHOW witness (\S+) for alice@example.com/))[1] as string;
    const witnessB = (await agent.waitFor(/SHOW witness (\S+) for bob@example.com/))[1] as string;
    expect(witnessA).not.toBe(witnessB);
    // The seed is in the keystore and nowhere in the rewritten preconfiguration.
    const rewritten = await readFile(medk, 'utf8');
    expect(rewritten).toContain('DevicePreconfigurationPublic');
    for (const f of forms(factory.seed)) expect(rewritten).not.toContain(f);

    // Alice compares and accepts; the agent says connected.
    const accepted = await owner(aliceHome, 'device', 'accept', witnessA);
    expect(accepted.status, accepted.stderr).toBe(0);
    await agent.waitFor(/SHOW connected alice@example.com/);
    await collect();

    // SIGTERM: clean stop, state saved; status works with the agent stopped.
    expect(await agent.stop()).toBe(0);
    logs.push(...agent.lines);
    const stopped = runAgentCli(['status', '--json', '--config', config]);
    expect(stopped.status, stopped.stderr).toBe(0);
    const s1 = JSON.parse(stopped.stdout) as {
      running: boolean;
      owners: Array<{ account: string; state: string; witness?: string }>;
    };
    expect(s1.running).toBe(false);
    expect(s1.owners.map((o) => [o.account, o.state, o.witness])).toEqual([
      ['alice@example.com', 'connected', witnessA],
      ['bob@example.com', 'pending', witnessB],
    ]);

    // Restart: bob's request is resumed (same witness shown again), not re-made.
    agent = new AgentProcess(config);
    await agent.waitFor(new RegExp(`bob@example.com: still waiting; witness ${witnessB}`));
    const pending = await ownerJson<{ pending: Array<{ witness: string }> }>(bobHome, 'device', 'pending');
    expect(pending.pending.map((r) => r.witness)).toEqual([witnessB]);
    expect((await owner(bobHome, 'device', 'accept', witnessB)).status).toBe(0);
    await agent.waitFor(/SHOW connected bob@example.com/);
    await collect();
    expect(activations.size).toBe(2);

    const running = runAgentCli(['status', '--json', '--config', config]);
    expect(running.status, running.stderr).toBe(0);
    const s2 = JSON.parse(running.stdout) as {
      running: boolean;
      pid: number;
      device: { udf: string; mode: string; connectUri: string };
      keystore: { tier: string; description: string };
      owners: Array<{ account: string; state: string }>;
    };
    expect(s2.running).toBe(true);
    expect(s2.pid).toBe(agent.child.pid);
    expect(s2.device).toEqual({
      udf: fingerprint,
      mode: 'factory',
      connectUri: factory.made.connectUri,
      makerAccount: 'maker@example.com',
    });
    expect(s2.keystore.tier).toBe('file');
    expect(s2.owners.map((o) => [o.account, o.state])).toEqual([
      ['alice@example.com', 'connected'],
      ['bob@example.com', 'connected'],
    ]);
    const text = runAgentCli(['status', '--config', config]);
    expect(text.stdout).toMatch(/keystore +file/);
    expect(text.stdout).toMatch(/owner +alice@example.com: connected/);

    // Alice revokes; bob's connection is untouched.
    expect((await owner(aliceHome, 'device', 'revoke', fingerprint)).status).toBe(0);
    await agent.waitFor(/SHOW revoked alice@example.com/);
    const names = [...(await secretValues(state)).keys()].sort();
    expect(names).toEqual(['activation~bob@example.com.secret', 'device-seed.secret']);
    const s3 = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
      owners: Array<{ account: string; state: string }>;
    };
    expect(s3.owners.map((o) => [o.account, o.state])).toEqual([
      ['alice@example.com', 'revoked'],
      ['bob@example.com', 'connected'],
    ]);
    expect(await agent.stop()).toBe(0);
    logs.push(...agent.lines);
    expect(agent.stderr.join('')).toBe('');

    // No secret anywhere but the keystore: every log line, the state, the status, the file.
    const files = ['state.json', 'status.json'].map((f) => join(state, f)).concat([medk]);
    const haystack = [
      logs.join('\n'),
      running.stdout,
      text.stdout,
      ...(await Promise.all(files.map((f) => readFile(f, 'utf8')))),
    ];
    const secrets = [factory.seed, ...activations];
    expect(secrets).toHaveLength(3);
    for (const secret of secrets)
      for (const form of forms(secret)) for (const hay of haystack) expect(hay.includes(form)).toBe(false);
    // And logs are lines a journal reads: one event per line, none of them empty.
    expect(logs.every((l) => l.length > 0 && !l.includes('\n'))).toBe(true);
  });

  it('runs on the memory tier in self mode and reports it', async () => {
    const dir = await tempDirectory('mesh-agent-mem-');
    directories.push(dir);
    const home = join(dir, 'carol');
    await ownerJson(home, 'account', 'create', 'carol@example.com', '--service', service.url);
    const config = await writeConfig(dir, {
      stateDirectory: join(dir, 'state'),
      owners: [{ account: 'carol@example.com', service: service.url }],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, honorRetryAfter: false },
    });
    const agent = new AgentProcess(config, {}, withPorts({ memoryKeystore: true }));
    await agent.waitFor(/SHOW fingerprint \S+ event=fingerprint mode=self/);
    const witness = (await agent.waitFor(/SHOW witness (\S+) for carol@example.com/))[1] as string;
    expect((await owner(home, 'device', 'accept', witness)).status).toBe(0);
    await agent.waitFor(/SHOW connected carol@example.com/);
    const status = JSON.parse(runAgentCli(['status', '--json', '--config', config]).stdout) as {
      keystore: { tier: string };
      device: { mode: string };
    };
    expect(status.keystore.tier).toBe('memory');
    expect(status.device.mode).toBe('self');
    expect(await agent.stop()).toBe(0);
    // The memory tier forgot the seed: a second start refuses instead of making a new identity.
    const again = new AgentProcess(config, {}, withPorts({ memoryKeystore: true }));
    expect(await again.exited).toBe(1);
    expect(again.stderr.join('')).toMatch(
      /^mesh-agent: DeviceKeyLostError: device \S+ has no seed in keystore .*the key was lost\n$/,
    );
  });
});
