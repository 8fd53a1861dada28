/**
 * @module test/unit/agent/rate-limited
 * The agent under a rate-limited front door, on the fakes and the fake clock: a 429 with
 * RetryAfter, on ConnectStart, on ConnectStatus while pending and on the revocation check
 * once connected, means "wait at least that long, then try again", never a refusal that ends
 * the connection; the request is not re-made and the state is kept.
 */
import { describe, expect, it } from 'vitest';
import type { OwnerPending } from '../../../src/agent/agent-state.js';
import { ServiceRefusedError } from '../../../src/agent/transport-errors.js';
import { AgentWorld, SERVICE_A } from '../../helpers/agent-world.js';

const limited = (seconds: number) =>
  new ServiceRefusedError(`ConnectStart refused with Status 429: too many requests from this source`, 429, seconds);

function oneOwner() {
  const world = new AgentWorld();
  world.mesh.retryAfter = undefined;
  const alice = world.mesh.addOwner('alice@example.com', SERVICE_A);
  world.owners = [{ account: alice.account, service: SERVICE_A }];
  return { world, alice };
}

const calls = (world: AgentWorld, name: string) => world.mesh.calls.filter((c) => c.name === name).length;

describe('429 with RetryAfter', () => {
  it('on ConnectStart: waits at least RetryAfter each time, then the request is made', async () => {
    const { world, alice } = oneOwner();
    // Hello succeeds, ConnectStart is refused; twice.
    world.mesh.override = (call) => {
      if (call.name === 'ConnectStart' && calls(world, 'ConnectStart') <= 2) throw limited(40);
      return undefined;
    };
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    expect(calls(world, 'ConnectStart')).toBe(3);
    // 40 s floor over the 0.75 s and 1.5 s the schedule would have waited.
    expect(world.clock.sleeps.slice(0, 2)).toEqual([40_000, 40_000]);
    await world.stop();
  });

  it('on ConnectStatus while pending: the same request stays pending and is polled after RetryAfter', async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    const before = world.owner(alice.account) as OwnerPending;
    const polled = calls(world, 'ConnectStatus');
    const slept = world.clock.sleeps.length;
    world.mesh.failNext(1, limited(90));
    await world.until(() => calls(world, 'ConnectStatus') === polled + 2);
    const after = world.owner(alice.account) as OwnerPending;
    expect(after).toMatchObject({ state: 'pending', responseId: before.responseId });
    expect(after.lastError?.message).toMatch(/429/);
    // Without the floor no wait here exceeds the 8 s cap.
    expect(world.clock.sleeps.slice(slept)).toContain(90_000);
    expect(calls(world, 'ConnectStart')).toBe(1);
    world.mesh.accept(alice, before.witness);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    await world.stop();
  });

  it('on the revocation check once connected: RetryAfter beyond the usual pace is honoured, the device stays connected', async () => {
    const { world, alice } = oneOwner();
    await world.start();
    await world.until(() => world.owner(alice.account)?.state === 'pending');
    world.mesh.accept(alice, (world.owner(alice.account) as OwnerPending).witness);
    await world.until(() => world.owner(alice.account)?.state === 'connected');
    const polled = calls(world, 'ConnectStatus');
    const slept = world.clock.sleeps.length;
    world.mesh.override = (call) => {
      if (call.name === 'ConnectStatus' && calls(world, 'ConnectStatus') === polled + 1) throw limited(3600);
      return undefined;
    };
    await world.until(() => calls(world, 'ConnectStatus') === polled + 1);
    await world.until(() => calls(world, 'ConnectStatus') === polled + 2, 10_000_000);
    // An hour, although the connected pace is the 8 s cap.
    expect(world.clock.sleeps.slice(slept)).toContain(3_600_000);
    expect(world.owner(alice.account)?.state).toBe('connected');
    await world.stop();
  });
});
