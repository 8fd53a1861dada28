/**
 * @module agent/ports
 * What the agent needs from the world, as types only (docs/conventions.md "Layers"): the
 * agent owns these and never imports `platform/`. Each has a real adapter in `platform/`
 * (or `cli/agent/` for the HTTP transport) and a fake in `agent/fakes/` that is a real
 * implementation, created per test.
 */
import type { EnvelopeJson } from '../mesh/schema/envelope-json.js';
import type { AgentState } from './agent-state.js';
import type { AgentStatus } from './agent-status.js';
import type { SecretStore, SecretStoreTier } from './secret-store.js';

export type { SecretStore, SecretStoreTier };

/** Where the persisted AgentState and the status snapshot live; every save is atomic. */
export interface StateStore {
  /** A human-readable location, e.g. the state file path. */
  readonly location: string;
  /** The saved state, or undefined before first boot. @throws StateCorruptError */
  load(): Promise<AgentState | undefined>;
  /** Replaces the state atomically and durably (temp, fsync, rename, fsync dir). */
  save(state: AgentState): Promise<void>;
  /** Replaces the status snapshot that `mesh-agent status` reads. */
  saveStatus(status: AgentStatus): Promise<void>;
}

/** The factory DevicePreconfiguration file. */
export interface PreconfigurationFile {
  readonly path: string;
  /** The file's bytes, or undefined when there is no file. */
  read(): Promise<Uint8Array | undefined>;
  /** Replaces the file atomically and durably; a crash leaves the old file or the new one. */
  replace(text: string): Promise<void>;
}

/** Confirmation codes a person entered on the device (`mesh-agent approve-claim`). */
export interface ConfirmationInbox {
  /** The codes waiting, removed as they are returned. */
  take(): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------
// The subset of the service contract the agent uses (docs/service-protocol.md). Errors are
// the classes of agent/transport-errors, so the state machine branches on type.

export interface HelloAnswer {
  readonly EnvelopedProfileService?: EnvelopeJson;
}
export interface ConnectStartAnswer {
  readonly EnvelopedAcknowledgeConnection: EnvelopeJson;
  readonly EnvelopedProfileAccount: EnvelopeJson;
}
export type ConnectResult = 'Pending' | 'Accept' | 'Reject' | 'Expired' | 'Revoked';
export interface ConnectStatusAnswer {
  readonly Result: ConnectResult;
  readonly EnvelopedRespondConnection?: EnvelopeJson;
  /** Seconds. */
  readonly RetryAfter?: number;
  /**
   * With an Accept: the owner's ClaimApprovals for this device (claims.additionalClaims
   * "owner-approval"), as the service relays them; the agent verifies each itself.
   */
  readonly EnvelopedClaimApprovals?: readonly unknown[];
}
export interface PollClaimAnswer {
  readonly EnvelopedMessageClaim?: EnvelopeJson;
}

export interface MeshTransport {
  hello(service: string): Promise<HelloAnswer>;
  connectStart(
    service: string,
    request: { AccountAddress: string; EnvelopedRequestConnection: EnvelopeJson },
  ): Promise<ConnectStartAnswer>;
  /** Pending (202) and Expired (410) are answers, not errors. */
  connectStatus(service: string, request: { AccountAddress: string; ResponseId: string }): Promise<ConnectStatusAnswer>;
  pollClaim(
    service: string,
    request: { PublicationId: string; TargetAccountAddress: string },
  ): Promise<PollClaimAnswer>;
}

// ---------------------------------------------------------------------------------------

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** Structured fields of a log line: identifiers and counts only, never key material. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/**
 * What a person near the device must be able to see (docs/decisions/0012-human-channels-show-one-fingerprint.md): the device
 * fingerprint, the label's ConnectUri, each owner's witness, outcomes, and the codes that
 * confirm a claim. Today the log shows them; the LED and serial console come next.
 */
export type Announcement =
  | { readonly kind: 'fingerprint'; readonly deviceUdf: string; readonly mode: 'factory' | 'self' }
  | { readonly kind: 'connect-uri'; readonly connectUri: string }
  | { readonly kind: 'witness'; readonly account: string; readonly witness: string; readonly deviceUdf: string }
  | { readonly kind: 'connected'; readonly account: string }
  | { readonly kind: 'rejected'; readonly account: string }
  | { readonly kind: 'revoked'; readonly account: string }
  | { readonly kind: 'expired'; readonly account: string }
  | {
      readonly kind: 'claim-held';
      readonly claimant: string;
      readonly policy: 'physical-confirmation' | 'owner-approval';
      readonly code?: string;
    }
  | { readonly kind: 'claim-refused'; readonly claimant: string; readonly reason: string };

export interface Announcer {
  announce(announcement: Announcement): void;
}

// ---------------------------------------------------------------------------------------
// MQTT: push notices from an owner's service, and each owner's own broker for the
// device's status. One session is one connection; the agent reconnects on its own
// RetrySchedule, so an adapter never reconnects by itself. The adapter (platform/mqtt) loads
// the MQTT client only when a session is first asked for.

export interface MqttMessage {
  readonly topic: string;
  readonly payload: string | Uint8Array;
  readonly retain?: boolean;
  readonly qos?: 0 | 1;
}

export interface MqttConnectOptions {
  readonly url: string;
  readonly username?: string;
  /** A secret: never logged, never put in an error. */
  readonly password?: string;
  readonly clientId: string;
  /** What the broker publishes if the session ends without a clean disconnect (last will). */
  readonly will?: MqttMessage;
  readonly connectTimeoutMs?: number;
  readonly keepaliveSeconds?: number;
}

export interface MqttSession {
  /** @throws MqttRefusedError when the broker refuses the subscription (ACL). */
  subscribe(topic: string): Promise<void>;
  publish(message: MqttMessage): Promise<void>;
  onMessage(listener: (topic: string, payload: Uint8Array) => void): void;
  /** Resolves once, when the connection is lost or ended, with the reason if one is known. */
  readonly closed: Promise<string | undefined>;
  /** Clean disconnect (the broker does not publish the will). */
  end(): Promise<void>;
}

export interface MqttConnector {
  /** @throws MqttRefusedError (the broker said no), MqttUnavailableError (no answer). */
  connect(options: MqttConnectOptions): Promise<MqttSession>;
}

/** The owner's application entry for this device (ApplicationGet), undefined when there is none. */
export interface ApplicationEntryAnswer {
  readonly EnvelopedApplicationEntry?: EnvelopeJson;
}

/** The part of the transport that fetches application entries. */
export interface ApplicationTransport {
  /** A 404 (no entry, device not connected there) is `{}`, not an error. */
  applicationGet(service: string, request: { Account: string; Device: string }): Promise<ApplicationEntryAnswer>;
}
