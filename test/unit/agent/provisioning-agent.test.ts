/**
 * @module test/unit/agent/provisioning-agent.test
 * The serial commands against a real Agent on fakes: connect adds an owner that
 * connects and survives a restart; unpair drops one owner (record, activation) and keeps a
 * configured one from coming back; set-service moves an owner; a PIN goes to the keystore and
 * never into a reply or log line; factory-reset of a self-mode device makes a new identity,
 * also when a crash interrupted it; nothing a reply carries holds a seed.
 */
import { describe, expect, it } from 'vitest';
import { activationSecretName, DEVICE_SEED_SECRET } from '../../../src/agent/agent-state.js';
import { settle } from '../../../src/agent/fakes/fake-clock.js';
import { ConfirmationChallenges, type ShownCode } from '../../../src/agent/provisioning/confirmation-challenges.js';
import { ProvisionedAgent } from '../../../src/agent/provisioning/provisioned-agent.js';
import { ProvisioningHandler } from '../../../src/agent/provisioning/provisioning-handler.js';
import {
  pinSecretName,
  type OverlayStore,
  type ProvisioningOverlay,
} from '../../../src/agent/provisioning/provisioning-overlay.js';
import type { Reply } from '../../../src/agent/provisioning/protocol.js';
import { fromUtf8 } from '../../../src/crypto/bytes.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import { AgentWorld, SERVICE_A, SERVICE_B } from '../../helpers/agent-world.js';

class MemoryOverlay implements OverlayStore {
  readonly location = 'memory';
  value: ProvisioningOverlay | undefined;
  async load() {
    return this.value === undefined ? undefined : (JSON.parse(JSON.stringify(this.value)) as ProvisioningOverlay);
  }
  async save(o: ProvisioningOverlay) {
    this.value = JSON.parse(JSON.stringify(o)) as ProvisioningOverlay;
  }
}

class Device {
  readonly world = new AgentWorld();
  readonly overlay = new MemoryOverlay();
  readonly shown: ShownCode[] = [];
  readonly replies: Reply[] = [];
  agent!: ProvisionedAgent;
  handler!: ProvisioningHandler;
  #controller = new AbortController();
  #running: Promise<void> | undefined;
  #id = 0;

  async start(): Promise<void> {
    this.agent = await ProvisionedAgent.start({
      deps: this.world.deps(),
      settings: this.world.settings(),
      overlay: this.overlay,
    });
    this.handler = new ProvisioningHandler({
      device: this.agent,
      challenges: new ConfirmationChallenges(this.world.clock, seededRandom(9), {
        show: (s) => void this.shown.push(s),
      }),
      logger: this.world.logger,
    });
    this.#controller = new AbortController();
    this.#running = this.agent.run(this.#controller.signal);
    await settle();
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await this.#running;
  }

  async send(cmd: string, args: Record<string, string> = {}): Promise<Reply> {
    const pending = this.handler.handle({ v: 1, id: ++this.#id, cmd, args });
    // A restart inside the command may wait on fake time.
    for (let i = 0; i < 50; i++) {
      const done = await Promise.race([pending.then(() => true), settle().then(() => false)]);
      if (done) break;
      await this.world.clock.advance(10);
    }
    const reply = await pending;
    this.replies.push(reply);
    return reply;
  }

  owner(account: string) {
    return this.agent.agent.state().owners[account.toLowerCase()];
  }

  async until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !done(); i++) await this.world.clock.advance(500);
    expect(done()).toBe(true);
  }
}

describe('the serial commands against the agent', () => {
  it('connect → pending → accepted; persisted across a restart; unpair keeps the other owner and the configured one away', async () => {
    const d = new Device();
    const alice = d.world.mesh.addOwner('alice@example.com', SERVICE_A);
    const bob = d.world.mesh.addOwner('bob@example.com', SERVICE_B);
    d.world.owners = [{ account: bob.account, service: SERVICE_B }];
    await d.start();
    expect(await d.send('connect', { account: 'alice@example.com', service: SERVICE_A })).toMatchObject({
      ok: true,
      result: { owner: { account: 'alice@example.com', state: 'new' } },
    });
    expect(d.overlay.value?.owners).toEqual([{ account: 'alice@example.com', service: SERVICE_A }]);
    await d.until(
      () => d.owner('alice@example.com')?.state === 'pending' && d.owner('bob@example.com')?.state === 'pending',
    );
    d.world.mesh.accept(alice);
    d.world.mesh.accept(bob);
    await d.until(
      () => d.owner('alice@example.com')?.state === 'connected' && d.owner('bob@example.com')?.state === 'connected',
    );
    const seeds = [...(await d.world.secrets.list())].filter(
      (n) => n.startsWith('activation/') || n === DEVICE_SEED_SECRET,
    );
    expect(seeds).toHaveLength(3);

    // Restart: alice (added over the line) is still an owner.
    await d.stop();
    await d.start();
    expect(d.owner('alice@example.com')?.state).toBe('connected');

    // unpair the configured bob: gone now and after a restart; alice untouched.
    expect(await d.send('unpair', { account: 'bob@example.com' })).toMatchObject({
      ok: true,
      result: { previousState: 'connected' },
    });
    expect(d.owner('bob@example.com')).toBeUndefined();
    expect(await d.world.secrets.get(activationSecretName('bob@example.com'))).toBeUndefined();
    expect(d.owner('alice@example.com')?.state).toBe('connected');
    await d.stop();
    await d.start();
    expect(d.owner('bob@example.com')).toBeUndefined();
    expect(d.overlay.value?.unpaired).toEqual(['bob@example.com']);

    // set-service moves alice; the maker has none on this device.
    expect(await d.send('set-service', { target: 'alice@example.com', service: SERVICE_B })).toMatchObject({
      ok: true,
    });
    expect(d.owner('alice@example.com')?.service).toBe(SERVICE_B);
    expect(await d.send('set-service', { target: 'maker', service: SERVICE_B })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    expect(await d.send('set-service', { target: 'nobody@example.com', service: SERVICE_B })).toMatchObject({
      ok: false,
      error: { code: 'no-such-owner' },
    });
    expect(await d.send('connect', { acount: 'x@example.com' })).toMatchObject({
      ok: false,
      error: { code: 'bad-args', message: expect.stringContaining('did you mean "account"') },
    });
    await d.stop();

    // No seed in any reply.
    const text = JSON.stringify(d.replies);
    for (const name of await d.world.secrets.list())
      expect(text).not.toContain(fromUtf8((await d.world.secrets.get(name))!));
  });

  it('a PIN given with connect is kept in the keystore, never echoed or logged, and removed with the owner', async () => {
    const d = new Device();
    d.world.mesh.addOwner('carol@example.com', SERVICE_A);
    await d.start();
    const pin = newPin(seededRandom(5));
    const reply = await d.send('connect', { account: 'carol@example.com', pin, service: SERVICE_A });
    expect(reply).toMatchObject({ ok: true, result: { pin: true } });
    expect(fromUtf8((await d.world.secrets.get(pinSecretName('carol@example.com')))!)).toBe(pin);
    await d.until(() => d.world.mesh.calls.some((c) => c.name === 'ConnectStart'));
    await d.send('unpair', { account: 'carol@example.com' });
    expect(await d.world.secrets.get(pinSecretName('carol@example.com'))).toBeUndefined();
    // A PIN the validator refuses is refused without being echoed.
    const bad = await d.send('connect', { account: 'dave@example.com', pin: 'not-a-pin-secret-text' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-args', details: { field: '$.args.pin' } } });
    expect(JSON.stringify(bad)).not.toContain('not-a-pin-secret-text');
    expect(JSON.stringify(d.replies)).not.toContain(pin);
    expect(d.world.logger.text()).not.toContain(pin);
    await d.stop();
  });

  it('factory-reset of a self-mode device needs the shown code and makes a new identity; a crash mid-reset is finished at the next start', async () => {
    const d = new Device();
    const alice = d.world.mesh.addOwner('alice@example.com', SERVICE_A);
    await d.start();
    const before = d.agent.status().device.udf;
    await d.send('connect', { account: alice.account, service: SERVICE_A });
    await d.until(() => d.owner(alice.account)?.state === 'pending');
    d.world.mesh.accept(alice);
    await d.until(() => d.owner(alice.account)?.state === 'connected');

    expect(await d.send('factory-reset')).toMatchObject({
      ok: false,
      error: { code: 'confirmation-required', details: { identity: 'regenerate' } },
    });
    expect(d.shown.at(-1)).toMatchObject({ action: 'factory-reset', target: before });
    const reset = await d.send('factory-reset', { code: d.shown.at(-1)!.code });
    expect(reset).toMatchObject({ ok: true, result: { identity: 'regenerated' } });
    const after = d.agent.status().device.udf;
    expect(after).not.toBe(before);
    expect(d.agent.status().owners).toEqual([]);
    expect((await d.world.secrets.list()).filter((n) => n.startsWith('activation/'))).toEqual([]);
    expect(d.overlay.value?.resetIdentity).toBe(false);
    await d.stop();

    // A crash after the overlay said "reset" but before the new identity was saved.
    await d.overlay.save({ ...d.overlay.value!, resetIdentity: true });
    await d.start();
    expect(d.agent.status().device.udf).not.toBe(after);
    expect(d.overlay.value?.resetIdentity).toBe(false);
    await d.stop();
  });
});
