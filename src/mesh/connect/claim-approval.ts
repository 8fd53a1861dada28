/**
 * @module mesh/connect/claim-approval
 * ClaimApproval: an existing owner's consent to a later claim of a device it owns (claims.additionalClaims
 * "owner-approval", docs/decisions/0003-untrusted-service.md). The owner signs it with its account's
 * AdministratorSignature key and publishes it on its own service, which hands it to the
 * device with the ConnectStatus the device already polls for that owner
 * (docs/service-protocol.md "Claim approval").
 *
 * The device accepts an approval only if it is signed by the AdministratorSignature of the
 * very account profile the device connected with (so a service, another owner, a revoked
 * owner or the claimant cannot make one), names that account, is for THIS device's UDF (so
 * one for another device cannot be replayed here), names the claimant of the held claim, and
 * has not expired at the device's clock. The checks are split in two so the service can
 * verify the signature before it knows which catalog entry to file it under
 * (openClaimApproval), and the device adds what only it knows (checkClaimApproval).
 */
import { InvalidArgumentError, VerificationError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import type { Signer } from '../dare/signature.js';
import type { ClaimApproval } from '../objects/claim-approval.js';
import type { VerifiedProfileAccount } from '../profiles/profile-account.js';
import { openSignedObject, sealObject, toEnvelope, type EnvelopeInput } from '../profiles/signed-object.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { envelopeId } from '../udf/message-id.js';
import { nonceUdf } from '../udf/nonce.js';
import { checkAdminKey } from './cataloged-device.js';
import { checkAccountAddress } from './connect-uri.js';
import { AccountMismatchError, ExpiredMessageError, MessageIdMismatchError } from './connection-errors.js';
import { sameAccount } from './request-connection.js';

/** A ClaimApproval for another device than the one checking it (a replay from elsewhere). */
export class DeviceMismatchError extends VerificationError {}

/** The longest an approval may be valid for: the owner CLI's `--expires` bound (30 days). */
export const MAX_CLAIM_APPROVAL_MS = 30 * 86_400_000;

export interface CreateClaimApprovalInput {
  /** The approving owner's verified profile. */
  readonly accountProfile: VerifiedProfileAccount;
  /** Its AdministratorSignature key (checked against the profile). */
  readonly adminKey: Signer;
  /** The ProfileDevice UDF of the device the claim is for. */
  readonly deviceUdf: string;
  /** The account allowed to claim it. */
  readonly claimant: string;
  readonly expires: Date;
  readonly random: RandomSource;
}

export interface CreatedClaimApproval {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly approval: ClaimApproval;
  readonly messageId: string;
}

/** The owner's signed ClaimApproval; EnvelopeId = EnvelopeId(MessageId) (docs/mesh-compatibility.md §4.1). */
export function createClaimApproval(input: CreateClaimApprovalInput): CreatedClaimApproval {
  checkAdminKey(input.adminKey, input.accountProfile);
  checkAccountAddress(input.claimant, 'claimant');
  const deviceUdf = canonicalUdfString(input.deviceUdf, 'deviceUdf');
  if (!(input.expires instanceof Date) || !Number.isFinite(input.expires.getTime())) {
    throw new InvalidArgumentError('"expires" expected a valid Date', { context: { what: 'expires' } });
  }
  const messageId = nonceUdf(input.random);
  const approval: ClaimApproval = {
    MessageId: messageId,
    Account: input.accountProfile.accountAddress,
    DeviceUdf: deviceUdf,
    Claimant: input.claimant,
    Expires: input.expires,
  };
  const { envelope, json } = sealObject('ClaimApproval', approval, {
    envelopeId: envelopeId(messageId),
    signer: input.adminKey,
  });
  return { envelope, json, approval, messageId };
}

export interface VerifiedClaimApproval {
  readonly approval: ClaimApproval;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly messageId: string;
  /** Canonical UDF form of `approval.DeviceUdf`. */
  readonly deviceUdf: string;
}

/**
 * The signature and the approver: signed by the AdministratorSignature of `accountProfile`,
 * `Account` = its AccountAddress, EnvelopeId (when present) = EnvelopeId(MessageId).
 * @throws UnsignedEnvelopeError / UnauthorizedSignerError (forged, or another account's),
 *   AccountMismatchError, MessageIdMismatchError, SchemaError / InvalidEncodingError.
 */
export function openClaimApproval(
  input: EnvelopeInput | unknown,
  options: { readonly accountProfile: VerifiedProfileAccount },
): VerifiedClaimApproval {
  const what = 'ClaimApproval';
  const envelope = toEnvelope(input, what);
  const approval = openSignedObject(
    envelope,
    'ClaimApproval',
    options.accountProfile.keys.administratorSignature,
    what,
    `AdministratorSignature key of ${options.accountProfile.accountAddress}`,
  );
  if (!sameAccount(approval.Account, options.accountProfile.accountAddress)) {
    throw new AccountMismatchError(
      `"${what}.Account" expected ${options.accountProfile.accountAddress}, the account that signed it, got ${JSON.stringify(approval.Account.slice(0, 80))}`,
      {
        context: { what: `${what}.Account` },
      },
    );
  }
  const id = envelope.header.envelopeId;
  if (id !== undefined && canonicalUdfString(id, `${what}.EnvelopeId`) !== envelopeId(approval.MessageId)) {
    throw new MessageIdMismatchError(`"${what}.EnvelopeId" is not EnvelopeId(MessageId)`, {
      context: { what: `${what}.EnvelopeId` },
    });
  }
  const deviceUdf = canonicalUdfString(approval.DeviceUdf, `${what}.DeviceUdf`);
  return { approval, envelope, json: envelopeToJson(envelope), messageId: approval.MessageId, deviceUdf };
}

export interface CheckClaimApprovalOptions {
  /** The UDF of the device doing the check. */
  readonly deviceUdf: string;
  /** The checker's clock; an approval is usable strictly before Expires. */
  readonly now: Date;
  /** When given, the approval must name this claimant. */
  readonly claimant?: string;
}

/**
 * What only the device knows: the approval is for this device, this claimant, and still valid.
 * @throws DeviceMismatchError, AccountMismatchError (another claimant), ExpiredMessageError.
 */
export function checkClaimApproval(verified: VerifiedClaimApproval, options: CheckClaimApprovalOptions): void {
  const what = 'ClaimApproval';
  if (verified.deviceUdf !== canonicalUdfString(options.deviceUdf, 'deviceUdf')) {
    throw new DeviceMismatchError(`"${what}.DeviceUdf" is ${verified.deviceUdf}, not this device`, {
      context: { what: `${what}.DeviceUdf` },
    });
  }
  if (options.claimant !== undefined && !sameAccount(verified.approval.Claimant, options.claimant)) {
    throw new AccountMismatchError(
      `"${what}.Claimant" names ${JSON.stringify(verified.approval.Claimant.slice(0, 80))}, not ${options.claimant}`,
      {
        context: { what: `${what}.Claimant` },
      },
    );
  }
  if (!(options.now instanceof Date) || !(options.now.getTime() < verified.approval.Expires.getTime())) {
    throw new ExpiredMessageError(`"${what}.Expires" (${verified.approval.Expires.toISOString()}) has passed`, {
      context: { what: `${what}.Expires` },
    });
  }
}

/** openClaimApproval then checkClaimApproval: everything a device checks. */
export function verifyClaimApproval(
  input: EnvelopeInput | unknown,
  options: CheckClaimApprovalOptions & { readonly accountProfile: VerifiedProfileAccount },
): VerifiedClaimApproval {
  const verified = openClaimApproval(input, options);
  checkClaimApproval(verified, options);
  return verified;
}
