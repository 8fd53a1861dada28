/**
 * @module service/notify/mqtt-notice-sink
 * The NoticeSink of `mesh service start --mqtt URL`: each notice is published (QoS 1, not
 * retained: a notice is news, not state) through a publisher the composition root opens
 * (platform/mqtt, which loads the MQTT client only then). A broker that is down loses
 * notices, never requests: devices fall back to polling, and a device that (re)subscribes
 * fetches at once anyway. Failures are logged once per outage, not per notice.
 */
import type { DeviceNotice } from '../../mesh/messages/device-notice.js';
import { DEFAULT_TOPIC_PREFIX, noticeTopic, type NoticeTarget } from '../../mesh/messages/notice-topic.js';
import { encodeNotice, type NoticeSink } from './device-notice.js';
import type { ServiceLog } from '../service-environment.js';

/** What the sink needs from an MQTT client. */
export interface NoticePublisher {
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface MqttNoticeSinkOptions {
  readonly publisher: NoticePublisher;
  readonly prefix?: string;
  readonly log?: ServiceLog;
}

export class MqttNoticeSink implements NoticeSink {
  readonly prefix: string;
  readonly #publisher: NoticePublisher;
  readonly #log: ServiceLog;
  #failing = false;
  #inflight = new Set<Promise<void>>();
  /** Notices published (for tests and the bench). */
  published = 0;

  constructor(options: MqttNoticeSinkOptions) {
    this.prefix = options.prefix ?? DEFAULT_TOPIC_PREFIX;
    this.#publisher = options.publisher;
    this.#log = options.log ?? (() => undefined);
  }

  post(target: NoticeTarget, notice: DeviceNotice): void {
    let topic: string;
    try {
      topic = noticeTopic(this.prefix, target);
    } catch {
      return;
    }
    const sent = this.#publisher.publish(topic, encodeNotice(notice)).then(
      () => {
        this.published += 1;
        if (this.#failing) this.#log('mqtt-notices-resumed', { topic });
        this.#failing = false;
      },
      (error: unknown) => {
        if (!this.#failing)
          this.#log('mqtt-notice-failed', { topic, message: error instanceof Error ? error.message : String(error) });
        this.#failing = true;
      },
    );
    this.#inflight.add(sent);
    void sent.finally(() => this.#inflight.delete(sent));
  }

  /** Waits (briefly) for notices in flight, then closes the publisher. */
  async close(): Promise<void> {
    await Promise.race([Promise.all([...this.#inflight]), new Promise((r) => setTimeout(r, 1_000).unref())]);
    await this.#publisher.close();
  }
}
