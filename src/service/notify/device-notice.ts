/**
 * @module service/notify/device-notice
 * Push notices: when something a device is waiting for reaches the service, the
 * service publishes a short notice on the device's topic, so the device fetches at once
 * instead of at its next poll. A notice carries nothing secret and nothing the device trusts:
 * it only says "ask me now"; the device fetches the result through the service and verifies
 * it as it always does (design decision 4). A lost, forged or replayed notice costs one fetch.
 *
 * The topics and the notice types are the wire contract's (mesh/messages/notice-topic,
 * mesh/messages/device-notice), shared with the device that subscribes.
 */
import type { DeviceNotice } from '../../mesh/messages/device-notice.js';
import type { NoticeTarget } from '../../mesh/messages/notice-topic.js';

/** Where transactions drop notices. Never throws and never delays the transaction. */
export interface NoticeSink {
  post(target: NoticeTarget, notice: DeviceNotice): void;
}

export function encodeNotice(notice: DeviceNotice): string {
  return JSON.stringify(notice);
}
