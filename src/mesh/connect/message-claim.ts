/**
 * @module mesh/connect/message-claim
 * MessageClaim, an owner's claim on a static-QR device (docs/mesh-compatibility.md §5, §6.1, §6.2 (b)
 * 3-4): MessageId a nonce, Sender = the claimant account, Recipient = the publisher (from
 * the ConnectUri), PublicationId, ServiceAuthenticate and DeviceAuthenticate (which prove
 * knowledge of the ConnectKey to the service and to the device respectively), and — this
 * implementation's addition — the claimant's EnvelopedProfileAccount, the whole signed by
 * the claimant's AdministratorSignature. The device can then bind the claim to one profile
 * and later accept only a RespondConnection signed by that profile's admin key (design
 * decision 4).
 */
import type { RandomSource } from '../../crypto/random.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import type { Signer } from '../dare/signature.js';
import type { CatalogedPublication } from '../objects/cataloged-publication.js';
import type { MessageClaim } from '../objects/message-claim.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../profiles/profile-account.js';
import { UnauthorizedSignerError } from '../profiles/profile-errors.js';
import {
  decodePayload,
  plaintextOf,
  requireSigner,
  sealObject,
  toEnvelope,
  type EnvelopeInput,
} from '../profiles/signed-object.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { envelopeId, responseId } from '../udf/message-id.js';
import { nonceUdf } from '../udf/nonce.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { parseConnectUri } from './connect-uri.js';
import {
  AccountMismatchError,
  ClaimAuthenticatorError,
  ExpiredMessageError,
  MessageIdMismatchError,
  PublicationMismatchError,
} from './connection-errors.js';
import { checkAdminKey } from './cataloged-device.js';
import {
  DEVICE_VERIFY_BITS,
  SERVICE_VERIFY_BITS,
  deviceAuthenticate,
  publicationId,
  serviceAuthenticate,
  verifyDeviceAuthenticate,
  verifyServiceAuthenticate,
} from './static-qr.js';
import { sameAccount } from './request-connection.js';

export interface CreateMessageClaimInput {
  /** The claimant's verified account profile (its envelope travels in the claim). */
  readonly claimantProfile: VerifiedProfileAccount;
  /** The claimant's AdministratorSignature key and UDF. */
  readonly adminKey: Signer;
  /** mcu://publisher/ConnectKey, as scanned. */
  readonly connectUri: string;
  readonly random: RandomSource;
  readonly expires?: Date;
}

export interface CreatedMessageClaim {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly claim: MessageClaim;
  readonly messageId: string;
  /** ResponseId(messageId): the MessageId of the owner's RespondConnection (§6.2 (b) 3). */
  readonly responseId: string;
  readonly publicationId: string;
  /** The publisher account, where the Claim transaction goes. */
  readonly publisher: string;
}

/** The claimant's signed MessageClaim for the device of `connectUri`. */
export function createMessageClaim(input: CreateMessageClaimInput): CreatedMessageClaim {
  const uri = parseConnectUri(input.connectUri);
  if (uri.kind !== 'ConnectKey') {
    throw new InvalidArgumentError('"connectUri" expected a static-QR ConnectKey (E…), got a PIN', {
      context: { what: 'connectUri' },
    });
  }
  checkAdminKey(input.adminKey, input.claimantProfile);
  const claimant = input.claimantProfile.accountAddress;
  const messageId = nonceUdf(input.random);
  const id = publicationId(uri.key);
  const claim: MessageClaim = {
    MessageId: messageId,
    Sender: claimant,
    Recipient: uri.account,
    PublicationId: id,
    ServiceAuthenticate: serviceAuthenticate(claimant, uri.key),
    DeviceAuthenticate: deviceAuthenticate(claimant, uri.key),
    ...(input.expires === undefined ? {} : { Expires: input.expires }),
    EnvelopedProfileAccount: input.claimantProfile.json,
  };
  const { envelope, json } = sealObject('MessageClaim', claim, {
    envelopeId: envelopeId(messageId),
    signer: input.adminKey,
  });
  return {
    envelope,
    json,
    claim,
    messageId,
    responseId: responseId(messageId),
    publicationId: id,
    publisher: uri.account,
  };
}

export interface VerifiedMessageClaim {
  readonly claim: MessageClaim;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  /** The claimant's verified profile, from EnvelopedProfileAccount. */
  readonly claimant: VerifiedProfileAccount;
  readonly messageId: string;
  /** ResponseId(messageId): the RespondConnection to wait for. */
  readonly responseId: string;
}

/** Signature and profile binding, common to both verifiers. */
function verifyClaimSignature(input: EnvelopeInput): VerifiedMessageClaim {
  const what = 'MessageClaim';
  const envelope = toEnvelope(input, what);
  const claim = decodePayload(plaintextOf(envelope, what), 'MessageClaim', what);
  if (claim.EnvelopedProfileAccount === undefined) {
    throw new UnauthorizedSignerError(
      `"${what}.EnvelopedProfileAccount" is absent, so the claim's signer cannot be checked`,
      {
        context: { what: `${what}.EnvelopedProfileAccount` },
      },
    );
  }
  const claimant = verifyProfileAccount(claim.EnvelopedProfileAccount, `${what}.EnvelopedProfileAccount`);
  if (!sameAccount(claimant.accountAddress, claim.Sender)) {
    throw new AccountMismatchError(`"${what}.Sender" is not the AccountAddress of its EnvelopedProfileAccount`, {
      context: { what: `${what}.Sender` },
    });
  }
  requireSigner(
    envelope,
    claimant.keys.administratorSignature,
    what,
    "AdministratorSignature key of the claimant's profile",
  );
  const id = envelope.header.envelopeId;
  if (id !== undefined && canonicalUdfString(id, `${what}.EnvelopeId`) !== envelopeId(claim.MessageId)) {
    throw new MessageIdMismatchError(`"${what}.EnvelopeId" is not EnvelopeId(MessageId)`, {
      context: { what: `${what}.EnvelopeId` },
    });
  }
  return {
    claim,
    envelope,
    json: envelopeToJson(envelope),
    claimant,
    messageId: claim.MessageId,
    responseId: responseId(claim.MessageId),
  };
}

/** A claim with Expires is refused at or after it, when the checker passes its clock. */
function checkNotExpired(claim: MessageClaim, now: Date | undefined): void {
  if (now === undefined || claim.Expires === undefined) return;
  if (!(now.getTime() < claim.Expires.getTime())) {
    throw new ExpiredMessageError('"MessageClaim.Expires" has passed', { context: { what: 'MessageClaim.Expires' } });
  }
}

function checkPublicationId(claim: MessageClaim, expected: string): void {
  if (claim.PublicationId.toUpperCase() !== expected.toUpperCase()) {
    throw new PublicationMismatchError('"MessageClaim.PublicationId" is not the publication it is checked against', {
      context: { what: 'MessageClaim.PublicationId' },
    });
  }
}

/**
 * The service's check on Claim (docs/service-protocol.md; §6.2 (b) 3): the publication is
 * the one claimed, ServiceAuthenticate verifies for the Sender against the publication's
 * Authenticator at 125 bits, and the claim is signed by the embedded profile's admin key.
 * With `now`, a claim past its Expires is refused (ExpiredMessageError).
 * @throws PublicationMismatchError, ClaimAuthenticatorError, AccountMismatchError,
 *   UnauthorizedSignerError / UnsignedEnvelopeError, profile errors.
 */
export function verifyClaimOnService(
  input: EnvelopeInput,
  publication: CatalogedPublication,
  now?: Date,
): VerifiedMessageClaim {
  const verified = verifyClaimSignature(input);
  const { claim } = verified;
  checkPublicationId(claim, publication.Id);
  checkNotExpired(claim, now);
  if (
    !verifyServiceAuthenticate(claim.ServiceAuthenticate, claim.Sender, publication.Authenticator, SERVICE_VERIFY_BITS)
  ) {
    throw new ClaimAuthenticatorError(
      '"MessageClaim.ServiceAuthenticate" does not verify against the publication\'s Authenticator',
      {
        context: { what: 'MessageClaim.ServiceAuthenticate' },
      },
    );
  }
  return verified;
}

/** What a preconfigured device keeps instead of its ConnectKey (§6.2 (b) 2). */
export interface DeviceClaimSecrets {
  readonly publicationId: string;
  readonly serviceAuthenticator: string;
  readonly deviceAuthenticator: string;
}

/**
 * The device's check on a polled claim (§6.2 (b) 4): its own PublicationId, both
 * authenticators for the Sender at 100 bits (both computed before either is judged, so
 * timing does not say which failed), and the signature by the embedded profile's admin key.
 * The returned `claimant` is the account profile completeConnection must later require.
 * With `now`, a claim past its Expires is refused (ExpiredMessageError).
 * @throws PublicationMismatchError, ClaimAuthenticatorError, AccountMismatchError,
 *   UnauthorizedSignerError / UnsignedEnvelopeError, profile errors.
 */
export function verifyClaimOnDevice(
  input: EnvelopeInput,
  secrets: DeviceClaimSecrets,
  now?: Date,
): VerifiedMessageClaim {
  const verified = verifyClaimSignature(input);
  const { claim } = verified;
  checkPublicationId(claim, secrets.publicationId);
  checkNotExpired(claim, now);
  const deviceOk = verifyDeviceAuthenticate(
    claim.DeviceAuthenticate,
    claim.Sender,
    secrets.deviceAuthenticator,
    DEVICE_VERIFY_BITS,
  );
  const serviceOk = verifyServiceAuthenticate(
    claim.ServiceAuthenticate,
    claim.Sender,
    secrets.serviceAuthenticator,
    DEVICE_VERIFY_BITS,
  );
  if (!deviceOk || !serviceOk) {
    const field = deviceOk ? 'ServiceAuthenticate' : 'DeviceAuthenticate';
    throw new ClaimAuthenticatorError(`"MessageClaim.${field}" does not verify for the claimant`, {
      context: { what: `MessageClaim.${field}` },
    });
  }
  return verified;
}
