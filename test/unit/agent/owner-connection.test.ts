/**
 * @module test/unit/agent/owner-connection.test
 * The connection state machine on fakes: a FakeMeshService that signs and
 * verifies like a real one, a FakeClock, pinned jitter. Accept, Reject, Expired, Revoked;
 * the exact backoff; transport errors; restart mid-poll resuming the same request; two
 * owners independent; forged and replayed answers refused; start-up reconciliation.
 */
import { describe, expect, it } from 'vitest';
import { activationSecretName, type OwnerConnected, type OwnerPending } from '../../../src/agent/agent-state.js';
import { FakeMeshService } from '../../../src/agent/fakes/fake-mesh-service.js';
import { ServiceRefusedError } from '../../../src/agent/transport-errors.js';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import { acceptConnection } from '../../../src/mesh/connect/respond-connection.js';
import { fromUtf8 } from '../../../src/crypto/bytes.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { AgentWorld, SERVICE_A, SERVICE_B } from '../../helpers/agent-world.js';

async function activation(world: AgentWorld, account: string): Promise<string | undefined> {
  const bytes = await world.secrets.get(activationSecretName(account));
  return bytes === undefined ? undefined : fromUtf8(bytes);
}

function oneOwner() {
  const world = new AgentWorld();
  const alice = world.mesh.addOwner('alice@example.com', SERVICE_A);
  world.owners = [{ account: alice.account, service: SERVICE_A }];
  return { world, alice };
}

describe('one owner', () => {
  it('ConnectStart, witness shown, exact backoff while pending, Accept → connected with its activation', async () => {
    const { world, alice } = oneOwner();
    world.mesh.retryAfter = undefined;
    const agent = await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const pending = world.owner(alice.account) as OwnerPending;
    // The agent's witness is the one the owner recomputes from its own side.
    const [ack] = world.mesh.pending(alice);
    expect(pending.witness).toBe(verifyAcknowledgeConnection(ack!.json, { accountProfile: alice.profile }).witness);
    expect(world.announcer.of('witness')).toEqual([
      { kind: 'witness', account: alice.account, witness: pending.witness, deviceUdf: agent.state().device.udf },
    ]);
    // Pending five times: 0.75 × 1, 2, 4, 8, 8 s (jitter pinned low, cap 8 s).
    const polls = () => world.mesh.calls.filter((c) => c.name === 'ConnectStatus').length;
    await world.until(() => polls() === 5);
    expect(world.clock.sleeps).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    world.mesh.accept(alice, pending.witness, ['thermostat']);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    const connected = world.owner(alice.account) as OwnerConnected;
    expect(connected.roles).toEqual(['thermostat']);
    expect(connected.responseId).toBe(pending.responseId);
    expect(connected.accountUdf).toBe(alice.profile.udf);
    expect(await activation(world, alice.account)).toMatch(/^Z/);
    expect(world.announcer.of('connected')).toHaveLength(1);
    // Persisted: a restart reads the same.
    expect((await world.stateStore.load())?.owners['alice@example.com']?.state).toBe('connected');
    expect(world.mesh.calls.filter((c) => c.name === 'ConnectStart')).toHaveLength(1);
    await world.stop();
    expect(world.stateStore.status?.running).toBe(false);
    expect(world.stateStore.status?.owners[0]).toMatchObject({
      account: alice.account,
      state: 'connected',
      witness: pending.witness,
    });
  });

  it("honours the service's RetryAfter as a floor", async () => {
    const { world, alice } = oneOwner();
    world.mesh.retryAfter = 5;
    await world.start();
    await world.until(() => world.mesh.calls.filter((c) => c.name === 'ConnectStatus').length === 4);
    expect(world.owner(alice.account)?.state).toBe('pending');
    // 0.75 × 1 s after the start, then max(5 s, 1.5 s), max(5 s, 3 s), then 6 s exceeds the floor.
    expect(world.clock.sleeps).toEqual([750, 5000, 5000, 6000, 6000]);
    await world.stop();
  });

  it('Reject → rejected, terminal, no activation', async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    world.mesh.reject(alice);
    await world.until(() => world.owner(alice.account)?.state === 'rejected');
    expect(await activation(world, alice.account)).toBeUndefined();
    const calls = world.mesh.calls.length;
    await world.clock.advance(120_000);
    expect(world.mesh.calls.length).toBe(calls);
    await world.stop();
  });

  it('Expired → a fresh request after a delay, with a new witness', async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const first = (world.owner(alice.account) as OwnerPending).witness;
    world.mesh.expire(alice);
    await world.until(
      () =>
        world.mesh.calls.filter((c) => c.name === 'ConnectStart').length === 2 &&
        world.owner(alice.account)?.state === 'pending',
    );
    const second = world.owner(alice.account) as OwnerPending;
    expect(second.witness).not.toBe(first);
    expect(world.announcer.of('expired')).toHaveLength(1);
    expect(world.announcer.of('witness').map((w) => w.witness)).toEqual([first, second.witness]);
    world.mesh.accept(alice, second.witness);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    await world.stop();
  });

  it('Revoked → the activation is deleted, the state says revoked', async () => {
    const { world, alice } = oneOwner();
    const agent = await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    world.mesh.accept(alice);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    expect(await activation(world, alice.account)).toBeDefined();
    world.mesh.revoke(alice, agent.state().device.udf);
    await world.until(() => world.owner(alice.account)?.state === 'revoked');
    expect(await activation(world, alice.account)).toBeUndefined();
    expect(world.announcer.of('revoked')).toEqual([{ kind: 'revoked', account: alice.account }]);
    await world.stop();
  });

  it('transport errors keep the state and back off; the request is not re-made', async () => {
    const { world, alice } = oneOwner();
    world.mesh.retryAfter = undefined;
    await world.start();
    await world.clock.waitForSleepers(1);
    const before = world.owner(alice.account) as OwnerPending;
    expect(before.state).toBe('pending');
    world.mesh.failNext(3);
    world.mesh.failNext(1, new ServiceRefusedError('busy', 503, 30));
    await world.until(() => world.mesh.calls.filter((c) => c.name === 'ConnectStatus').length === 5);
    const after = world.owner(alice.account) as OwnerPending;
    expect(after.responseId).toBe(before.responseId);
    expect(after.lastError?.message).toMatch(/busy/);
    // 750 1500 3000 (unreachable ×3), then 503 with RetryAfter 30 s.
    expect(world.clock.sleeps.slice(0, 5)).toEqual([750, 1500, 3000, 6000, 30000]);
    expect(world.mesh.calls.filter((c) => c.name === 'ConnectStart')).toHaveLength(1);
    await world.stop();
  });

  it('the service cannot be reached at start: ConnectStart is retried with backoff', async () => {
    const { world, alice } = oneOwner();
    world.mesh.failNext(2);
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    expect(world.clock.sleeps.slice(0, 2)).toEqual([750, 1500]);
    await world.stop();
  });

  it('a restart mid-poll resumes the same request (no second ConnectStart, same witness)', async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const pending = world.owner(alice.account) as OwnerPending;
    await world.stop();
    // A new agent on the same keystore and state store: the device restarted.
    await world.start();
    expect(world.owner(alice.account)).toMatchObject({
      state: 'pending',
      responseId: pending.responseId,
      witness: pending.witness,
    });
    // The witness is shown again at start so a person can still compare it.
    expect(world.announcer.of('witness').at(-1)?.witness).toBe(pending.witness);
    world.mesh.accept(alice, pending.witness);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    expect(world.mesh.calls.filter((c) => c.name === 'ConnectStart')).toHaveLength(1);
    await world.stop();
  });

  it('a PIN from the configuration goes into the request (PinId), and is never logged', async () => {
    const { world, alice } = oneOwner();
    const pin = 'AARN-NLR2-QAHW-4FOR-BRW5-EFHF-NI';
    world.owners = [{ account: alice.account, service: SERVICE_A, pin }];
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const [ack] = world.mesh.pending(alice);
    expect(ack!.request.request.PinId).toMatch(/^A/);
    expect(world.logger.text()).not.toContain(pin);
    expect(world.stateStore.text).not.toContain(pin);
    await world.stop();
  });
});

describe('answers the device must refuse', () => {
  it('an Accept signed by another account (forged) is refused and polling goes on', async () => {
    const { world, alice } = oneOwner();
    const mallory = world.mesh.addOwner('mallory@example.com', SERVICE_A);
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const [ack] = world.mesh.pending(alice);
    // Mallory's admin key signs an Accept presented as Alice's.
    const forged = acceptConnection({
      acknowledgement: ack!,
      accountProfile: {
        ...alice.profile,
        keys: { ...alice.profile.keys, administratorSignature: mallory.profile.keys.administratorSignature },
      },
      accountKeys: mallory.keys,
      random: seededRandom(4),
      now: new Date(),
    });
    world.mesh.override = (call) =>
      call.name === 'ConnectStatus' ? { Result: 'Accept', EnvelopedRespondConnection: forged.json } : undefined;
    await world.until(() => world.owner(alice.account)?.lastError !== undefined);
    expect(world.owner(alice.account)?.state).toBe('pending');
    expect(world.owner(alice.account)?.lastError?.message).toMatch(/UnauthorizedSignerError/);
    expect(await activation(world, alice.account)).toBeUndefined();
    // The real answer still gets through once the service relays it.
    world.mesh.override = undefined;
    world.mesh.accept(alice);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    await world.stop();
  });

  it("a replayed answer (Alice's accept of another request) is refused", async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const [ourAck] = world.mesh.pending(alice);
    // Simplest replay: an Accept Alice made for an earlier request of this same device.
    world.mesh.expire(alice);
    await world.until(
      () =>
        world.mesh.calls.filter((c) => c.name === 'ConnectStart').length === 2 &&
        world.owner(alice.account)?.state === 'pending',
    );
    const current = world.owner(alice.account) as OwnerPending;
    expect(current.witness).not.toBe(ourAck!.witness);
    const stale = acceptConnection({
      acknowledgement: ourAck!,
      accountProfile: alice.profile,
      accountKeys: alice.keys,
      random: seededRandom(5),
      now: new Date(),
    });
    world.mesh.override = (call) =>
      call.name === 'ConnectStatus' ? { Result: 'Accept', EnvelopedRespondConnection: stale.json } : undefined;
    await world.until(() => world.owner(alice.account)?.lastError?.message.includes('MessageIdMismatchError') === true);
    expect(world.owner(alice.account)?.state).toBe('pending');
    expect(await activation(world, alice.account)).toBeUndefined();
    await world.stop();
  });

  it('an acknowledgement not signed by the service of Hello is refused before any witness is shown', async () => {
    const { world, alice } = oneOwner();
    const evil = new FakeMeshService(99);
    evil.addService('https://evil.example/');
    const evilHello = await evil.hello('https://evil.example/');
    world.mesh.override = (call) => (call.name === 'Hello' ? evilHello : undefined);
    await world.start();
    await world.until(() => world.owner(alice.account)?.lastError !== undefined);
    expect(world.owner(alice.account)).toMatchObject({ state: 'new' });
    expect(world.owner(alice.account)?.lastError?.message).toMatch(/UnauthorizedSignerError/);
    expect(world.announcer.of('witness')).toEqual([]);
    await world.stop();
  });

  it("ConnectStart answered with another account's profile is refused", async () => {
    const { world, alice } = oneOwner();
    const bob = world.mesh.addOwner('bob@example.com', SERVICE_A);
    world.mesh.override = (call) => {
      if (call.name !== 'ConnectStart') return undefined;
      world.mesh.override = undefined;
      const request = call.request as { AccountAddress: string; EnvelopedRequestConnection: never };
      // The real acknowledgement, presented with Bob's profile: the witness would be over Bob.
      return world.mesh
        .connectStart(SERVICE_A, request)
        .then((answer) => ({ ...answer, EnvelopedProfileAccount: bob.profile.json }));
    };
    await world.start();
    await world.clock.waitForSleepers(1);
    expect(world.owner(alice.account)?.state).toBe('new');
    expect(world.owner(alice.account)?.lastError?.message).toMatch(
      /AccountMismatchError: ConnectStart answered with the profile of bob@example.com/,
    );
    expect(world.announcer.of('witness')).toEqual([]);
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    await world.stop();
  });
});

describe('several owners', () => {
  it('two owners on two services connect independently; rejecting or revoking one leaves the other', async () => {
    const world = new AgentWorld();
    world.random = seededRandom(12);
    const alice = world.mesh.addOwner('alice@example.com', SERVICE_A);
    const bob = world.mesh.addOwner('bob@example.net', SERVICE_B);
    const carol = world.mesh.addOwner('carol@example.net', SERVICE_B);
    world.owners = [alice, bob, carol].map((o) => ({ account: o.account, service: o.service }));
    const agent = await world.start();
    await world.until(() => [alice, bob, carol].every((o) => world.owner(o.account)?.state === 'pending'));
    const witnesses = [alice, bob, carol].map((o) => (world.owner(o.account) as OwnerPending).witness);
    expect(new Set(witnesses).size).toBe(3);
    world.mesh.accept(alice);
    world.mesh.accept(bob);
    world.mesh.reject(carol);
    await world.until(
      () =>
        world.owner(alice.account)?.state === 'connected' &&
        world.owner(bob.account)?.state === 'connected' &&
        world.owner(carol.account)?.state === 'rejected',
    );
    const a = await activation(world, alice.account);
    const b = await activation(world, bob.account);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
    world.mesh.revoke(bob, agent.state().device.udf);
    await world.until(() => world.owner(bob.account)?.state === 'revoked');
    expect(await activation(world, bob.account)).toBeUndefined();
    expect(await activation(world, alice.account)).toBe(a);
    expect(world.owner(alice.account)?.state).toBe('connected');
    await world.stop();
    const status = world.stateStore.status!;
    expect(status.owners.map((o) => [o.account, o.state])).toEqual([
      ['alice@example.com', 'connected'],
      ['bob@example.net', 'revoked'],
      ['carol@example.net', 'rejected'],
    ]);
    expect(status.keystore.tier).toBe('memory');
  });
});

describe('start-up reconciliation', () => {
  it('an activation seed without a connected owner (a crash mid-revocation) is removed', async () => {
    const { world } = oneOwner();
    await world.secrets.put(activationSecretName('zed@example.org'), new TextEncoder().encode('ZAAA'));
    await world.start();
    expect(await world.secrets.list()).not.toContain(activationSecretName('zed@example.org'));
    await world.stop();
  });

  it('a connected owner whose activation is missing asks again instead of pretending', async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    world.mesh.accept(alice);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    await world.stop();
    await world.secrets.delete(activationSecretName(alice.account));
    await world.start();
    expect(world.owner(alice.account)?.state).toBe('new');
    expect(world.owner(alice.account)?.lastError?.message).toMatch(/missing from keystore/);
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    await world.stop();
  });

  it('an owner removed from the configuration while only asking is forgotten; a connected one is kept', async () => {
    const world = new AgentWorld();
    const alice = world.mesh.addOwner('alice@example.com', SERVICE_A);
    const bob = world.mesh.addOwner('bob@example.com', SERVICE_A);
    world.owners = [alice, bob].map((o) => ({ account: o.account, service: o.service }));
    await world.start();
    await world.until(
      () => world.owner(alice.account)?.state === 'pending' && world.owner(bob.account)?.state === 'pending',
    );
    world.mesh.accept(alice);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    await world.stop();
    world.owners = [];
    await world.start();
    expect(Object.keys(world.agent!.state().owners)).toEqual(['alice@example.com']);
    await world.stop();
  });
});
