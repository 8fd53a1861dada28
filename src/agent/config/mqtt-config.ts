/**
 * @module agent/config/mqtt-config
 * The configuration's `mqtt` section: per Mesh service, the broker it publishes
 * push notices on, with the device's credentials there. The owners' own brokers are not
 * configured here: each owner sends its own, signed, through its service (app-config).
 *
 * ```json
 * "mqtt": { "push": [ { "service": "https://mesh.example.com/", "url": "mqtts://push.example.com",
 *                       "username": "device-…", "password": "…", "topicPrefix": "mesh/v1" } ] }
 * ```
 */
import { type ConfigReader, childPath, describeValue } from './config-reader.js';
import { serviceUrl } from './config-values.js';
import { DEFAULT_TOPIC_PREFIX } from '../../mesh/messages/notice-topic.js';

export interface MqttPushConfig {
  readonly service: string;
  readonly url: string;
  readonly username?: string;
  /** A secret: never echoed in an error or a log. */
  readonly password?: string;
  readonly topicPrefix: string;
}

export interface MqttConfig {
  readonly push: readonly MqttPushConfig[];
}

export const MQTT_FIELDS = ['push'];
const PUSH_FIELDS = ['service', 'url', 'username', 'password', 'topicPrefix'];
const BROKER_EXPECTED = 'an mqtt://, mqtts://, ws:// or wss:// URL without credentials';
/** Topic levels without wildcards, no leading or trailing "/". */
const TOPIC_PREFIX = /^[^/#+\u0000-\u001f\u007f]+(\/[^/#+\u0000-\u001f\u007f]+)*$/;

export function brokerUrl(reader: ConfigReader, path: string, value: unknown): string | undefined {
  const text = reader.string(path, value, BROKER_EXPECTED);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return reader.fail(path, BROKER_EXPECTED, `${describeValue(text)}, which is not a URL`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol))
    return reader.fail(path, BROKER_EXPECTED, `a URL with scheme ${JSON.stringify(url.protocol.slice(0, -1))}`);
  if (url.username !== '' || url.password !== '') return reader.fail(path, BROKER_EXPECTED, 'a URL with credentials');
  return text;
}

export function readMqtt(reader: ConfigReader, value: unknown): MqttConfig | undefined {
  if (value === undefined) return undefined;
  const entry = reader.object('$.mqtt', value, MQTT_FIELDS, { brokers: 'push', notices: 'push' });
  if (entry === undefined) return undefined;
  const push: MqttPushConfig[] = [];
  if (entry['push'] === undefined) return { push };
  const list = reader.array('$.mqtt.push', entry['push']);
  list?.forEach((item, index) => {
    const path = childPath('$.mqtt.push', index);
    const e = reader.object(path, item, PUSH_FIELDS, { user: 'username', broker: 'url', prefix: 'topicPrefix' });
    if (e === undefined) return;
    const service = serviceUrl(reader, `${path}.service`, e['service']);
    const url = brokerUrl(reader, `${path}.url`, e['url']);
    const username =
      e['username'] === undefined ? undefined : reader.string(`${path}.username`, e['username'], 'a user name');
    let password: string | undefined;
    if (e['password'] !== undefined) {
      if (typeof e['password'] === 'string') password = e['password'];
      else reader.fail(`${path}.password`, 'a string', describeValue(e['password'], true));
    }
    let topicPrefix = DEFAULT_TOPIC_PREFIX;
    if (e['topicPrefix'] !== undefined) {
      const p = reader.string(
        `${path}.topicPrefix`,
        e['topicPrefix'],
        'topic levels separated by "/", without "+" or "#"',
      );
      if (p !== undefined && !TOPIC_PREFIX.test(p))
        reader.fail(`${path}.topicPrefix`, 'topic levels separated by "/", without "+" or "#"', describeValue(p));
      else if (p !== undefined) topicPrefix = p;
    }
    if (service === undefined || url === undefined) return;
    push.push({
      service,
      url,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      topicPrefix,
    });
  });
  return { push };
}
