/**
 * @module agent/agent-state
 * The agent's persisted state (docs/decisions/0011-crash-safe-persistence.md): an explicit
 * union per owner, written whole and atomically after every change (StateStore), and
 * re-derived at start so a restart resumes instead of re-pairing. Nothing secret lives
 * here: the device seed and each activation seed are in the SecretStore; what is kept is
 * public (profiles, envelopes, identifiers) or was already public (the ConnectUri is the
 * QR label).
 *
 * Layout on disk: `<stateDirectory>/state.json`, `{"Format": "mesh-agent-state/1", …}`.
 */
import { toHex, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import type { EnvelopeJson } from '../mesh/schema/envelope-json.js';

export const STATE_FORMAT = 'mesh-agent-state/1';

/** How the device got its seed. */
export type DeviceMode = 'factory' | 'self';

export interface DeviceRecord {
  /** ProfileDevice UDF (= ProfileSignature fingerprint): the device fingerprint people compare. */
  readonly udf: string;
  readonly mode: DeviceMode;
  /** ProfileDevice.Description, so the profile regenerates byte for byte from the seed. */
  readonly description?: string;
  /** Factory mode: the label's mcu:// URI and what the device derived from it (§6.2 (b) 2). */
  readonly connectUri?: string;
  readonly makerAccount?: string;
  readonly publicationId?: string;
  readonly created: string;
}

/** Where an owner record came from: the configuration's owners[], or a claim of the QR label. */
export type OwnerOrigin = 'config' | 'claim';

interface OwnerBase {
  /** The account address as configured or as the claim's Sender. */
  readonly account: string;
  /** The owner's Mesh service (transaction URL or origin). */
  readonly service: string;
  readonly origin: OwnerOrigin;
  /** When the record entered its current state (RFC 3339). */
  readonly since: string;
  /** The last thing that went wrong for this owner, one line, no secrets. */
  readonly lastError?: { readonly message: string; readonly at: string };
}

/** No request outstanding: the next step is ConnectStart (first time, or after Expired). */
export interface OwnerNew extends OwnerBase {
  readonly state: 'new';
}

/** A request the owner has not answered: poll ConnectStatus with `responseId`. */
export interface OwnerPending extends OwnerBase {
  readonly state: 'pending';
  /** ResponseId(AcknowledgeConnection.MessageId) or ResponseId(MessageClaim.MessageId). */
  readonly responseId: string;
  /** Witness flow: what completeConnection needs, re-verified at every start. */
  readonly requestMessageId?: string;
  readonly witness?: string;
  readonly accountUdf?: string;
  readonly enveloped?: {
    readonly profileAccount?: EnvelopeJson;
    readonly acknowledgement?: EnvelopeJson;
    /** Claim flow: the claim as polled; its signer is the account to be answered by. */
    readonly claim?: EnvelopeJson;
  };
}

/** Accepted: the activation seed is in the SecretStore under activationSecretName(account). */
export interface OwnerConnected extends OwnerBase {
  readonly state: 'connected';
  readonly responseId: string;
  readonly accountUdf: string;
  readonly witness?: string;
  readonly connectedAt: string;
  readonly roles: readonly string[];
  /** CatalogedDevice as the owner sent it (JSON form); public except for what it encrypts. */
  readonly catalogedDevice: unknown;
  /** The account profile whose admin key signed the answer (for approvals and re-checks). */
  readonly profileAccount: EnvelopeJson;
}

/** The owner said no: terminal until the record is removed (config change). */
export interface OwnerRejected extends OwnerBase {
  readonly state: 'rejected';
  readonly witness?: string;
}

/** The owner revoked the device: the activation was dropped; terminal. */
export interface OwnerRevoked extends OwnerBase {
  readonly state: 'revoked';
  readonly accountUdf?: string;
}

export type OwnerRecord = OwnerNew | OwnerPending | OwnerConnected | OwnerRejected | OwnerRevoked;
export type OwnerStateName = OwnerRecord['state'];

/** A later claim held until someone approves it (claims.additionalClaims). */
export interface HeldClaim {
  readonly messageId: string;
  readonly claimant: string;
  readonly policy: 'physical-confirmation' | 'owner-approval';
  /** physical-confirmation: the code `mesh-agent approve-claim` takes. */
  readonly code?: string;
  readonly claim: EnvelopeJson;
  readonly received: string;
}

/**
 * The last thing that went wrong with the maker's claims, one line, no secrets. `kind` says
 * whose fault it was so nothing reads the message: `claim-refused` is a claim this device
 * refused (the claimant's doing), `failed` is anything else (a poll, a relayed approval). A
 * state written before `kind` existed has none, which reads as `failed`.
 */
export interface ClaimsError {
  readonly kind: 'claim-refused' | 'failed';
  readonly message: string;
  readonly at: string;
}

export interface ClaimsRecord {
  /** MessageIds of claims already handled (accepted, refused or held), newest last, bounded. */
  readonly seen: readonly string[];
  readonly held: readonly HeldClaim[];
  readonly lastError?: ClaimsError;
  readonly lastPoll?: string;
}

export interface AgentState {
  readonly Format: typeof STATE_FORMAT;
  readonly device: DeviceRecord;
  /** Keyed by lower-cased account address. */
  readonly owners: Readonly<Record<string, OwnerRecord>>;
  readonly claims: ClaimsRecord;
  readonly updated: string;
}

/** The keystore name of the device seed. */
export const DEVICE_SEED_SECRET = 'device-seed';

/**
 * The keystore name of an owner's activation seed (one per owner):
 * `activation/<account>`, lower-cased. Characters a secret name may not hold (an account's
 * local part allows `+`, `=`, `!`…) are written `_xx` (hex), and `_` itself as `_5f`, so
 * two accounts never share a name.
 */
export function activationSecretName(account: string): string {
  let encoded = '';
  for (const ch of account.toLowerCase()) {
    encoded += /[a-z0-9.@-]/.test(ch)
      ? ch
      : [...new TextEncoder().encode(ch)].map((b) => `_${b.toString(16).padStart(2, '0')}`).join('');
  }
  const name = `activation/${encoded}`;
  // Secret names stop at 128 characters; a longer address is named by its digest.
  return name.length <= 128 ? name : `activation/sha256-${toHex(sha256(utf8(account.toLowerCase())))}`;
}

export function ownerKey(account: string): string {
  return account.toLowerCase();
}

/** How many handled claim ids are remembered (PollClaim returns only the latest claim). */
export const SEEN_CLAIMS_LIMIT = 64;
