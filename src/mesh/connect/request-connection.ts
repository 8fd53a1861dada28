/**
 * @module mesh/connect/request-connection
 * RequestConnection, the device's request to join an account (docs/mesh-compatibility.md §5, §6.2 (a)
 * 2): MessageId a nonce UDF, AuthenticatedData the self-signed ProfileDevice envelope,
 * ClientNonce 16 random bytes, PinId/PinWitness when the owner gave a PIN, EnvelopeId =
 * EnvelopeId(MessageId). The reference leaves the envelope unsigned (§11 item 8); here it
 * is signed by the ProfileSignature key of the profile it carries, so nobody can pair a
 * device's profile with nonces or a PIN witness it did not choose (design decision 3).
 */
import { assertBytes } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import { payloadDigest } from '../dare/signature.js';
import type { RequestConnection } from '../objects/request-connection.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import {
  createProfileDevice,
  deviceBaseKeyPairs,
  verifyProfileDevice,
  type CreatedProfile,
  type VerifiedProfileDevice,
} from '../profiles/profile-device.js';
import type { ProfileDevice } from '../objects/profile-device.js';
import {
  decodePayload,
  plaintextOf,
  requireSigner,
  sealObject,
  signerOf,
  toEnvelope,
  type EnvelopeInput,
} from '../profiles/signed-object.js';
import { keyFingerprint } from '../udf/key-fingerprint.js';
import { envelopeId } from '../udf/message-id.js';
import { nonceUdf } from '../udf/nonce.js';
import { checkAccountAddress } from './connect-uri.js';
import { AccountMismatchError, MessageIdMismatchError } from './connection-errors.js';
import { CLIENT_NONCE_LENGTH, pinId, pinWitness, saltedPin } from './pin.js';

export interface CreateRequestConnectionInput {
  readonly deviceSeed: string;
  /** The account to join, user@domain. */
  readonly accountAddress: string;
  readonly random: RandomSource;
  /** The PIN the owner gave (an 'A…' UDF), if any. */
  readonly pin?: string;
  /** The device's profile, if already made from the same seed. */
  readonly profile?: CreatedProfile<ProfileDevice>;
}

export interface CreatedRequestConnection {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly request: RequestConnection;
  readonly messageId: string;
  readonly clientNonce: Uint8Array;
  readonly profile: CreatedProfile<ProfileDevice>;
}

/** The device's signed RequestConnection. */
export function createRequestConnection(input: CreateRequestConnectionInput): CreatedRequestConnection {
  checkAccountAddress(input.accountAddress, 'accountAddress');
  const keys = deviceBaseKeyPairs(input.deviceSeed);
  const profile = input.profile ?? createProfileDevice(input.deviceSeed, { keys });
  if (profile.udf !== keyFingerprint(keys.profileSignature)) {
    throw new InvalidArgumentError('"profile" is not the ProfileDevice of "deviceSeed"', {
      context: { what: 'profile' },
    });
  }
  const messageId = nonceUdf(input.random);
  const clientNonce = input.random(CLIENT_NONCE_LENGTH);
  assertBytes(clientNonce, 'random output', CLIENT_NONCE_LENGTH);
  let pinFields: Pick<RequestConnection, 'PinId' | 'PinWitness'> = {};
  if (input.pin !== undefined) {
    const salted = saltedPin(input.pin);
    pinFields = {
      PinId: pinId(salted, input.accountAddress),
      // §6.1: the witness covers the AuthenticatedData's PayloadDigest, so the PIN vouches
      // for this profile only. Recomputed from the payload, not read from the trailer.
      PinWitness: pinWitness({
        saltedPin: salted,
        account: input.accountAddress,
        clientNonce,
        payloadDigest: payloadDigest(profile.envelope.payload),
      }),
    };
  }
  const request: RequestConnection = {
    MessageId: messageId,
    AuthenticatedData: profile.json,
    ClientNonce: clientNonce,
    ...pinFields,
    AccountAddress: input.accountAddress,
  };
  const { envelope, json } = sealObject('RequestConnection', request, {
    envelopeId: envelopeId(messageId),
    signer: signerOf(keys.profileSignature),
  });
  return { envelope, json, request, messageId, clientNonce, profile };
}

export interface VerifiedRequestConnection {
  readonly request: RequestConnection;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  /** The verified ProfileDevice of AuthenticatedData. */
  readonly device: VerifiedProfileDevice;
  readonly deviceUdf: string;
  readonly messageId: string;
  readonly accountAddress: string;
}

export interface VerifyRequestConnectionOptions {
  /** The account the request was sent to (ConnectStartRequest.AccountAddress), if known. */
  readonly accountAddress?: string;
}

/** Case-insensitive account comparison: PinId lower-cases the account (§6.1), so does this. */
export function sameAccount(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Verifies a RequestConnection: AuthenticatedData is a valid self-signed ProfileDevice, the
 * envelope is signed by that profile's ProfileSignature key, EnvelopeId (if present) is
 * EnvelopeId(MessageId), and AccountAddress is `options.accountAddress` when given.
 * @throws UnsignedEnvelopeError (the reference's unsigned form), UnauthorizedSignerError
 *   (signed by another key, e.g. another device's profile was put in AuthenticatedData),
 *   MessageIdMismatchError, AccountMismatchError, and the profile's own errors.
 */
export function verifyRequestConnection(
  input: EnvelopeInput,
  options: VerifyRequestConnectionOptions = {},
): VerifiedRequestConnection {
  const what = 'RequestConnection';
  const envelope = toEnvelope(input, what);
  const claimed = decodePayload(plaintextOf(envelope, what), 'RequestConnection', what);
  const device = verifyProfileDevice(claimed.AuthenticatedData, `${what}.AuthenticatedData`);
  requireSigner(
    envelope,
    device.keys.profileSignature,
    what,
    'ProfileSignature key of the ProfileDevice in its AuthenticatedData',
  );
  const request = claimed;
  const id = envelope.header.envelopeId;
  if (id !== undefined && id.toUpperCase() !== envelopeId(request.MessageId)) {
    throw new MessageIdMismatchError(`"${what}.EnvelopeId" is not EnvelopeId(MessageId)`, {
      context: { what: `${what}.EnvelopeId` },
    });
  }
  const accountAddress = checkAccountAddress(request.AccountAddress, `${what}.AccountAddress`);
  if (options.accountAddress !== undefined && !sameAccount(options.accountAddress, accountAddress)) {
    throw new AccountMismatchError(`"${what}.AccountAddress" is not the account the request was sent to`, {
      context: { what: `${what}.AccountAddress` },
    });
  }
  return {
    request,
    envelope,
    json: envelopeToJson(envelope),
    device,
    deviceUdf: device.udf,
    messageId: request.MessageId,
    accountAddress,
  };
}
