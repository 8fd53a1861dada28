/**
 * @module service/records
 * How the service's entities map onto store containers and keys (store.ts lists them). Keys
 * that combine an account with another identifier separate them by a space, which neither an
 * account address (connect-uri LOCAL_PART / DNS label) nor a UDF can contain, so a prefix
 * `"<account> "` lists exactly one account's records.
 */
import type { JsonObject } from '../mesh/encoding/json-value.js';
import type { EnvelopeJson } from '../mesh/schema/envelope-json.js';
import type { PutChange, Store, StoredRecord } from './store/store.js';

export const Containers = {
  /** account → AccountRecord */
  accounts: 'accounts',
  /** account + EnvelopeId(ResponseId) → ConnectionRecord */
  requests: 'requests',
  /** account + PinId → PinRecord */
  pins: 'pins',
  /** account → PinFailureRecord (earlier per-account lockout; only purged now, see pin-attempts) */
  pinFailures: 'pin-failures',
  /** account + "unvalidated" → PendingQuotaRecord (docs/security.md "Pending requests per account") */
  pendingQuota: 'pending-quota',
  /** account + device UDF + ClientNonce → ConnectReplayRecord (docs/security.md "Replays") */
  connectReplays: 'connect-replays',
  /** account + nonce → NonceRecord */
  nonces: 'nonces',
  /** account + device UDF → DeviceRecord */
  devices: 'devices',
  /** PublicationId → PublicationRecord */
  publications: 'publications',
  /** PublicationId → ClaimRecord (the latest claim) */
  claims: 'claims',
} as const;

// Seen nonces are kept until they expire, so a deleted account's signed requests cannot be replayed.
export const ALL_ACCOUNT_CONTAINERS = [
  Containers.requests,
  Containers.pins,
  Containers.devices,
  Containers.pendingQuota,
  Containers.connectReplays,
] as const;

export function accountKey(account: string, id: string): string {
  return `${account} ${id}`;
}

export function accountPrefix(account: string): string {
  return `${account} `;
}

export interface AccountRecord {
  Account: string;
  /** The ProfileAccount envelope as the owner sent it (JSON form). */
  EnvelopedProfileAccount: EnvelopeJson;
  /** UDF of its AdministratorSignature key, for the Mesh-Authorization `kid` check. */
  AdministratorKid: string;
  Created: string;
  Updated: string;
}

export type ConnectionState = 'Pending' | 'Accept' | 'Reject';

export interface ConnectionRecord {
  Account: string;
  ResponseId: string;
  /** Absent for an answer to a static-QR claim, which has no request here. */
  Witness?: string;
  /** ProfileDevice UDF (its ProfileSignature fingerprint), when known. */
  DeviceUdf?: string;
  EnvelopedAcknowledgeConnection?: EnvelopeJson;
  PinValidated: boolean;
  Received: string;
  /** When a pending request stops waiting (ConnectStatus then answers Expired). */
  Expires?: string;
  State: ConnectionState;
  /** Present once ConnectComplete posted the owner's answer. */
  EnvelopedRespondConnection?: EnvelopeJson;
  Completed?: string;
}

export interface PinRecord {
  EnvelopedMessagePin: EnvelopeJson;
  Expires: string;
  /** When a connection request consumed it (a MessagePin is single-use). */
  Used?: string;
  /** Failed attempts against this PIN in the current window, newest last (service/pin-attempts). */
  FailedAttempts?: PinAttempt[];
  /** ms; the PIN is refused until then. */
  LockedUntil?: number;
}

export interface PinAttempt {
  /** ms */
  Time: number;
  /** service/pin-attempts attemptDigest: a replay of the same request has the same one. */
  Digest: string;
}

/** The live requests without a validated PIN of one account, so ConnectStart can cap them. */
export interface PendingQuotaRecord {
  Entries: { Key: string; Expires: number }[];
}

/** Where a ConnectStart already filed the request a replay repeats. */
export interface ConnectReplayRecord {
  RequestKey: string;
  /** ms; the same as the request's Expires. */
  Expires: number;
}

export interface PinFailureRecord {
  /** Times (ms) of failed attempts inside the current window. */
  Failures: number[];
  /** ms; PIN use refused until then. */
  LockedUntil?: number;
}

export interface NonceRecord {
  Expires: number;
}

export type DeviceStatus = 'Connected' | 'Revoked';

export interface DeviceRecord {
  Key: string;
  Status: DeviceStatus;
  Updated: string;
  /** The key of the connection request it came from, so ConnectStatus can answer Revoked. */
  RequestKey?: string;
  EnvelopedCatalogedDevice?: EnvelopeJson;
  /**
   * The owner's live ClaimApprovals for this device ("owner-approval"), newest
   * last; ConnectStatus hands them to the device this entry connected.
   */
  ClaimApprovals?: ClaimApprovalEntry[];
}

/** One ClaimApproval as Publish filed it (docs/service-protocol.md "Claim approval"). */
export interface ClaimApprovalEntry {
  MessageId: string;
  Claimant: string;
  Expires: string;
  EnvelopedClaimApproval: EnvelopeJson;
}

export interface PublicationRecord {
  Account: string;
  /** The CatalogedPublication JSON as published. */
  CatalogedPublication: JsonObject;
  Updated: string;
}

export interface ClaimRecord {
  Account: string;
  Claimant: string;
  EnvelopedMessageClaim: EnvelopeJson;
  Received: string;
}

/** A record as one of the interfaces above, with its version. */
export interface Versioned<T> {
  readonly key: string;
  readonly value: T;
  readonly version: number;
}

/**
 * A stored record as one of the interfaces above. They have optional members and readonly
 * envelope tuples, which a JSON index signature cannot express, so the cast happens here,
 * once; the container decides which interface `T` is.
 */
export function asRecord<T>(stored: StoredRecord): Versioned<T> {
  return { key: stored.key, value: stored.value as unknown as T, version: stored.version };
}

/** Typed read (see asRecord). */
export async function getRecord<T>(store: Store, container: string, key: string): Promise<Versioned<T> | undefined> {
  const stored = await store.get(container, key);
  return stored === undefined ? undefined : asRecord<T>(stored);
}

export function putRecord<T>(container: string, key: string, value: T): PutChange {
  // JSON.stringify drops undefined members, which is how an absent optional is stored.
  return { op: 'put', container, key, value: value as unknown as JsonObject };
}
