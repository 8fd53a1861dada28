/**
 * @module agent/push/mqtt-status
 * What the agent reports about its MQTT sessions in the status snapshot: each notice broker
 * and each owner's application broker, with its state. Types only and importing nothing, so
 * the status snapshot (and the ports that save it) can name them without depending on the
 * loops that produce them.
 */

export type BrokerState = 'connecting' | 'connected' | 'refused' | 'unreachable' | 'stopped';

/** One push-notice broker (`mqtt.push[]` of the configuration). */
export interface PushStatus {
  readonly service: string;
  readonly broker: string;
  readonly state: BrokerState;
  readonly since: string;
  readonly lastError?: { readonly message: string; readonly at: string };
}

/** One owner's application broker, from its application entry. */
export interface ApplicationStatus {
  readonly account: string;
  readonly broker?: string;
  readonly topic?: string;
  readonly state: BrokerState | 'removed' | 'none';
  readonly since: string;
  readonly configured?: string;
  readonly lastError?: { readonly message: string; readonly at: string };
}

export interface MqttAgentStatus {
  readonly push: readonly PushStatus[];
  readonly applications: readonly ApplicationStatus[];
}
