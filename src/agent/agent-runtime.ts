/**
 * @module agent/agent-runtime
 * What the agent's loops share: the ports, the device identity of this start, and the one
 * in-memory AgentState, changed only through `update`, which persists every change before
 * it returns (docs/decisions/0011-crash-safe-persistence.md). Loops run concurrently, so changes are applied in
 * order and saved in order.
 */
import type { ProfileDevice } from '../mesh/objects/profile-device.js';
import type { CreatedProfile } from '../mesh/profiles/profile-device.js';
import type { DeviceClaimSecrets } from '../mesh/connect/message-claim.js';
import type { AgentState } from './agent-state.js';
import type { AdditionalClaimPolicy } from './config/agent-config.js';
import type { Clock } from '../crypto/clock.js';
import type { RandomSource } from '../crypto/random.js';
import type { Announcer, ConfirmationInbox, Logger, MeshTransport, SecretStore } from './ports.js';
import type { RetryScheduleOptions } from './retry-schedule.js';
import type { PushHooks } from './push/push-hub.js';
import type { PushBrokerSettings } from './push/push-settings.js';

/** One configured owner, as the loops need it. */
export interface OwnerSettings {
  readonly account: string;
  readonly service: string;
  /** The PIN UDF the owner issued (a secret; never logged or persisted). */
  readonly pin?: string;
}

export interface ClaimSettings {
  /** The maker's account, from the label's mcu:// URI. */
  readonly account: string;
  readonly service: string;
  readonly additionalClaims: AdditionalClaimPolicy;
}

export interface AgentSettings {
  readonly owners: readonly OwnerSettings[];
  readonly claims?: ClaimSettings;
  readonly polling: RetryScheduleOptions;
  /** How often a held claim looks for a confirmation (ms). */
  readonly confirmationCheckMs?: number;
  readonly version: string;
  readonly pid?: number;
  /** Brokers whose notices replace polling, per service (config `mqtt.push`). */
  readonly push?: readonly PushBrokerSettings[];
}

export interface AgentRuntime {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly announcer: Announcer;
  readonly transport: MeshTransport;
  readonly secrets: SecretStore;
  readonly confirmations?: ConfirmationInbox;
  readonly settings: AgentSettings;
  readonly deviceSeed: string;
  readonly profile: CreatedProfile<ProfileDevice>;
  readonly claimSecrets?: DeviceClaimSecrets;
  /** Present when MQTT is available: notices wake the loops, owners' brokers. */
  readonly push?: PushHooks;
  state(): AgentState;
  /** Applies `change` and persists the result; resolves once it is on disk. */
  update(change: (state: AgentState) => AgentState): Promise<void>;
  /** Starts the connection loop of an owner the claim watcher just added. */
  startOwner(key: string): void;
}
