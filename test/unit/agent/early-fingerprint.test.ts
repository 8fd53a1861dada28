/**
 * @module test/unit/agent/early-fingerprint.test
 * The fingerprint is shown before the profile is re-derived from the seed (the
 * cold start to "fingerprint shown"): from the saved state on a restart, from the
 * preconfiguration's self-signed profile on a factory first boot, and after generation on
 * a self-mode first boot. It is shown once per start, and a start whose proof does not
 * hold is still refused with nothing imported.
 */
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/agent/agent.js';
import { DeviceKeyMismatchError, PreconfigurationError } from '../../../src/agent/agent-errors.js';
import { DEVICE_SEED_SECRET } from '../../../src/agent/agent-state.js';
import { MemoryPreconfigurationFile } from '../../../src/agent/fakes/memory-ports.js';
import { knownIdentity } from '../../../src/agent/first-boot.js';
import type { SecretStore } from '../../../src/agent/secret-store.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { createDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import { DevicePreconfigurationSchema } from '../../../src/mesh/objects/device-preconfiguration.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { AgentWorld } from '../../helpers/agent-world.js';

const PATH = '/boot/device.medk';
const random = seededRandom(23);
const newSeed = (): string => newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random);

function preconfigurationText(seed: string): { text: string; udf: string } {
  const made = createDevicePreconfiguration({ deviceSeed: seed, makerAccount: 'maker@example.com' });
  return {
    text: JSON.stringify({ DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) }),
    udf: made.deviceUdf,
  };
}

/** Records, at each fingerprint announcement, whether the keystore had been written yet. */
function watchKeystore(world: AgentWorld): { writesBeforeFingerprint: number[] } {
  const seen = { writesBeforeFingerprint: [] as number[] };
  let writes = 0;
  const inner = world.secrets;
  const put = inner.put.bind(inner);
  (inner as { put: SecretStore['put'] }).put = async (name, value) => {
    writes++;
    return put(name, value);
  };
  const announce = world.announcer.announce.bind(world.announcer);
  world.announcer.announce = (a) => {
    if (a.kind === 'fingerprint') seen.writesBeforeFingerprint.push(writes);
    announce(a);
  };
  return seen;
}

describe('the fingerprint is shown before the seed is re-derived', () => {
  it('factory first boot: shown from the self-signed profile before the seed is imported, once', async () => {
    const world = new AgentWorld();
    const { text, udf } = preconfigurationText(newSeed());
    world.preconfiguration = new MemoryPreconfigurationFile(PATH, text);
    const seen = watchKeystore(world);
    const agent = await Agent.start(world.deps(), world.settings());
    expect(world.announcer.of('fingerprint')).toEqual([{ kind: 'fingerprint', deviceUdf: udf, mode: 'factory' }]);
    expect(seen.writesBeforeFingerprint).toEqual([0]);
    expect(agent.state().device.udf).toBe(udf);
    expect(world.logger.lines.filter((l) => l.message === `device fingerprint ${udf}`)).toHaveLength(1);
  });

  it('restart: shown from the saved state, once, and the same UDF the seed proves', async () => {
    const world = new AgentWorld();
    const { text, udf } = preconfigurationText(newSeed());
    world.preconfiguration = new MemoryPreconfigurationFile(PATH, text);
    await Agent.start(world.deps(), world.settings());
    const restarted = new AgentWorld();
    Object.assign(restarted, { preconfiguration: world.preconfiguration });
    // Same keystore and state as the first start.
    const deps = { ...restarted.deps(), secrets: world.secrets, stateStore: world.stateStore };
    expect((await knownIdentity(await world.stateStore.load(), world.preconfiguration))?.source).toBe('state');
    const agent = await Agent.start(deps, restarted.settings());
    expect(restarted.announcer.of('fingerprint')).toEqual([{ kind: 'fingerprint', deviceUdf: udf, mode: 'factory' }]);
    expect(agent.state().device.udf).toBe(udf);
  });

  it('self mode first boot: nothing to show before the seed exists; shown once after', async () => {
    const world = new AgentWorld();
    expect(await knownIdentity(undefined, undefined)).toBeUndefined();
    const seen = watchKeystore(world);
    const agent = await Agent.start(world.deps(), world.settings());
    expect(world.announcer.of('fingerprint')).toEqual([
      { kind: 'fingerprint', deviceUdf: agent.state().device.udf, mode: 'self' },
    ]);
    expect(seen.writesBeforeFingerprint).toEqual([1]);
  });

  it('a validly self-signed profile whose seed is wrong: shown, then refused, nothing imported', async () => {
    const world = new AgentWorld();
    const { text, udf } = preconfigurationText(newSeed());
    const other = preconfigurationText(newSeed());
    // The first file's profile with the second file's seed: the envelope verifies, the seed does not regenerate it.
    const body = JSON.parse(text) as { DevicePreconfiguration: Record<string, unknown> };
    body.DevicePreconfiguration['PrivateKey'] = (JSON.parse(other.text) as typeof body).DevicePreconfiguration[
      'PrivateKey'
    ];
    world.preconfiguration = new MemoryPreconfigurationFile(PATH, JSON.stringify(body));
    await expect(Agent.start(world.deps(), world.settings())).rejects.toBeInstanceOf(PreconfigurationError);
    expect(world.announcer.of('fingerprint')).toEqual([{ kind: 'fingerprint', deviceUdf: udf, mode: 'factory' }]);
    expect(await world.secrets.get(DEVICE_SEED_SECRET)).toBeUndefined();
    expect(world.preconfiguration.replaced).toBe(0);
    expect(await world.stateStore.load()).toBeUndefined();
  });

  it('a tampered profile: nothing shown early, the boot names the problem', async () => {
    const world = new AgentWorld();
    const { text } = preconfigurationText(newSeed());
    const body = JSON.parse(text) as { DevicePreconfiguration: { EnvelopedProfileDevice: unknown[] } };
    const envelope = body.DevicePreconfiguration.EnvelopedProfileDevice;
    // Flip one character of the payload (base64url): the self-signature no longer verifies.
    const payload = String(envelope[1]);
    envelope[1] = (payload[10] === 'A' ? 'B' : 'A') + payload.slice(1);
    world.preconfiguration = new MemoryPreconfigurationFile(PATH, JSON.stringify(body));
    expect(await knownIdentity(undefined, world.preconfiguration)).toBeUndefined();
    await expect(Agent.start(world.deps(), world.settings())).rejects.toBeInstanceOf(PreconfigurationError);
    expect(world.announcer.of('fingerprint')).toEqual([]);
  });

  it('a state naming another device than the seed proves: the early fingerprint is withdrawn by a refusal', async () => {
    const world = new AgentWorld();
    await Agent.start(world.deps(), world.settings());
    const saved = await world.stateStore.load();
    if (saved === undefined) throw new TypeError('no state saved');
    const impostor = preconfigurationText(newSeed()).udf;
    await world.stateStore.save({ ...saved, device: { ...saved.device, udf: impostor } });
    const again = new AgentWorld();
    const deps = { ...again.deps(), secrets: world.secrets, stateStore: world.stateStore };
    await expect(Agent.start(deps, again.settings())).rejects.toBeInstanceOf(DeviceKeyMismatchError);
    expect(again.announcer.of('fingerprint')).toEqual([{ kind: 'fingerprint', deviceUdf: impostor, mode: 'self' }]);
  });
});
