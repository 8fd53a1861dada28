/**
 * @module test/contract/mesh-transport-fake.test
 * The MeshTransport contract against FakeMeshService, the in-memory service the agent's unit
 * tests run on: whatever the real service answers (mesh-transport-http.test), the fake must
 * answer too.
 */
import { FakeMeshService } from '../../src/agent/fakes/fake-mesh-service.js';
import {
  meshTransportContract,
  type MeshTransportWorld,
  type MeshTransportWorldOptions,
} from './mesh-transport-contract.js';

const SERVICE = 'https://mesh.example.com/';
const PENDING_LIFETIME_MS = 10 * 60_000;

async function fakeWorld(options: MeshTransportWorldOptions): Promise<MeshTransportWorld> {
  let now = Date.parse('2026-11-21T10:00:00Z');
  const fake = new FakeMeshService(11);
  fake.now = () => new Date(now);
  fake.pendingLifetimeMs = PENDING_LIFETIME_MS;
  if (options.connectStartLimit !== undefined) fake.connectStartLimit = options.connectStartLimit;
  fake.addService(SERVICE);
  const owners = new Map<string, ReturnType<FakeMeshService['addOwner']>>();
  return {
    transport: fake,
    service: SERVICE,
    pendingLifetimeMs: PENDING_LIFETIME_MS,
    async addOwner(account) {
      const owner = fake.addOwner(account, SERVICE);
      owners.set(account, owner);
      return { account, profile: owner.profile, keys: owner.keys };
    },
    async complete(owner, respond) {
      return fake.complete(owners.get(owner.account) as ReturnType<FakeMeshService['addOwner']>, respond);
    },
    async advance(ms) {
      now += ms;
    },
    async close() {},
  };
}

meshTransportContract('FakeMeshService', fakeWorld);
