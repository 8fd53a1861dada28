/**
 * @module mesh/connect/respond-connection
 * RespondConnection, the owner's answer (docs/mesh-compatibility.md §5, §6.2 (a) 6 and (b) 3):
 * MessageId = ResponseId(the answered message's MessageId) — the AcknowledgeConnection's
 * for the witness/PIN flow, the MessageClaim's for a static-QR claim — Result "Accept" with
 * the CatalogedDevice, or "Reject". Signed by the AdministratorSignature (the service
 * checks it on ConnectComplete, the device on completion: design decision 4) and encrypted
 * to the device's base Encryption key, as the reference does. EnvelopeId =
 * EnvelopeId(MessageId), which lets the service file it against the pending request
 * without reading it.
 *
 * The service cannot read an envelope encrypted only to the device; an owner that wants it
 * to (to learn the Result and the CatalogedDevice for its device catalog) adds the
 * service's ServiceEncryption key through `additionalRecipients`. The ActivationDevice
 * inside stays encrypted to the device alone, so that grants no key material.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import type { Signer } from '../dare/signature.js';
import type { CatalogedDevice } from '../objects/cataloged-device.js';
import type { CatalogedPublication } from '../objects/cataloged-publication.js';
import type { ConnectionDevice } from '../objects/connection-device.js';
import type { RespondConnection } from '../objects/respond-connection.js';
import type { VerifiedProfileAccount } from '../profiles/profile-account.js';
import type { VerifiedProfileDevice } from '../profiles/profile-device.js';
import {
  openSignedEncryptedObject,
  recipientOf,
  sealObject,
  signerOf,
  toEnvelope,
  type EncryptionRecipient,
  type EnvelopeInput,
} from '../profiles/signed-object.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { envelopeId, responseId } from '../udf/message-id.js';
import type { VerifiedAcknowledgeConnection } from './acknowledge-connection.js';
import { checkAdminKey, createCatalogedDevice, type CombinedPublicKeys } from './cataloged-device.js';
import { openPublication } from './cataloged-publication.js';
import { AccountMismatchError, MessageIdMismatchError } from './connection-errors.js';
import { sameAccount } from './request-connection.js';

export interface CreatedRespondConnection {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly respond: RespondConnection;
  /** = ResponseId(answered MessageId). */
  readonly messageId: string;
  readonly deviceUdf: string;
}

export interface AcceptedConnection extends CreatedRespondConnection {
  readonly catalogedDevice: CatalogedDevice;
  /** A secret: the owner need not keep it (the device derives its keys from it). */
  readonly activationSeed: string;
  readonly connection: ConnectionDevice;
  readonly combined: CombinedPublicKeys;
}

interface CommonAnswerInput {
  readonly accountProfile: VerifiedProfileAccount;
  /** The account's key pairs; only AdministratorSignature is used. */
  readonly accountKeys: { readonly administratorSignature: KeyPair };
  readonly random: RandomSource;
  /** Further readers of the RespondConnection, e.g. the service's ServiceEncryption key. */
  readonly additionalRecipients?: readonly EncryptionRecipient[];
}

export interface AcceptConnectionInput extends CommonAnswerInput {
  readonly acknowledgement: VerifiedAcknowledgeConnection;
  readonly roles?: readonly string[];
  readonly now: Date;
}

export type RejectConnectionInput = CommonAnswerInput & { readonly acknowledgement: VerifiedAcknowledgeConnection };

function adminSigner(input: CommonAnswerInput): Signer {
  const signer = signerOf(input.accountKeys.administratorSignature);
  checkAdminKey(signer, input.accountProfile);
  return signer;
}

function checkAcknowledgedAccount(ack: VerifiedAcknowledgeConnection, accountProfile: VerifiedProfileAccount): void {
  if (!sameAccount(ack.request.accountAddress, accountProfile.accountAddress)) {
    throw new AccountMismatchError('"acknowledgement" is for a request to another account', {
      context: { what: 'acknowledgement' },
    });
  }
}

function seal(
  respond: RespondConnection,
  device: VerifiedProfileDevice,
  input: CommonAnswerInput,
): { envelope: DareEnvelope; json: EnvelopeJson } {
  return sealObject('RespondConnection', respond, {
    envelopeId: envelopeId(respond.MessageId),
    signer: adminSigner(input),
    recipients: [recipientOf(device.keys.encryption), ...(input.additionalRecipients ?? [])],
    random: input.random,
  });
}

function accept(
  answered: string,
  device: VerifiedProfileDevice,
  input: CommonAnswerInput & { readonly roles?: readonly string[]; readonly now: Date },
): AcceptedConnection {
  const made = createCatalogedDevice({
    device,
    accountProfile: input.accountProfile,
    adminKey: adminSigner(input),
    ...(input.roles === undefined ? {} : { roles: input.roles }),
    random: input.random,
    now: input.now,
  });
  const messageId = responseId(answered);
  const respond: RespondConnection = { MessageId: messageId, Result: 'Accept', CatalogedDevice: made.catalogedDevice };
  const { envelope, json } = seal(respond, device, input);
  return {
    envelope,
    json,
    respond,
    messageId,
    deviceUdf: device.udf,
    catalogedDevice: made.catalogedDevice,
    activationSeed: made.activationSeed,
    connection: made.connection,
    combined: made.combined,
  };
}

/** Accept the device of a verified AcknowledgeConnection (§6.2 (a) 6). */
export function acceptConnection(input: AcceptConnectionInput): AcceptedConnection & { readonly witness: string } {
  checkAcknowledgedAccount(input.acknowledgement, input.accountProfile);
  const accepted = accept(input.acknowledgement.messageId, input.acknowledgement.request.device, input);
  return { ...accepted, witness: input.acknowledgement.witness };
}

/** Reject it: Result "Reject", no CatalogedDevice, signed and encrypted like an accept. */
export function rejectConnection(
  input: RejectConnectionInput,
): CreatedRespondConnection & { readonly witness: string } {
  checkAcknowledgedAccount(input.acknowledgement, input.accountProfile);
  const device = input.acknowledgement.request.device;
  const messageId = responseId(input.acknowledgement.messageId);
  const respond: RespondConnection = { MessageId: messageId, Result: 'Reject' };
  const { envelope, json } = seal(respond, device, input);
  return { envelope, json, respond, messageId, deviceUdf: device.udf, witness: input.acknowledgement.witness };
}

export interface AcceptClaimInput extends CommonAnswerInput {
  /** The MessageId of the claim this owner made (createMessageClaim). */
  readonly claimMessageId: string;
  /** The publication the maker's service returned for the claim (ClaimResponse). */
  readonly publication: CatalogedPublication;
  /** The mcu:// URI scanned from the device (its ConnectKey opens the publication). */
  readonly connectUri: string;
  readonly roles?: readonly string[];
  readonly now: Date;
}

/**
 * Accept a static-QR device (§6.2 (b) 3): the ProfileDevice comes from the publication,
 * decrypted with the ConnectKey, and MessageId = ResponseId(claim MessageId).
 */
export function acceptClaim(input: AcceptClaimInput): AcceptedConnection & { readonly device: VerifiedProfileDevice } {
  if (typeof input.claimMessageId !== 'string') {
    throw new InvalidArgumentError('"claimMessageId" expected the MessageId of the claim', {
      context: { what: 'claimMessageId' },
    });
  }
  const device = openPublication(input.publication, input.connectUri);
  return { ...accept(input.claimMessageId, device, input), device };
}

export interface OpenRespondConnectionOptions {
  /** The account whose AdministratorSignature must have signed it. */
  readonly accountProfile: VerifiedProfileAccount;
  /** A key it is encrypted to: the device's base Encryption key, or the service's. */
  readonly decryptionKey: KeyPair;
  /** The MessageId it answers (Ack.MessageId or claim MessageId); checked when given. */
  readonly answers?: string;
}

export interface OpenedRespondConnection {
  readonly respond: RespondConnection;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly messageId: string;
}

/**
 * Verifies and decrypts a RespondConnection: the admin signature first (a response signed
 * by the device itself or another account is refused before decryption), then the key,
 * then MessageId = ResponseId(`answers`) and EnvelopeId = EnvelopeId(MessageId).
 * @throws UnsignedEnvelopeError / UnauthorizedSignerError, DecryptionError,
 *   MessageIdMismatchError.
 */
export function openRespondConnection(
  input: EnvelopeInput,
  options: OpenRespondConnectionOptions,
): OpenedRespondConnection {
  const what = 'RespondConnection';
  const envelope = toEnvelope(input, what);
  const respond = openSignedEncryptedObject(
    envelope,
    'RespondConnection',
    options.accountProfile.keys.administratorSignature,
    options.decryptionKey,
    what,
    'AdministratorSignature key of the account',
  );
  if (
    options.answers !== undefined &&
    canonicalUdfString(respond.MessageId, `${what}.MessageId`) !== responseId(options.answers)
  ) {
    throw new MessageIdMismatchError(`"${what}.MessageId" is not ResponseId of the message it should answer`, {
      context: { what: `${what}.MessageId` },
    });
  }
  const id = envelope.header.envelopeId;
  if (id !== undefined && canonicalUdfString(id, `${what}.EnvelopeId`) !== envelopeId(respond.MessageId)) {
    throw new MessageIdMismatchError(`"${what}.EnvelopeId" is not EnvelopeId(MessageId)`, {
      context: { what: `${what}.EnvelopeId` },
    });
  }
  return { respond, envelope, json: envelopeToJson(envelope), messageId: respond.MessageId };
}

/** Recipient helper re-exported for callers adding the service's ServiceEncryption key. */
export function serviceRecipient(serviceEncryption: PublicKey): EncryptionRecipient {
  return recipientOf(serviceEncryption);
}
