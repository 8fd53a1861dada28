/**
 * @module test/integration/owner/agent-rate-limited
 * The built agent against the real service with a tiny ConnectStart rate limit, all on
 * 127.0.0.1: a stranger from the same address used the one token, so the agent's ConnectStart
 * is answered 429 with RetryAfter. The agent waits at least that long (one refusal, not a
 * retry at its own 0.4 s pace), then its request is filed and the owner accepts it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/crypto/random.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { MeshClient } from '../../../src/platform/http/mesh-client.js';
import { AgentProcess, stopAllAgents, tempDirectory, writeConfig } from '../../helpers/agent-process.js';
import { owner, ownerJson, startTestService, type TestService } from './owner-harness.js';

let service: TestService | undefined;
afterAll(async () => {
  await stopAllAgents();
  await service?.close();
});

describe('the agent under a ConnectStart rate limit', () => {
  it('waits out RetryAfter after a 429, then connects; the owner accepts it', async () => {
    service = await startTestService({
      config: {
        rateLimits: {
          enabled: true,
          maxTrackedKeys: 1000,
          classes: { ConnectStart: { source: { burst: 1, perMinute: 30 } } },
        },
      },
    });
    const account = 'limited@example.com';
    const dir = await tempDirectory('mesh-agent-limited-');
    const home = `${dir}/home`;
    await ownerJson(home, 'account', 'create', account, '--service', service.url);

    // A stranger on the same address takes the only token.
    const stranger = createRequestConnection({
      deviceSeed: newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom),
      accountAddress: account,
      random: systemRandom,
    });
    await new MeshClient({ service: service.url }).connectStart({
      AccountAddress: account,
      EnvelopedRequestConnection: stranger.json,
    });

    const config = await writeConfig(dir, {
      stateDirectory: `${dir}/state`,
      owners: [{ account, service: service.url }],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0.1, honorRetryAfter: true },
    });
    const agent = new AgentProcess(config);
    const refusedAt = agent.lines.length;
    await agent.waitFor(/429/, 15_000);
    const witness = (await agent.waitFor(/SHOW witness (\S+) for limited@example.com/, 15_000))[1] as string;
    // Honouring RetryAfter (2 s) means one refusal; its own 0.4 s pace would have met several.
    const refusals = agent.lines.slice(refusedAt).filter((l) => /429/.test(l));
    expect(refusals, agent.lines.join('\n')).toHaveLength(1);

    const accepted = await owner(home, 'device', 'accept', witness);
    expect(accepted.status, accepted.stderr).toBe(0);
    await agent.waitFor(/SHOW connected limited@example.com/, 15_000);
    await agent.stop();
  }, 60_000);
});
