/**
 * @module mesh/messages/notice-topic
 * The MQTT topics a service posts push notices on and a device subscribes to
 * (docs/service-protocol.md "Application entries and push notices"):
 * - `<prefix>/device/<device UDF>/notice` for what a device's owner did;
 * - `<prefix>/publication/<PublicationId>/notice` for a claim of a device's QR label (the
 *   service knows the label's publication, not the device it belongs to).
 * The prefix is the operator's choice (`--mqtt-topic-prefix`); both ends default to the same.
 */

export const DEFAULT_TOPIC_PREFIX = 'mesh/v1';

export type NoticeTarget = { readonly device: string } | { readonly publication: string };

/** MQTT topic levels may not hold `+`, `#`, `/` or NUL; UDFs and ids never do, but say so. */
function level(value: string): string {
  if (!/^[A-Za-z0-9_.@-]{1,200}$/.test(value))
    throw new RangeError(`not a topic level: ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

/**
 * The topic of `target` under `prefix`. Identifiers are upper-cased, as UDFs compare
 * case-insensitively and a subscriber must match the publisher byte for byte.
 * @throws RangeError when an identifier is not a single topic level.
 */
export function noticeTopic(prefix: string, target: NoticeTarget): string {
  return 'device' in target
    ? `${prefix}/device/${level(target.device.toUpperCase())}/notice`
    : `${prefix}/publication/${level(target.publication.toUpperCase())}/notice`;
}
