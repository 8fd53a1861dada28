/**
 * @module agent/push/mqtt-errors
 * What an MqttConnector throws, so the agent tells apart a broker that said no
 * (wrong credentials, not authorized: shown as `refused`, retried at the schedule's pace
 * and never in a tight loop) from one it could not reach (`unreachable`). Messages name the
 * broker without its password and the broker's reason, never a credential.
 */
import { MeshError, type MeshErrorOptions } from '../../crypto/errors.js';

/** No answer from the broker: refused TCP, DNS, TLS, timeout, connection lost. */
export class MqttUnavailableError extends MeshError {
  readonly code = 'ERR_MQTT_UNAVAILABLE';
}

/** The broker answered and refused: CONNACK or SUBACK with a failure reason code. */
export class MqttRefusedError extends MeshError {
  readonly code = 'ERR_MQTT_REFUSED';
  /** The MQTT reason code (v5: 0x86 bad user name or password, 0x87 not authorized; v3: 4, 5). */
  readonly reasonCode: number | undefined;
  constructor(message: string, reasonCode: number | undefined, options: MeshErrorOptions = {}) {
    super(message, { ...options, context: { reasonCode, ...options.context } });
    this.reasonCode = reasonCode;
  }
}

/** A broker URL with any user:password removed, for logs and status. */
export function displayBrokerUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid broker URL)';
  }
}
