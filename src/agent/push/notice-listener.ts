/**
 * @module agent/push/notice-listener
 * Subscribes to a service's notices for this device and turns each into a
 * wake-up of the loop that fetches what it announces: `respond` the owner whose request it
 * answers, `application` that owner's connected loop, `claim` the claim watcher. A notice
 * is only a hint (service/notify/device-notice): a malformed one is ignored, an unknown one
 * wakes every owner on that service, and everything fetched is verified as before.
 *
 * When the subscription is up, the owners of that service are woken once (what happened
 * while it was down is fetched at once) and `live` is true, so pending owners poll only at
 * the cap; when it drops they are woken again and poll on their normal schedule.
 */
import type { DeviceNotice } from '../../mesh/messages/device-notice.js';
import { noticeTopic } from '../../mesh/messages/notice-topic.js';
import type { Clock } from '../../crypto/clock.js';
import type { RandomSource } from '../../crypto/random.js';
import type { Logger, MqttConnector } from '../ports.js';
import type { RetryScheduleOptions } from '../retry-schedule.js';
import { runBrokerLoop } from './broker-loop.js';
import type { BrokerState, PushStatus } from './mqtt-status.js';
import { displayBrokerUrl } from './mqtt-errors.js';
import type { PushBrokerSettings } from './push-settings.js';

/** The notices a service sends (mesh/messages/device-notice), as this device reads them. */
export type Notice = DeviceNotice;

/** A notice as sent, or undefined for anything else (bounded, fields checked). */
export function parseNotice(payload: Uint8Array): Notice | undefined {
  if (payload.length > 1024) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const field = (name: string): string | undefined =>
    typeof v[name] === 'string' && (v[name] as string).length <= 256 ? (v[name] as string) : undefined;
  if (v['type'] === 'respond' && field('responseId') !== undefined)
    return { type: 'respond', responseId: field('responseId') as string };
  if (v['type'] === 'claim' && field('publicationId') !== undefined)
    return { type: 'claim', publicationId: field('publicationId') as string };
  if (v['type'] === 'application' && field('account') !== undefined)
    return { type: 'application', account: field('account') as string };
  return undefined;
}

export interface NoticeListenerDeps {
  readonly connector: MqttConnector;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly backoff: RetryScheduleOptions;
  readonly deviceUdf: string;
  /** The label's PublicationId, when this service is the one claims arrive at. */
  readonly publicationId?: string;
  readonly onNotice: (notice: Notice | undefined) => void;
  readonly onLive: (live: boolean) => void;
  readonly onStatus: () => void;
}

export class NoticeListener {
  readonly settings: PushBrokerSettings;
  readonly #deps: NoticeListenerDeps;
  #status: PushStatus;
  #live = false;

  constructor(settings: PushBrokerSettings, deps: NoticeListenerDeps) {
    this.settings = settings;
    this.#deps = deps;
    this.#status = {
      service: settings.service,
      broker: displayBrokerUrl(settings.url),
      state: 'stopped',
      since: deps.clock.now().toISOString(),
    };
  }

  get live(): boolean {
    return this.#live;
  }

  status(): PushStatus {
    return this.#status;
  }

  topics(): string[] {
    const prefix = this.settings.topicPrefix;
    const topics = [noticeTopic(prefix, { device: this.#deps.deviceUdf })];
    if (this.#deps.publicationId !== undefined)
      topics.push(noticeTopic(prefix, { publication: this.#deps.publicationId }));
    return topics;
  }

  run(signal: AbortSignal): Promise<void> {
    const d = this.#deps;
    const s = this.settings;
    const suffix = Array.from(d.random(4), (b) => b.toString(16).padStart(2, '0')).join('');
    return runBrokerLoop(
      {
        connector: d.connector,
        clock: d.clock,
        random: d.random,
        backoff: d.backoff,
        options: () => ({
          url: s.url,
          clientId: `mn-${d.deviceUdf.replaceAll('-', '').slice(0, 12)}-${suffix}`,
          ...(s.username === undefined ? {} : { username: s.username }),
          ...(s.password === undefined ? {} : { password: s.password }),
        }),
        onSession: async (session) => {
          session.onMessage((_topic, payload) => d.onNotice(parseNotice(payload)));
          for (const topic of this.topics()) await session.subscribe(topic);
        },
        onState: (state, detail) => this.#onState(state, detail),
      },
      signal,
    );
  }

  #onState(state: BrokerState, detail?: string): void {
    const d = this.#deps;
    const now = d.clock.now().toISOString();
    const previous = this.#status;
    if (state === 'connecting' && previous.state !== 'stopped' && previous.state !== 'connected') {
      // Keep showing why the last attempt failed while the next one is made.
      return;
    }
    this.#status = {
      service: previous.service,
      broker: previous.broker,
      state,
      since: now,
      ...(detail !== undefined && (state === 'refused' || state === 'unreachable')
        ? { lastError: { message: detail, at: now } }
        : state === 'connected'
          ? {}
          : previous.lastError === undefined
            ? {}
            : { lastError: previous.lastError }),
    };
    if (state === 'connected')
      d.logger.log('info', `push notices from ${previous.broker} for ${previous.service}`, {
        broker: previous.broker,
        service: previous.service,
      });
    else if (state === 'refused' || state === 'unreachable')
      d.logger.log('warn', `push broker ${previous.broker} ${state}: ${detail ?? ''}; polling meanwhile`, {
        broker: previous.broker,
        state,
      });
    const live = state === 'connected';
    if (live !== this.#live) {
      this.#live = live;
      d.onLive(live);
    }
    d.onStatus();
  }
}
