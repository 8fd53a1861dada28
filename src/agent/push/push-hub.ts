/**
 * @module agent/push/push-hub
 * Everything MQTT in the agent, behind the few hooks the connection loops call
 * (PushHooks): notice listeners per service broker (`mqtt.push[]` of the configuration),
 * the wake-ups they trigger, and each owner's application broker (app-config). Without an
 * MqttConnector the agent has no hub and polls exactly as before.
 */
import type { AgentState } from '../agent-state.js';
import { ownerKey } from '../agent-state.js';
import { ApplicationConfigs } from '../app-config/application-config.js';
import type { Clock } from '../../crypto/clock.js';
import type { RandomSource } from '../../crypto/random.js';
import type { ApplicationTransport, Logger, MqttConnector, SecretStore } from '../ports.js';
import type { RetryScheduleOptions } from '../retry-schedule.js';
import type { MqttAgentStatus } from './mqtt-status.js';
import { NoticeListener, type Notice } from './notice-listener.js';
import { sameService, type PushBrokerSettings } from './push-settings.js';
import { Wakeups } from './wakeups.js';

/** The key the claim watcher waits under. */
export const CLAIMS_WAKE_KEY = ' claims';

/** What the connection loops call (AgentRuntime.push). */
export interface PushHooks {
  /** Clock.sleep that a notice for `key` cuts short. */
  wait(key: string, ms: number, signal: AbortSignal): Promise<void>;
  /** True while notices from `service` can arrive: pending owners then poll only at the cap. */
  live(service: string): boolean;
  /** The owner is connected (just now, or still at a check): fetch its application entry. */
  ownerConnected(key: string): void;
  /** The owner revoked the device: drop its broker session and credentials. */
  ownerGone(key: string): Promise<void>;
}

export interface PushHubDeps {
  readonly connector: MqttConnector;
  readonly transport?: ApplicationTransport;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly backoff: RetryScheduleOptions;
  readonly brokers: readonly PushBrokerSettings[];
  readonly deviceSeed: string;
  readonly deviceUdf: string;
  readonly version: string;
  /** The claims service, when the device is claimable. */
  readonly claimsService?: string;
  readonly publicationId?: string;
  readonly state: () => AgentState;
  readonly onStatus: () => void;
}

export class PushHub implements PushHooks {
  readonly wakeups: Wakeups;
  readonly applications: ApplicationConfigs;
  readonly #d: PushHubDeps;
  readonly #listeners: NoticeListener[];
  readonly #running: Promise<void>[] = [];

  constructor(deps: PushHubDeps) {
    this.#d = deps;
    this.wakeups = new Wakeups(deps.clock);
    this.applications = new ApplicationConfigs({
      connector: deps.connector,
      ...(deps.transport === undefined ? {} : { transport: deps.transport }),
      secrets: deps.secrets,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      backoff: deps.backoff,
      deviceSeed: deps.deviceSeed,
      deviceUdf: deps.deviceUdf,
      version: deps.version,
      state: deps.state,
      onStatus: deps.onStatus,
    });
    this.#listeners = deps.brokers.map((broker) => {
      const claims = deps.claimsService !== undefined && sameService(deps.claimsService, broker.service);
      return new NoticeListener(broker, {
        connector: deps.connector,
        clock: deps.clock,
        random: deps.random,
        logger: deps.logger,
        backoff: deps.backoff,
        deviceUdf: deps.deviceUdf,
        ...(claims && deps.publicationId !== undefined ? { publicationId: deps.publicationId } : {}),
        onNotice: (notice) => this.#onNotice(broker.service, notice),
        onLive: () => this.#wakeService(broker.service),
        onStatus: deps.onStatus,
      });
    });
  }

  /** Starts the listeners and resumes the owners' brokers; returns at once. */
  async start(signal: AbortSignal): Promise<void> {
    for (const listener of this.#listeners) this.#running.push(listener.run(signal));
    await this.applications.start(signal);
  }

  /** After `signal` aborted: waits for the loops (each publishes "offline" first). */
  async stopped(): Promise<void> {
    await Promise.all(this.#running);
    await this.applications.stop();
  }

  wait(key: string, ms: number, signal: AbortSignal): Promise<void> {
    return this.wakeups.wait(key, ms, signal);
  }

  live(service: string): boolean {
    return this.#listeners.some((l) => l.live && sameService(l.settings.service, service));
  }

  ownerConnected(key: string): void {
    void this.applications.refresh(key);
  }

  ownerGone(key: string): Promise<void> {
    return this.applications.forget(key);
  }

  status(): MqttAgentStatus {
    return { push: this.#listeners.map((l) => l.status()), applications: this.applications.status() };
  }

  #ownersOf(service: string): string[] {
    return Object.entries(this.#d.state().owners)
      .filter(([, r]) => sameService(r.service, service))
      .map(([key]) => key);
  }

  #wakeService(service: string): void {
    for (const key of this.#ownersOf(service)) this.wakeups.wake(key);
    if (this.#d.claimsService !== undefined && sameService(this.#d.claimsService, service))
      this.wakeups.wake(CLAIMS_WAKE_KEY);
  }

  #onNotice(service: string, notice: Notice | undefined): void {
    if (notice === undefined) return;
    const owners = this.#d.state().owners;
    if (notice.type === 'claim') {
      this.wakeups.wake(CLAIMS_WAKE_KEY);
      return;
    }
    if (notice.type === 'application') {
      const key = ownerKey(notice.account);
      if (owners[key] !== undefined && sameService(owners[key].service, service)) this.wakeups.wake(key);
      return;
    }
    const match = Object.entries(owners).find(
      ([, r]) => 'responseId' in r && r.responseId.toUpperCase() === notice.responseId.toUpperCase(),
    );
    if (match !== undefined) this.wakeups.wake(match[0]);
    else this.#wakeService(service);
  }
}
