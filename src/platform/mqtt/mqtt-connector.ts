/**
 * @module platform/mqtt/mqtt-connector
 * The agent's MqttConnector over mqtt.js 5.16 (docs/decisions/0013-mqtt-notices.md). The client is ~377 KB
 * minified, so it is imported lazily, on the first connect: an agent (or service) without
 * MQTT configured never loads it, and the bundler can keep it out of the core chunk. Nothing
 * else in the code base imports `mqtt`.
 *
 * One session is one connection (`reconnectPeriod: 0`): the agent owns reconnection, on its
 * RetrySchedule with jitter, so the adapter never hides an outage. MQTT v5 is
 * spoken by default, for the reason codes that tell a wrong password from a refused topic.
 */
import type { MqttConnectOptions, MqttConnector, MqttMessage, MqttSession } from '../../agent/ports.js';
import { MqttRefusedError, MqttUnavailableError, displayBrokerUrl } from '../../agent/push/mqtt-errors.js';
import type { MqttClient, IClientOptions } from 'mqtt';

type MqttModule = typeof import('mqtt');
let loading: Promise<MqttModule> | undefined;

/** The mqtt.js module, loaded once, on first use. */
export function loadMqtt(): Promise<MqttModule> {
  loading ??= import('mqtt');
  return loading;
}

/** CONNACK / SUBACK codes that mean "the broker refuses" rather than "no broker". */
function reasonCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

const REASONS: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
  0x80: 'unspecified error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
};

/** mqtt.js error → the agent's classes; never carries the password (mqtt.js messages do not). */
export function translateMqttError(error: unknown, url: string): MqttRefusedError | MqttUnavailableError {
  if (error instanceof MqttRefusedError || error instanceof MqttUnavailableError) return error;
  const broker = displayBrokerUrl(url);
  const code = reasonCodeOf(error);
  if (code !== undefined) {
    return new MqttRefusedError(`${broker} refused the connection: ${REASONS[code] ?? `reason code ${code}`}`, code, {
      context: { broker },
    });
  }
  const sys = (error as { code?: unknown }).code;
  const what = typeof sys === 'string' ? sys : error instanceof Error ? error.message.slice(0, 120) : 'no answer';
  return new MqttUnavailableError(`${broker} is unreachable (${what})`, { context: { broker } });
}

function toBuffer(payload: string | Uint8Array): string | Buffer {
  return typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

class MqttJsSession implements MqttSession {
  readonly closed: Promise<string | undefined>;
  readonly #client: MqttClient;
  readonly #url: string;

  constructor(client: MqttClient, url: string) {
    this.#client = client;
    this.#url = url;
    this.closed = new Promise((resolve) => {
      let reason: string | undefined;
      client.on('error', (error) => {
        reason = translateMqttError(error, url).message;
      });
      client.on('disconnect', (packet) => {
        reason = `${displayBrokerUrl(url)} disconnected the session (reason code ${packet.reasonCode ?? 0})`;
      });
      client.once('close', () => resolve(reason ?? `${displayBrokerUrl(url)} closed the connection`));
      client.once('end', () => resolve(reason ?? 'ended'));
    });
  }

  async subscribe(topic: string): Promise<void> {
    let granted;
    try {
      granted = await this.#client.subscribeAsync(topic, { qos: 1 });
    } catch (error) {
      throw translateMqttError(error, this.#url);
    }
    const qos = granted[0]?.qos ?? 0x80;
    if (qos >= 0x80) {
      throw new MqttRefusedError(
        `${displayBrokerUrl(this.#url)} refused the subscription to ${topic}: ${REASONS[qos] ?? `reason code ${qos}`}`,
        qos,
      );
    }
  }

  async publish(message: MqttMessage): Promise<void> {
    if (!this.#client.connected) throw new MqttUnavailableError(`${displayBrokerUrl(this.#url)} is not connected`);
    try {
      await this.#client.publishAsync(message.topic, toBuffer(message.payload), {
        qos: message.qos ?? 1,
        retain: message.retain ?? false,
      });
    } catch (error) {
      throw translateMqttError(error, this.#url);
    }
  }

  onMessage(listener: (topic: string, payload: Uint8Array) => void): void {
    this.#client.on('message', (topic, payload) =>
      listener(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)),
    );
  }

  async end(): Promise<void> {
    await this.#client.endAsync().catch(() => undefined);
  }
}

export interface MqttConnectorOptions {
  /** 5 (default) or 4 (MQTT 3.1.1, for brokers without v5). */
  readonly protocolVersion?: 4 | 5;
}

export class MqttJsConnector implements MqttConnector {
  readonly #protocolVersion: 4 | 5;

  constructor(options: MqttConnectorOptions = {}) {
    this.#protocolVersion = options.protocolVersion ?? 5;
  }

  async connect(options: MqttConnectOptions): Promise<MqttSession> {
    const mqtt = await loadMqtt();
    const will = options.will;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      protocolVersion: this.#protocolVersion,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      keepalive: options.keepaliveSeconds ?? 30,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(will === undefined
        ? {}
        : {
            will: {
              topic: will.topic,
              payload: toBuffer(will.payload) as Buffer,
              qos: will.qos ?? 1,
              retain: will.retain ?? false,
            },
          }),
    };
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(options.url, clientOptions, false);
    } catch (error) {
      throw translateMqttError(error, options.url);
    }
    return new MqttJsSession(client, options.url);
  }
}

export interface MqttPublisherOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly clientId: string;
  readonly protocolVersion?: 4 | 5;
  /** Called when the connection goes up or down (for the service log). */
  readonly onState?: (state: 'connected' | 'offline', detail?: string) => void;
}

/**
 * A long-lived publisher for the service's notices: mqtt.js reconnects by itself every
 * second here (a service has no state machine to drive it), and a publish while offline
 * fails at once instead of queueing without bound.
 */
export async function openMqttPublisher(
  options: MqttPublisherOptions,
): Promise<{ publish(topic: string, payload: string): Promise<void>; close(): Promise<void> }> {
  const mqtt = await loadMqtt();
  const url = new URL(options.url);
  const username = options.username ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
  const password = options.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
  url.username = '';
  url.password = '';
  const client = mqtt.connect(url.toString(), {
    clientId: options.clientId,
    protocolVersion: options.protocolVersion ?? 5,
    clean: true,
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  });
  client.on('connect', () => options.onState?.('connected'));
  client.on('offline', () => options.onState?.('offline'));
  client.on('error', (error) => options.onState?.('offline', translateMqttError(error, options.url).message));
  return {
    async publish(topic, payload) {
      if (!client.connected) throw new MqttUnavailableError(`${displayBrokerUrl(options.url)} is not connected`);
      try {
        await client.publishAsync(topic, payload, { qos: 1, retain: false });
      } catch (error) {
        throw translateMqttError(error, options.url);
      }
    },
    async close() {
      await client.endAsync(true).catch(() => undefined);
    },
  };
}
