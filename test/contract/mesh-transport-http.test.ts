/**
 * @module test/contract/mesh-transport-http.test
 * The MeshTransport contract against the agent's real transport (HttpMeshTransport, the
 * typed HTTP client underneath) talking to the real service on loopback, its clock moved by
 * the test and its ConnectStart rate limit set through the service's own configuration.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMeshTransport } from '../../src/cli/agent/http-transport.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_RATE_LIMITS } from '../../src/service/rate-limit/rate-limit-config.js';
import { startService } from '../../src/service/service-runner.js';
import { TestClock, TestOwner } from '../integration/service/service-harness.js';
import {
  meshTransportContract,
  type MeshTransportWorld,
  type MeshTransportWorldOptions,
} from './mesh-transport-contract.js';

const PENDING_LIFETIME_MS = 10 * 60_000;

async function httpWorld(options: MeshTransportWorldOptions): Promise<MeshTransportWorld> {
  const directory = await mkdtemp(join(tmpdir(), 'mesh-transport-contract-'));
  const clock = new TestClock();
  const rateLimits =
    options.connectStartLimit === undefined
      ? { ...DEFAULT_RATE_LIMITS, enabled: false }
      : {
          ...DEFAULT_RATE_LIMITS,
          classes: { ...DEFAULT_RATE_LIMITS.classes, ConnectStart: { source: options.connectStartLimit } },
        };
  const running = await startService({
    dataDirectory: join(directory, 'data'),
    listen: { host: '127.0.0.1', port: 0 },
    clock: clock.read,
    maintenanceIntervalMs: 0,
    config: { pendingLifetimeMs: PENDING_LIFETIME_MS, rateLimits },
  });
  const random = seededRandom(7);
  const owners = new Map<string, TestOwner>();
  return {
    transport: new HttpMeshTransport(),
    service: running.url,
    pendingLifetimeMs: PENDING_LIFETIME_MS,
    async addOwner(account) {
      const owner = new TestOwner(account, random, clock);
      const created = await owner.create(running.url);
      if (created.body['Status'] !== 201 && created.body['Status'] !== 200)
        throw new Error(`CreateAccount answered ${created.raw.slice(0, 300)}`);
      owners.set(account, owner);
      return { account, profile: owner.profile, keys: owner.keys };
    },
    async complete(owner, respond) {
      const signer = owners.get(owner.account) as TestOwner;
      const reply = await signer.signed(running.url, {
        ConnectCompleteRequest: { AccountAddress: owner.account, EnvelopedRespondConnection: respond },
      });
      const status = reply.body['Status'] as number;
      return status >= 200 && status < 300 ? { ok: true } : { ok: false, status };
    },
    async advance(ms) {
      clock.advance(ms);
    },
    async close() {
      await running.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

meshTransportContract('HttpMeshTransport and the real service', httpWorld);
