/**
 * @module agent/app-config/application-config
 * Each owner's MQTT broker for this device. The owner sends an
 * ApplicationEntryMqtt (mesh/connect/application-entry-mqtt) through its service; per
 * connected owner this module
 *
 * - fetches it (ApplicationGet) when the owner connects, when the agent starts, at each
 *   connected-owner check and on an `application` notice;
 * - applies it only after verifying it: signed by THAT owner's admin key (the profile that
 *   answered the connection), opened with the device's combined key for that owner, naming
 *   that owner and this device, and newer (`Created`) than the entry it holds, so a relay
 *   can neither forge nor roll back a configuration;
 * - keeps it in the SecretStore (`app-mqtt/<account>`), never in the state file;
 * - keeps a session to that broker with a retained status under the owner's prefix:
 *   `<TopicPrefix>/<device UDF>/status`, `{"state":"online"|"offline","device","version",
 *   "account","at"}`, "offline" being the last will and what a clean stop publishes;
 * - on a change stops the old session (publishing offline) and starts the new one; a signed
 *   removal (no Url) stops it; revocation of the owner forgets it. No restart needed.
 *
 * Owners are independent: each has its own entry, key, broker, session and status.
 */
import { fromUtf8, toHex, utf8 } from '../../crypto/bytes.js';
import { sha256 } from '../../crypto/hash.js';
import { combinedKeyPairs } from '../../mesh/connect/cataloged-device.js';
import { openApplicationEntryMqtt } from '../../mesh/connect/application-entry-mqtt.js';
import { verifyProfileAccount } from '../../mesh/profiles/profile-account.js';
import { deviceBaseKeyPairs } from '../../mesh/profiles/profile-device.js';
import { activationSecretName, type AgentState, type OwnerConnected } from '../agent-state.js';
import { describeError } from '../describe-error.js';
import { DeviceKeyLostError } from '../agent-errors.js';
import type { Clock } from '../../crypto/clock.js';
import type { RandomSource } from '../../crypto/random.js';
import type { ApplicationTransport, Logger, MqttConnector, MqttSession, SecretStore } from '../ports.js';
import type { RetryScheduleOptions } from '../retry-schedule.js';
import { runBrokerLoop } from '../push/broker-loop.js';
import type { ApplicationStatus } from '../push/mqtt-status.js';
import { displayBrokerUrl } from '../push/mqtt-errors.js';

export const DEFAULT_STATUS_PREFIX = 'mesh/devices';
const SECRET_PREFIX = 'app-mqtt/';

/** The keystore name of an owner's broker credentials (same encoding as the activation seed's). */
export function applicationSecretName(account: string): string {
  return SECRET_PREFIX + activationSecretName(account).slice('activation/'.length);
}

/** What the keystore holds per owner: the applied entry (secret: it has the password). */
interface StoredConfig {
  readonly account: string;
  readonly created: string;
  readonly url?: string;
  readonly username?: string;
  readonly password?: string;
  readonly topicPrefix?: string;
  /** SHA-256 of the entry as applied: tells two entries of the same second apart. */
  readonly digest?: string;
}

export interface ApplicationConfigDeps {
  readonly connector: MqttConnector;
  readonly transport?: ApplicationTransport;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly backoff: RetryScheduleOptions;
  readonly deviceSeed: string;
  readonly deviceUdf: string;
  readonly version: string;
  readonly state: () => AgentState;
  readonly onStatus: () => void;
}

interface OwnerSlot {
  config?: StoredConfig;
  controller?: AbortController;
  loop?: Promise<void>;
  status: ApplicationStatus;
  queue: Promise<void>;
}

export class ApplicationConfigs {
  readonly #d: ApplicationConfigDeps;
  readonly #slots = new Map<string, OwnerSlot>();
  #signal: AbortSignal | undefined;

  constructor(deps: ApplicationConfigDeps) {
    this.#d = deps;
  }

  #slot(key: string, account: string): OwnerSlot {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = { status: { account, state: 'none', since: this.#d.clock.now().toISOString() }, queue: Promise.resolve() };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  #connected(key: string): OwnerConnected | undefined {
    const record = this.#d.state().owners[key];
    return record?.state === 'connected' ? record : undefined;
  }

  /** Resumes what the keystore holds for connected owners, drops the rest, fetches anew. */
  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const d = this.#d;
    for (const name of await d.secrets.list()) {
      if (!name.startsWith(SECRET_PREFIX)) continue;
      const owner = Object.entries(d.state().owners).find(
        ([, r]) => r.state === 'connected' && applicationSecretName(r.account) === name,
      );
      if (owner === undefined) {
        await d.secrets.delete(name);
        continue;
      }
      const [key, record] = owner;
      const bytes = await d.secrets.get(name);
      const config = bytes === undefined ? undefined : parseStored(bytes);
      if (config === undefined) continue;
      const slot = this.#slot(key, record.account);
      slot.config = config;
      this.#startLoop(key, slot);
    }
    for (const [key, record] of Object.entries(d.state().owners)) if (record.state === 'connected') this.refresh(key);
  }

  /** Fetches and applies the owner's entry; queued per owner; never rejects. */
  refresh(key: string): Promise<void> {
    const record = this.#connected(key);
    if (record === undefined || this.#d.transport === undefined) return Promise.resolve();
    const slot = this.#slot(key, record.account);
    slot.queue = slot.queue.then(() => this.#refresh(key).catch((error: unknown) => this.#failed(key, slot, error)));
    return slot.queue;
  }

  async #refresh(key: string): Promise<void> {
    const d = this.#d;
    const record = this.#connected(key);
    if (record === undefined || d.transport === undefined || this.#signal?.aborted) return;
    const answer = await d.transport.applicationGet(record.service, { Account: record.account, Device: d.deviceUdf });
    if (answer.EnvelopedApplicationEntry === undefined) return;
    const accountProfile = verifyProfileAccount(record.profileAccount, 'state.profileAccount');
    const activation = await d.secrets.get(activationSecretName(record.account));
    if (activation === undefined)
      throw new DeviceKeyLostError(`the activation seed of ${record.account} is not in the keystore`, {
        context: { account: record.account },
      });
    const keys = combinedKeyPairs(deviceBaseKeyPairs(d.deviceSeed), fromUtf8(activation));
    const entry = openApplicationEntryMqtt(answer.EnvelopedApplicationEntry, {
      accountProfile,
      decryptionKey: keys.encryption,
      deviceUdf: d.deviceUdf,
    });
    const slot = this.#slot(key, record.account);
    const created = entry.Created.toISOString();
    const held = slot.config?.created;
    // Created has whole seconds: within one second, a different entry is the newer one.
    const digest = toHex(sha256(utf8(JSON.stringify([entry.Url, entry.Username, entry.Password, entry.TopicPrefix]))));
    if (held !== undefined && (created < held || (created === held && digest === slot.config?.digest))) {
      if (created < held)
        d.logger.log(
          'warn',
          `${record.account}: ignored an application entry older than the one applied (${created} < ${held})`,
          { account: record.account },
        );
      return;
    }
    const config: StoredConfig = {
      account: record.account,
      created,
      digest,
      ...(entry.Url === undefined ? {} : { url: entry.Url }),
      ...(entry.Username === undefined ? {} : { username: entry.Username }),
      ...(entry.Password === undefined ? {} : { password: entry.Password }),
      ...(entry.TopicPrefix === undefined ? {} : { topicPrefix: entry.TopicPrefix }),
    };
    await this.#stopLoop(slot);
    await d.secrets.put(applicationSecretName(record.account), utf8(JSON.stringify(config)));
    slot.config = config;
    if (config.url === undefined) {
      d.logger.log('info', `${record.account}: the owner removed its MQTT broker configuration`, {
        account: record.account,
      });
      this.#setStatus(slot, {
        account: record.account,
        state: 'removed',
        since: d.clock.now().toISOString(),
        configured: created,
      });
      return;
    }
    d.logger.log('info', `${record.account}: MQTT broker ${displayBrokerUrl(config.url)} configured by the owner`, {
      account: record.account,
      broker: displayBrokerUrl(config.url),
    });
    this.#startLoop(key, slot);
  }

  #failed(key: string, slot: OwnerSlot, error: unknown): void {
    const message = describeError(error);
    const now = this.#d.clock.now().toISOString();
    this.#d.logger.log('warn', `${slot.status.account}: application entry not applied: ${message}`, {
      account: slot.status.account,
    });
    this.#setStatus(slot, { ...slot.status, lastError: { message, at: now } });
    void key;
  }

  /** The owner revoked the device (or is gone): stop its broker session and drop its credentials. */
  async forget(key: string): Promise<void> {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    await this.#stopLoop(slot);
    this.#slots.delete(key);
    await this.#d.secrets.delete(applicationSecretName(slot.status.account));
    this.#d.onStatus();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => this.#stopLoop(slot)));
  }

  status(): ApplicationStatus[] {
    return [...this.#slots.values()].map((s) => s.status).sort((a, b) => a.account.localeCompare(b.account));
  }

  #setStatus(slot: OwnerSlot, status: ApplicationStatus): void {
    slot.status = status;
    this.#d.onStatus();
  }

  #statusTopic(config: StoredConfig): string {
    return `${config.topicPrefix ?? DEFAULT_STATUS_PREFIX}/${this.#d.deviceUdf.toUpperCase()}/status`;
  }

  #statusPayload(config: StoredConfig, state: 'online' | 'offline'): string {
    return JSON.stringify({
      state,
      device: this.#d.deviceUdf,
      version: this.#d.version,
      account: config.account,
      at: this.#d.clock.now().toISOString(),
    });
  }

  #startLoop(key: string, slot: OwnerSlot): void {
    const parent = this.#signal;
    const config = slot.config;
    if (parent === undefined || parent.aborted || config?.url === undefined) return;
    const d = this.#d;
    const url = config.url;
    const controller = new AbortController();
    parent.addEventListener('abort', () => controller.abort(), { once: true });
    slot.controller = controller;
    const topic = this.#statusTopic(config);
    const broker = displayBrokerUrl(url);
    const suffix = Array.from(d.random(4), (b) => b.toString(16).padStart(2, '0')).join('');
    const online = async (session: MqttSession): Promise<void> => {
      await session.publish({ topic, payload: this.#statusPayload(config, 'online'), retain: true, qos: 1 });
    };
    slot.loop = runBrokerLoop(
      {
        connector: d.connector,
        clock: d.clock,
        random: d.random,
        backoff: d.backoff,
        options: () => ({
          url,
          clientId: `ma-${d.deviceUdf.replaceAll('-', '').slice(0, 12)}-${suffix}`,
          ...(config.username === undefined ? {} : { username: config.username }),
          ...(config.password === undefined ? {} : { password: config.password }),
          will: { topic, payload: this.#statusPayload(config, 'offline'), retain: true, qos: 1 },
        }),
        onSession: online,
        beforeEnd: async (session) => {
          await session.publish({ topic, payload: this.#statusPayload(config, 'offline'), retain: true, qos: 1 });
        },
        onState: (state, detail) => {
          const now = d.clock.now().toISOString();
          const previous = slot.status;
          if (state === 'connecting' && (previous.state === 'refused' || previous.state === 'unreachable')) return;
          if (state === 'connected')
            d.logger.log('info', `${config.account}: online at ${broker} (${topic})`, {
              account: config.account,
              broker,
            });
          if (state === 'refused' || state === 'unreachable')
            d.logger.log('warn', `${config.account}: broker ${broker} ${state}: ${detail ?? ''}; retrying`, {
              account: config.account,
              broker,
              state,
            });
          this.#setStatus(slot, {
            account: config.account,
            broker,
            topic,
            state,
            since: now,
            configured: config.created,
            ...(detail !== undefined && (state === 'refused' || state === 'unreachable')
              ? { lastError: { message: detail, at: now } }
              : {}),
          });
        },
      },
      controller.signal,
    );
    void key;
  }

  async #stopLoop(slot: OwnerSlot): Promise<void> {
    const { controller, loop } = slot;
    slot.controller = undefined;
    slot.loop = undefined;
    controller?.abort();
    await loop;
  }
}

function parseStored(bytes: Uint8Array): StoredConfig | undefined {
  try {
    const v = JSON.parse(fromUtf8(bytes)) as StoredConfig;
    return typeof v.account === 'string' && typeof v.created === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
