/**
 * @module test/integration/mqtt/mqtt.test
 * MQTT push (docs/service-protocol.md) against a real mosquitto with a password file and an ACL: the notice round trip
 * (the owner's accept reaches a device that would otherwise poll only every 30 s), a broker
 * restart, wrong credentials (push and an owner's broker), owner isolation of application
 * entries (owner B and the service cannot read owner A's), and configuration change and
 * removal without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationSecretName } from '../../../src/agent/agent-state.js';
import { fromUtf8 } from '../../../src/crypto/bytes.js';
import { openApplicationEntryMqtt } from '../../../src/mesh/connect/application-entry-mqtt.js';
import { combinedKeyPairs } from '../../../src/mesh/connect/cataloged-device.js';
import { deviceBaseKeyPairs } from '../../../src/mesh/profiles/profile-device.js';
import { MeshClient } from '../../../src/platform/http/mesh-client.js';
import { ProtocolError } from '../../../src/platform/http/http-errors.js';
import { openOwner } from '../../helpers/agent-owner.js';
import { owner } from '../owner/owner-harness.js';
import { MqttWorld, PASSWORDS, type TestDevice } from './mqtt-world.js';

const SLOW_POLLING = { initialDelayMs: 30_000, maxDelayMs: 60_000, factor: 2, jitter: 0.25, honorRetryAfter: true };
const FAST_POLLING = { initialDelayMs: 300, maxDelayMs: 1_000, factor: 2, jitter: 0.25, honorRetryAfter: false };

const world = new MqttWorld();
let d1: TestDevice;

beforeAll(async () => {
  await world.start();
}, 60_000);
afterAll(async () => {
  await world.close();
}, 30_000);

function pushState(device: TestDevice): string | undefined {
  return device.agent.status().mqtt?.push[0]?.state;
}
function appStatus(device: TestDevice, account: string) {
  return device.agent.status().mqtt?.applications.find((a) => a.account === account);
}

describe('MQTT against a real mosquitto', () => {
  it('notice round trip: the owner accepts and the device reports connected at once, though it polls every 30 s', async () => {
    d1 = await world.device(0, { owners: ['alice@example.com', 'bob@example.com'], polling: SLOW_POLLING });
    await world.until(
      'the push subscription',
      () => pushState(d1) === 'connected',
      10_000,
      () => d1.agent.status().mqtt,
    );
    const witness = await world.witness(d1, 'alice@example.com');
    const before = world.notices.published;
    const accepted = Date.now();
    expect((await owner(world.aliceHome, 'device', 'accept', witness)).status).toBe(0);
    await world.until(
      'alice connected',
      () => d1.agent.state().owners['alice@example.com']?.state === 'connected',
      5_000,
    );
    const elapsed = Date.now() - accepted;
    expect(elapsed).toBeLessThan(3_000);
    expect(world.notices.published).toBeGreaterThan(before);
    // The notice names nothing secret: the type and the ResponseId only.
    const notice = world.lastSeen(`mesh/v1/device/${d1.udf}/notice`);
    expect(notice?.['type']).toBe('respond');
    expect(Object.keys(notice ?? {}).sort()).toEqual(['responseId', 'type']);
  }, 40_000);

  it("the owner's broker: configure gives the device alice's broker; it publishes a retained online status with its UDF and version", async () => {
    const result = await owner(
      world.aliceHome,
      'device',
      'configure',
      d1.udf,
      '--mqtt-url',
      world.broker.url,
      '--mqtt-user',
      'alice-dev',
      '--mqtt-password',
      PASSWORDS.alice,
      '--topic-prefix',
      'alice',
      '--json',
    );
    expect(result.status, result.stderr).toBe(0);
    const topic = `alice/${d1.udf}/status`;
    await world.until(
      'online at alice',
      () => world.lastSeen(topic)?.['state'] === 'online',
      10_000,
      () => d1.agent.status().mqtt,
    );
    expect(world.lastSeen(topic)).toMatchObject({
      state: 'online',
      device: d1.udf,
      version: 'test-1.2.3',
      account: 'alice@example.com',
    });
    expect(appStatus(d1, 'alice@example.com')).toMatchObject({ state: 'connected', topic });
    // The credentials are in the keystore, never in the state.
    expect(JSON.stringify(d1.agent.state())).not.toContain(PASSWORDS.alice);
    expect(JSON.stringify(d1.agent.status())).not.toContain(PASSWORDS.alice);
    expect(d1.logger.lines.some((l) => JSON.stringify(l).includes(PASSWORDS.alice))).toBe(false);
  }, 30_000);

  it('broker restart: push and the owner broker go unreachable, come back on the backoff schedule, and a notice after the restart still arrives', async () => {
    await world.broker.stop();
    await world.until('push unreachable', () => pushState(d1) === 'unreachable', 10_000);
    await world.until(
      'alice broker unreachable',
      () => appStatus(d1, 'alice@example.com')?.state === 'unreachable',
      10_000,
    );
    expect(d1.agent.status().mqtt?.push[0]?.lastError?.message).toMatch(/unreachable|closed|lost/);
    const attemptsBefore = d1.connector.attempts.length;
    await world.broker.start();
    await world.until(
      'push back',
      () => pushState(d1) === 'connected',
      15_000,
      () => d1.agent.status().mqtt,
    );
    await world.until('alice broker back', () => appStatus(d1, 'alice@example.com')?.state === 'connected', 15_000);
    expect(d1.connector.attempts.length).toBeGreaterThan(attemptsBefore);
    await world.watch();
    // No persistence: the device re-published its retained status itself.
    await world.until('online again', () => world.lastSeen(`alice/${d1.udf}/status`)?.['state'] === 'online', 10_000);
    const witness = await world.witness(d1, 'bob@example.com');
    const accepted = Date.now();
    expect((await owner(world.bobHome, 'device', 'accept', witness)).status).toBe(0);
    await world.until('bob connected', () => d1.agent.state().owners['bob@example.com']?.state === 'connected', 5_000);
    expect(Date.now() - accepted).toBeLessThan(3_000);
  }, 60_000);

  it('wrong credentials: a refused push broker and a refused owner broker give a clear status and a growing retry, never a crash; polling still connects', async () => {
    const d2 = await world.device(1, {
      owners: ['alice@example.com'],
      polling: FAST_POLLING,
      pushPassword: 'wrong-password',
    });
    await world.until(
      'push refused',
      () => pushState(d2) === 'refused',
      10_000,
      () => d2.agent.status().mqtt,
    );
    expect(d2.agent.status().mqtt?.push[0]?.lastError?.message).toMatch(/bad user name or password|not authorized/);
    expect(JSON.stringify(d2.agent.status())).not.toContain('wrong-password');
    // Polling is the fallback: the owner's accept still arrives.
    const witness = await world.witness(d2, 'alice@example.com');
    expect((await owner(world.aliceHome, 'device', 'accept', witness)).status).toBe(0);
    await world.until(
      'd2 connected by polling',
      () => d2.agent.state().owners['alice@example.com']?.state === 'connected',
      10_000,
    );
    await world.until('three refused attempts', () => d2.connector.attempts.filter((a) => !a.ok).length >= 3, 15_000);
    const refused = d2.connector.attempts.filter((a) => !a.ok).map((a) => a.at);
    // Backoff grows (×2 with ±25 % jitter): the third gap is not shorter than the first.
    expect((refused[2] as number) - (refused[1] as number)).toBeGreaterThan(
      ((refused[1] as number) - (refused[0] as number)) * 1.1,
    );

    // Bob gives d1 his broker with a wrong password: refused, then fixed without a restart.
    expect(
      (
        await owner(
          world.bobHome,
          'device',
          'configure',
          d1.udf,
          '--mqtt-url',
          world.broker.url,
          '--mqtt-user',
          'bob-dev',
          '--mqtt-password',
          'nope',
          '--topic-prefix',
          'bob',
        )
      ).status,
    ).toBe(0);
    await world.until(
      'bob broker refused',
      () => appStatus(d1, 'bob@example.com')?.state === 'refused',
      10_000,
      () => d1.agent.status().mqtt,
    );
    expect(appStatus(d1, 'bob@example.com')?.lastError?.message).toMatch(/bad user name or password|not authorized/);
    expect(
      (
        await owner(
          world.bobHome,
          'device',
          'configure',
          d1.udf,
          '--mqtt-url',
          world.broker.url,
          '--mqtt-user',
          'bob-dev',
          '--mqtt-password',
          PASSWORDS.bob,
          '--topic-prefix',
          'bob',
        )
      ).status,
    ).toBe(0);
    await world.until(
      'online at bob',
      () => world.lastSeen(`bob/${d1.udf}/status`)?.['state'] === 'online',
      10_000,
      () => d1.agent.status().mqtt,
    );
    // Alice's session was never touched by Bob's changes.
    expect(appStatus(d1, 'alice@example.com')?.state).toBe('connected');
  }, 60_000);

  it("owner isolation: alice's entry opens only with d1's combined key for alice; bob's key, bob's profile and the service's key cannot read or pass it", async () => {
    const client = new MeshClient({ service: world.service.url });
    const stored = await client.applicationGet({ Account: 'alice@example.com', Device: d1.udf });
    const alice = await openOwner(world.aliceHome, world.service.url);
    const bob = await openOwner(world.bobHome, world.service.url);
    const base = deviceBaseKeyPairs(d1.deviceSeed);
    const keyFor = async (account: string) =>
      combinedKeyPairs(base, fromUtf8((await d1.secrets.get(activationSecretName(account)))!)).encryption;
    const opened = openApplicationEntryMqtt(stored.EnvelopedApplicationEntry, {
      accountProfile: alice.profile,
      decryptionKey: await keyFor('alice@example.com'),
      deviceUdf: d1.udf,
    });
    expect(opened.Url).toBe(world.broker.url);
    // Neither the device's base key nor its combined key for bob opens it.
    const bobKey = await keyFor('bob@example.com');
    expect(() =>
      openApplicationEntryMqtt(stored.EnvelopedApplicationEntry, {
        accountProfile: alice.profile,
        decryptionKey: base.encryption,
        deviceUdf: d1.udf,
      }),
    ).toThrow();
    expect(() =>
      openApplicationEntryMqtt(stored.EnvelopedApplicationEntry, {
        accountProfile: alice.profile,
        decryptionKey: bobKey,
        deviceUdf: d1.udf,
      }),
    ).toThrow();
    // The service is not a recipient.
    expect(() =>
      openApplicationEntryMqtt(stored.EnvelopedApplicationEntry, {
        accountProfile: alice.profile,
        decryptionKey: world.service.identity.encryption,
        deviceUdf: d1.udf,
      }),
    ).toThrow();
    // Relayed as if it were bob's, the device refuses it: not signed by bob's admin key.
    expect(() =>
      openApplicationEntryMqtt(stored.EnvelopedApplicationEntry, {
        accountProfile: bob.profile,
        decryptionKey: bobKey,
        deviceUdf: d1.udf,
      }),
    ).toThrow(/UnauthorizedSigner|signature/i);
    // Bob cannot file an entry under alice's account.
    const err = await client
      .applicationPublish(
        { Account: 'alice@example.com', Device: d1.udf, EnvelopedApplicationEntry: stored.EnvelopedApplicationEntry },
        bob.signer,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).status).toBe(401);
  }, 30_000);

  it('configuration change and removal take effect without a restart: offline on the old topic, online on the new; removed stops the session', async () => {
    const oldTopic = `alice/${d1.udf}/status`;
    const newTopic = `alice2/${d1.udf}/status`;
    expect(
      (
        await owner(
          world.aliceHome,
          'device',
          'configure',
          d1.udf,
          '--mqtt-url',
          world.broker.url,
          '--mqtt-user',
          'alice-dev2',
          '--mqtt-password',
          PASSWORDS.alice2,
          '--topic-prefix',
          'alice2',
        )
      ).status,
    ).toBe(0);
    await world.until(
      'online at alice2',
      () => world.lastSeen(newTopic)?.['state'] === 'online',
      10_000,
      () => d1.agent.status().mqtt,
    );
    expect(world.lastSeen(oldTopic)?.['state']).toBe('offline');
    expect(appStatus(d1, 'alice@example.com')).toMatchObject({ state: 'connected', topic: newTopic });
    expect((await owner(world.aliceHome, 'device', 'configure', d1.udf, '--remove')).status).toBe(0);
    await world.until(
      'removed',
      () => appStatus(d1, 'alice@example.com')?.state === 'removed',
      10_000,
      () => d1.agent.status().mqtt,
    );
    expect(world.lastSeen(newTopic)?.['state']).toBe('offline');
    // Bob's broker is untouched by alice's removal.
    expect(appStatus(d1, 'bob@example.com')?.state).toBe('connected');
  }, 40_000);
});
