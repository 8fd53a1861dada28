/**
 * @module test/unit/agent/mqtt-push.test
 * The agent's MQTT pieces on fakes: notices are parsed strictly and carry no more
 * than a hint; a wake-up ends a wait at once or makes the next one return, but a flood
 * cannot fetch more than once per gap; the broker loop retries a refusing broker on the
 * RetrySchedule (exact delays with pinned jitter) and reports `refused`, never throwing.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../../src/agent/fakes/fake-clock.js';
import { pinnedJitterRandom } from '../../../src/agent/fakes/fake-random.js';
import type { MqttConnectOptions, MqttConnector, MqttSession } from '../../../src/agent/ports.js';
import { runBrokerLoop } from '../../../src/agent/push/broker-loop.js';
import type { BrokerState } from '../../../src/agent/push/mqtt-status.js';
import { MqttRefusedError, MqttUnavailableError, displayBrokerUrl } from '../../../src/agent/push/mqtt-errors.js';
import { parseNotice } from '../../../src/agent/push/notice-listener.js';
import { sameService } from '../../../src/agent/push/push-settings.js';
import { Wakeups } from '../../../src/agent/push/wakeups.js';
import { noticeTopic } from '../../../src/mesh/messages/notice-topic.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('notices', () => {
  it('parses the three notice types and nothing else', () => {
    expect(parseNotice(bytes('{"type":"respond","responseId":"MB2G"}'))).toEqual({
      type: 'respond',
      responseId: 'MB2G',
    });
    expect(parseNotice(bytes('{"type":"claim","publicationId":"NC3D"}'))).toEqual({
      type: 'claim',
      publicationId: 'NC3D',
    });
    expect(parseNotice(bytes('{"type":"application","account":"a@b.c"}'))).toEqual({
      type: 'application',
      account: 'a@b.c',
    });
    for (const bad of [
      '',
      'null',
      '[]',
      '{"type":"respond"}',
      '{"type":"other","responseId":"x"}',
      '{"type":"respond","responseId":5}',
      `{"type":"claim","publicationId":"${'x'.repeat(300)}"}`,
    ]) {
      expect(parseNotice(bytes(bad)), bad).toBeUndefined();
    }
    expect(parseNotice(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
    expect(parseNotice(bytes(' '.repeat(2000)))).toBeUndefined();
  });

  it('topics per device and per publication; a level that could widen a subscription is refused', () => {
    expect(noticeTopic('mesh/v1', { device: 'mabc-def' })).toBe('mesh/v1/device/MABC-DEF/notice');
    expect(noticeTopic('p', { publication: 'nxyz' })).toBe('p/publication/NXYZ/notice');
    expect(() => noticeTopic('p', { device: 'a/#' })).toThrow(RangeError);
    expect(() => noticeTopic('p', { device: '+' })).toThrow(RangeError);
  });

  it('broker URLs lose their credentials for display; services compare by origin and path', () => {
    expect(displayBrokerUrl('mqtt://u:secret@host:1883')).toBe('mqtt://host:1883');
    expect(sameService('https://mesh.example.com/', 'https://MESH.example.com/.well-known/mmm/')).toBe(true);
    expect(sameService('https://mesh.example.com/', 'https://mesh.example.net/')).toBe(false);
  });
});

describe('Wakeups', () => {
  it('a wake during a wait ends it; a wake before a wait makes it return at once; others sleep on', async () => {
    const clock = new FakeClock();
    const w = new Wakeups(clock, 250);
    const signal = new AbortController().signal;
    let done = false;
    const waiting = w.wait('a', 60_000, signal).then(() => (done = true));
    await settle();
    w.wake('a');
    await settle();
    expect(done).toBe(true);
    await waiting;
    w.wake('b');
    const start = clock.now().getTime();
    await w.wait('b', 60_000, signal);
    expect(clock.now().getTime()).toBe(start);
    let other = false;
    void w.wait('c', 1_000, signal).then(() => (other = true));
    w.wake('a');
    await settle();
    expect(other).toBe(false);
    await clock.advance(1_000);
    expect(other).toBe(true);
  });

  it('a flood of notices cannot make a loop fetch more than once per gap', async () => {
    const clock = new FakeClock();
    const w = new Wakeups(clock, 250);
    const signal = new AbortController().signal;
    w.wake('a');
    await w.wait('a', 60_000, signal);
    w.wake('a');
    let done = false;
    const second = w.wait('a', 60_000, signal).then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    await clock.advance(250);
    await second;
    expect(done).toBe(true);
  });
});

class RefusingConnector implements MqttConnector {
  calls = 0;
  constructor(readonly error: Error) {}
  async connect(_options: MqttConnectOptions): Promise<MqttSession> {
    this.calls += 1;
    throw this.error;
  }
}

describe('runBrokerLoop', () => {
  it('a refusing broker: refused with its reason, retried on the schedule (1, 2, 4, 8 s… capped), never thrown', async () => {
    const clock = new FakeClock();
    const connector = new RefusingConnector(
      new MqttRefusedError('mqtt://h refused the connection: bad user name or password', 0x86),
    );
    const states: Array<[BrokerState, string | undefined]> = [];
    const controller = new AbortController();
    const loop = runBrokerLoop(
      {
        connector,
        clock,
        random: pinnedJitterRandom(0x80),
        backoff: { initialDelayMs: 1_000, maxDelayMs: 8_000, factor: 2, jitter: 0.25, honorRetryAfter: false },
        options: () => ({ url: 'mqtt://h', clientId: 'c' }),
        onSession: async () => undefined,
        onState: (state, detail) => states.push([state, detail]),
      },
      controller.signal,
    );
    for (let i = 0; i < 5; i++) await clock.next();
    controller.abort();
    await loop;
    expect(connector.calls).toBeGreaterThanOrEqual(5);
    // Pinned entropy 0x80808080 draws +0.1 % of each delay; the cap is never exceeded.
    expect(clock.sleeps.slice(0, 5)).toEqual([1_001, 2_002, 4_004, 8_000, 8_000]);
    expect(states.find(([s]) => s === 'refused')?.[1]).toMatch(/MqttRefusedError: .*bad user name or password/);
    expect(states.at(-1)?.[0]).toBe('stopped');
  });

  it('an unreachable broker is "unreachable", not "refused"', async () => {
    const clock = new FakeClock();
    const states: BrokerState[] = [];
    const controller = new AbortController();
    const loop = runBrokerLoop(
      {
        connector: new RefusingConnector(new MqttUnavailableError('mqtt://h is unreachable (ECONNREFUSED)')),
        clock,
        random: pinnedJitterRandom(0x80),
        backoff: { initialDelayMs: 1_000, maxDelayMs: 8_000, factor: 2, jitter: 0.25, honorRetryAfter: false },
        options: () => ({ url: 'mqtt://h', clientId: 'c' }),
        onSession: async () => undefined,
        onState: (state) => states.push(state),
      },
      controller.signal,
    );
    await clock.next();
    controller.abort();
    await loop;
    expect(states).toContain('unreachable');
    expect(states).not.toContain('refused');
  });
});
