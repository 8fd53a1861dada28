/**
 * @module service/notify/device-notice
 * Push notices: when something a device is waiting for reaches the service, the
 * service publishes a short notice on the device's topic, so the device fetches at once
 * instead of at its next poll. A notice carries nothing secret and nothing the device trusts:
 * it only says "ask me now"; the device fetches the result through the service and verifies
 * it as it always does (design decision 4). A lost, forged or replayed notice costs one fetch.
 *
 * Topics (`<prefix>` defaults to `mesh/v1`):
 * - `<prefix>/device/<device UDF>/notice`: `{"type":"respond","responseId":"<ResponseId>"}` when
 *   ConnectComplete files the owner's answer; `{"type":"application","account":"<account>"}`
 *   when an owner publishes an application entry for the device.
 * - `<prefix>/publication/<PublicationId>/notice`: `{"type":"claim","publicationId":"<Id>"}`
 *   when a claim of the device's QR label arrives (the service knows the label's publication,
 *   not the device it belongs to).
 */

export const DEFAULT_NOTICE_PREFIX = 'mesh/v1';

export type DeviceNotice =
  | { readonly type: 'respond'; readonly responseId: string }
  | { readonly type: 'claim'; readonly publicationId: string }
  | { readonly type: 'application'; readonly account: string };

export type NoticeTarget = { readonly device: string } | { readonly publication: string };

/** Where transactions drop notices. Never throws and never delays the transaction. */
export interface NoticeSink {
  post(target: NoticeTarget, notice: DeviceNotice): void;
}

/** MQTT topic levels may not hold `+`, `#`, `/` or NUL; UDFs and ids never do, but say so. */
function level(value: string): string {
  if (!/^[A-Za-z0-9_.@-]{1,200}$/.test(value)) throw new RangeError(`not a topic level: ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

export function noticeTopic(prefix: string, target: NoticeTarget): string {
  return 'device' in target ? `${prefix}/device/${level(target.device.toUpperCase())}/notice` : `${prefix}/publication/${level(target.publication.toUpperCase())}/notice`;
}

export function encodeNotice(notice: DeviceNotice): string {
  return JSON.stringify(notice);
}
