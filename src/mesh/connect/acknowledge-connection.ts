/**
 * @module mesh/connect/acknowledge-connection
 * AcknowledgeConnection, the service's answer to ConnectStart (docs/mesh-compatibility.md §5, §6.2 (a)
 * 3; docs/service-protocol.md): a fresh 16-byte ServerNonce, the witness of §6.1 over the
 * account and device ProfileSignature keys and both nonces, MessageId = Witness, the
 * original RequestConnection envelope, signed by the service's ServiceSignature key.
 *
 * The reference's device and admin trust the service's witness; here both recompute it
 * (design decision 3, docs/mesh-compatibility.md §13), so a service that pairs the wrong device with an
 * account, or substitutes nonces, shows a witness that the person comparing will not see
 * on the other end — and verifyAcknowledgeConnection refuses it before anyone looks.
 */
import { assertBytes } from '../../crypto/bytes.js';
import type { PublicKey } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import type { Signer } from '../dare/signature.js';
import type { AcknowledgeConnection } from '../objects/acknowledge-connection.js';
import type { VerifiedProfileAccount } from '../profiles/profile-account.js';
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
import { envelopeId } from '../udf/message-id.js';
import { AccountMismatchError, MessageIdMismatchError, WitnessMismatchError } from './connection-errors.js';
import { sameAccount, verifyRequestConnection, type VerifiedRequestConnection } from './request-connection.js';
import { WITNESS_NONCE_LENGTH, connectionWitness, verifyConnectionWitness } from './witness.js';

export interface CreateAcknowledgeConnectionInput {
  /** The request, as verifyRequestConnection returned it. */
  readonly request: VerifiedRequestConnection;
  /** The account's current profile, as verifyProfileAccount returned it. */
  readonly accountProfile: VerifiedProfileAccount;
  /** The service's ServiceSignature key and its UDF. */
  readonly serviceKey: Signer;
  readonly random: RandomSource;
}

export interface CreatedAcknowledgeConnection {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly acknowledgement: AcknowledgeConnection;
  /** = MessageId. */
  readonly witness: string;
  readonly serverNonce: Uint8Array;
  /** = witness; ConnectStatus asks for ResponseId(messageId) (docs/service-protocol.md). */
  readonly messageId: string;
}

/** The service's signed AcknowledgeConnection for a verified request. */
export function createAcknowledgeConnection(input: CreateAcknowledgeConnectionInput): CreatedAcknowledgeConnection {
  const { request, accountProfile } = input;
  if (!sameAccount(request.accountAddress, accountProfile.accountAddress)) {
    throw new AccountMismatchError('"request.AccountAddress" is not the AccountAddress of "accountProfile"', {
      context: { what: 'request.AccountAddress' },
    });
  }
  const serverNonce = input.random(WITNESS_NONCE_LENGTH);
  assertBytes(serverNonce, 'random output', WITNESS_NONCE_LENGTH);
  const witness = connectionWitness({
    accountProfileSignature: accountProfile.keys.profileSignature,
    deviceProfileSignature: request.device.keys.profileSignature,
    serverNonce,
    clientNonce: request.request.ClientNonce,
  });
  const acknowledgement: AcknowledgeConnection = {
    MessageId: witness,
    EnvelopedRequestConnection: request.json,
    ServerNonce: serverNonce,
    Witness: witness,
  };
  const { envelope, json } = sealObject('AcknowledgeConnection', acknowledgement, {
    envelopeId: envelopeId(witness),
    signer: input.serviceKey,
  });
  return { envelope, json, acknowledgement, witness, serverNonce, messageId: witness };
}

export interface VerifyAcknowledgeConnectionOptions {
  /** The account profile the witness is computed over (the device's from ConnectStart, the owner's own). */
  readonly accountProfile: VerifiedProfileAccount;
  /** The service's ServiceSignature key (from Hello's ProfileService); required to be the signer when given. */
  readonly serviceKey?: PublicKey;
  /** The device passes its own request's MessageId, so an acknowledgement of another request is refused. */
  readonly expectedRequestMessageId?: string;
}

export interface VerifiedAcknowledgeConnection {
  readonly acknowledgement: AcknowledgeConnection;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  /** The embedded request, verified (its device profile and signature). */
  readonly request: VerifiedRequestConnection;
  /** The recomputed witness (equal to MessageId and Witness). */
  readonly witness: string;
  readonly messageId: string;
  readonly serverNonce: Uint8Array;
  /** UDF of the account profile the witness was recomputed over. */
  readonly accountUdf: string;
}

/**
 * Verifies an AcknowledgeConnection: the service signature (when `serviceKey` is given), the
 * embedded RequestConnection (for the account of `accountProfile`), the expected request,
 * and the witness recomputed from the account and device ProfileSignature keys and both
 * nonces, which must equal both Witness and MessageId.
 * @throws UnsignedEnvelopeError / UnauthorizedSignerError (service signature),
 *   MessageIdMismatchError (another request), WitnessMismatchError, AccountMismatchError,
 *   and the request's own errors.
 */
export function verifyAcknowledgeConnection(
  input: EnvelopeInput,
  options: VerifyAcknowledgeConnectionOptions,
): VerifiedAcknowledgeConnection {
  const what = 'AcknowledgeConnection';
  const envelope = toEnvelope(input, what);
  if (options.serviceKey !== undefined)
    requireSigner(envelope, options.serviceKey, what, 'service ServiceSignature key');
  const acknowledgement = decodePayload(plaintextOf(envelope, what), 'AcknowledgeConnection', what);
  const request = verifyRequestConnection(acknowledgement.EnvelopedRequestConnection, {
    accountAddress: options.accountProfile.accountAddress,
  });
  if (options.expectedRequestMessageId !== undefined && request.messageId !== options.expectedRequestMessageId) {
    throw new MessageIdMismatchError(
      `"${what}.EnvelopedRequestConnection" acknowledges another request than the one expected`,
      {
        context: { what: `${what}.EnvelopedRequestConnection` },
      },
    );
  }
  const witnessInput = {
    accountProfileSignature: options.accountProfile.keys.profileSignature,
    deviceProfileSignature: request.device.keys.profileSignature,
    serverNonce: acknowledgement.ServerNonce,
    clientNonce: request.request.ClientNonce,
  };
  const witness = connectionWitness(witnessInput);
  for (const field of ['Witness', 'MessageId'] as const) {
    if (!verifyConnectionWitness(acknowledgement[field], witnessInput)) {
      throw new WitnessMismatchError(`"${what}.${field}" is not the witness recomputed from the profiles and nonces`, {
        context: { what: `${what}.${field}` },
      });
    }
  }
  const id = envelope.header.envelopeId;
  if (id !== undefined && canonicalUdfString(id, `${what}.EnvelopeId`) !== envelopeId(witness)) {
    throw new MessageIdMismatchError(`"${what}.EnvelopeId" is not EnvelopeId(MessageId)`, {
      context: { what: `${what}.EnvelopeId` },
    });
  }
  return {
    acknowledgement,
    envelope,
    json: envelopeToJson(envelope),
    request,
    witness,
    messageId: acknowledgement.MessageId,
    serverNonce: acknowledgement.ServerNonce,
    accountUdf: options.accountProfile.udf,
  };
}
