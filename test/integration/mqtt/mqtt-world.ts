/**
 * @module test/integration/mqtt/mqtt-world
 * The MQTT tests' world: a real mosquitto with a password file and an ACL, the
 * real Mesh service publishing notices on it, owners made with the real `mesh` CLI, and
 * devices running the real Agent in-process (memory keystore and state, the system clock,
 * the HTTP transport and the mqtt.js connector), so a test can read each device's status.
 */
import mqtt from 'mqtt';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../../src/agent/agent.js';
import type { AgentSettings } from '../../../src/agent/agent-runtime.js';
import {
  MemoryPreconfigurationFile,
  MemoryStateStore,
  RecordingAnnouncer,
  RecordingLogger,
} from '../../../src/agent/fakes/memory-ports.js';
import type { MqttConnectOptions, MqttConnector, MqttSession } from '../../../src/agent/ports.js';
import type { PushBrokerSettings } from '../../../src/agent/push/push-settings.js';
import { HttpMeshTransport } from '../../../src/cli/agent/http-transport.js';
import { systemRandom } from '../../../src/crypto/random.js';
import { systemClock } from '../../../src/crypto/clock.js';
import { MemorySecretStore, MemorySecretStoreBackend } from '../../../src/agent/fakes/memory-secret-store.js';
import { MqttJsConnector, openMqttPublisher } from '../../../src/platform/mqtt/mqtt-connector.js';
import { MqttNoticeSink } from '../../../src/service/notify/mqtt-notice-sink.js';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/system-tools.js';
import { owner } from '../owner/owner-harness.js';

export const PASSWORDS = {
  service: 'service-secret-1',
  device: 'device-secret-2',
  alice: 'alice-broker-secret-3',
  alice2: 'alice-broker-secret-4',
  bob: 'bob-broker-secret-5',
  watcher: 'watcher-secret-6',
};

/** A connector that records each attempt (time and outcome) around the real one. */
export class CountingConnector implements MqttConnector {
  readonly attempts: {
    readonly at: number;
    readonly url: string;
    readonly user?: string;
    readonly ok: boolean;
    readonly error?: string;
  }[] = [];
  readonly #inner = new MqttJsConnector();
  async connect(options: MqttConnectOptions): Promise<MqttSession> {
    try {
      const session = await this.#inner.connect(options);
      this.attempts.push({
        at: Date.now(),
        url: options.url,
        ...(options.username === undefined ? {} : { user: options.username }),
        ok: true,
      });
      return session;
    } catch (error) {
      this.attempts.push({
        at: Date.now(),
        url: options.url,
        ...(options.username === undefined ? {} : { user: options.username }),
        ok: false,
        error: (error as Error).message,
      });
      throw error;
    }
  }
}

export interface TestDevice {
  readonly udf: string;
  readonly agent: Agent;
  readonly secrets: MemorySecretStore;
  readonly logger: RecordingLogger;
  readonly connector: CountingConnector;
  readonly deviceSeed: string;
  stop(): Promise<void>;
}

export class MqttWorld {
  broker!: Mosquitto;
  service!: RunningService;
  notices!: MqttNoticeSink;
  dir!: string;
  aliceHome!: string;
  bobHome!: string;
  readonly factories = [factoryFileText(), factoryFileText(), factoryFileText()];
  readonly devices: TestDevice[] = [];
  /** Every message the watcher saw: topic → payloads in order. */
  readonly seen = new Map<string, string[]>();
  #watcher: mqtt.MqttClient | undefined;

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'mesh-mqtt-it-'));
    const deviceUsers = Object.fromEntries(
      this.factories.map((f) => [
        f.made.deviceUdf,
        { password: PASSWORDS.device, acl: [`read mesh/v1/device/${f.made.deviceUdf}/notice`] },
      ]),
    );
    this.broker = await startMosquitto({
      service: { password: PASSWORDS.service, acl: ['write mesh/v1/#'] },
      ...deviceUsers,
      'alice-dev': { password: PASSWORDS.alice, acl: ['readwrite alice/#'] },
      'alice-dev2': { password: PASSWORDS.alice2, acl: ['readwrite alice2/#'] },
      'bob-dev': { password: PASSWORDS.bob, acl: ['readwrite bob/#'] },
      watcher: { password: PASSWORDS.watcher, acl: ['read #'] },
    });
    const publisher = await openMqttPublisher({
      url: this.broker.url,
      username: 'service',
      password: PASSWORDS.service,
      clientId: 'mesh-service-test',
    });
    this.notices = new MqttNoticeSink({ publisher });
    this.service = await startService({
      dataDirectory: join(this.dir, 'service'),
      listen: { host: '127.0.0.1', port: 0 },
      maintenanceIntervalMs: 0,
      notices: this.notices,
    });
    this.aliceHome = join(this.dir, 'alice');
    this.bobHome = join(this.dir, 'bob');
    for (const [home, account] of [
      [this.aliceHome, 'alice@example.com'],
      [this.bobHome, 'bob@example.com'],
    ] as const) {
      const made = await owner(home, 'account', 'create', account, '--service', this.service.url);
      if (made.status !== 0) throw new Error(`account create ${account}: ${made.stderr}`);
    }
    await this.watch();
  }

  /** (Re)connects the watcher, which reads every topic (retained ones included). */
  async watch(): Promise<void> {
    await this.#watcher?.endAsync(true).catch(() => undefined);
    const client = await mqtt.connectAsync(this.broker.url, {
      username: 'watcher',
      password: PASSWORDS.watcher,
      protocolVersion: 5,
      reconnectPeriod: 0,
      clientId: `watcher-${Date.now()}`,
    });
    client.on('message', (topic, payload) => {
      const list = this.seen.get(topic) ?? [];
      list.push(payload.toString('utf8'));
      this.seen.set(topic, list);
    });
    await client.subscribeAsync('#', { qos: 1 });
    this.#watcher = client;
  }

  pushSettings(password = PASSWORDS.device, udf?: string): PushBrokerSettings {
    return {
      service: this.service.url,
      url: this.broker.url,
      ...(udf === undefined ? {} : { username: udf }),
      password,
      topicPrefix: 'mesh/v1',
    };
  }

  /** Starts device `index` (a factory-preconfigured device) with these owners and polling. */
  async device(
    index: number,
    options: { owners: string[]; polling: AgentSettings['polling']; pushPassword?: string; push?: boolean },
  ): Promise<TestDevice> {
    const factory = this.factories[index]!;
    const backend = new MemorySecretStoreBackend();
    const secrets = new MemorySecretStore(backend);
    const logger = new RecordingLogger();
    const connector = new CountingConnector();
    const agent = await Agent.start(
      {
        clock: systemClock,
        random: systemRandom,
        logger,
        announcer: new RecordingAnnouncer(),
        transport: new HttpMeshTransport({ timeoutMs: 5_000 }),
        secrets,
        stateStore: new MemoryStateStore(),
        preconfiguration: new MemoryPreconfigurationFile('/memory/device.medk', factory.text),
        mqtt: connector,
      },
      {
        owners: options.owners.map((account) => ({ account, service: this.service.url })),
        polling: options.polling,
        version: 'test-1.2.3',
        ...(options.push === false ? {} : { push: [this.pushSettings(options.pushPassword, factory.made.deviceUdf)] }),
      },
    );
    const controller = new AbortController();
    const running = agent.run(controller.signal);
    const device: TestDevice = {
      udf: factory.made.deviceUdf,
      agent,
      secrets,
      logger,
      connector,
      deviceSeed: factory.seed,
      async stop() {
        controller.abort();
        await running;
      },
    };
    this.devices.push(device);
    return device;
  }

  async close(): Promise<void> {
    for (const d of this.devices) await d.stop().catch(() => undefined);
    await this.#watcher?.endAsync(true).catch(() => undefined);
    await this.service?.close().catch(() => undefined);
    await this.notices?.close().catch(() => undefined);
    await this.broker?.close().catch(() => undefined);
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
  }

  /** Waits for `check`, or fails with what `describe` says about the state. */
  async until(what: string, check: () => boolean, timeoutMs = 10_000, describe?: () => unknown): Promise<number> {
    const start = Date.now();
    const ok = await waitFor(async () => check(), timeoutMs, 10);
    if (!ok)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${describe === undefined ? '' : `: ${JSON.stringify(describe())}`}`,
      );
    return Date.now() - start;
  }

  /** The witness of `account`'s pending request on `device`, once there is one. */
  async witness(device: TestDevice, account: string): Promise<string> {
    let witness: string | undefined;
    await this.until(`a witness for ${account}`, () => {
      const o = device.agent.state().owners[account];
      witness = o?.state === 'pending' ? o.witness : undefined;
      return witness !== undefined;
    });
    return witness as string;
  }

  lastSeen(topic: string): Record<string, unknown> | undefined {
    const list = this.seen.get(topic);
    const last = list?.[list.length - 1];
    return last === undefined ? undefined : (JSON.parse(last) as Record<string, unknown>);
  }
}
