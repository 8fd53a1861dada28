/**
 * @module mesh/connect/message-pin
 * MessagePin, the owner's record of a PIN it handed out (docs/mesh-compatibility.md §5, §6.1, §6.2 (a)
 * 1): MessageId = PinId, the SaltedPin, an expiry and the roles a PIN-authenticated device
 * is granted. The reference keeps it encrypted in the account's Local spool; here the owner
 * registers it with the service (docs/service-protocol.md PinRegister) signed by the
 * AdministratorSignature key, so the service can mark matching requests `PinValidated`
 * and the owner's agent can auto-accept them (§6.2 (a) 5) — neither acts on a PIN record
 * the account did not sign.
 */
import { equalBytes, utf8 } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import { payloadDigest, type Signer } from '../dare/signature.js';
import type { MessagePin } from '../objects/message-pin.js';
import type { VerifiedProfileAccount } from '../profiles/profile-account.js';
import { openSignedObject, sealObject, toEnvelope, type EnvelopeInput } from '../profiles/signed-object.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { envelopeId } from '../udf/message-id.js';
import { checkAccountAddress } from './connect-uri.js';
import { AccountMismatchError, MessageIdMismatchError } from './connection-errors.js';
import { PinAction, pinId, saltedPin, verifyPinWitness } from './pin.js';
import { sameAccount, type VerifiedRequestConnection } from './request-connection.js';

export interface CreateMessagePinInput {
  /** The PIN ('A…' UDF) shown to the person, e.g. from newPin. */
  readonly pin: string;
  readonly accountAddress: string;
  /** The account's AdministratorSignature key and UDF. */
  readonly adminKey: Signer;
  readonly expires: Date;
  /** Accept a matching request without asking the owner (§6.2 (a) 5). */
  readonly automatic?: boolean;
  /** Roles granted to a device that connects with this PIN (HEAD MessagePin.Roles). */
  readonly roles?: readonly string[];
}

export interface CreatedMessagePin {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly messagePin: MessagePin;
  /** = PinId. */
  readonly messageId: string;
  readonly saltedPin: string;
}

/** The owner's signed MessagePin; MessageId = PinId (§6.1). */
export function createMessagePin(input: CreateMessagePinInput): CreatedMessagePin {
  checkAccountAddress(input.accountAddress, 'accountAddress');
  if (!(input.expires instanceof Date) || !Number.isFinite(input.expires.getTime())) {
    throw new InvalidArgumentError('"expires" expected a valid Date', { context: { what: 'expires' } });
  }
  const salted = saltedPin(input.pin, PinAction.Device);
  const id = pinId(salted, input.accountAddress);
  const messagePin: MessagePin = {
    MessageId: id,
    Account: input.accountAddress,
    Expires: input.expires,
    ...(input.automatic === undefined ? {} : { Automatic: input.automatic }),
    SaltedPin: salted,
    Action: PinAction.Device,
    ...(input.roles === undefined ? {} : { Roles: [...input.roles] }),
  };
  const { envelope, json } = sealObject('MessagePin', messagePin, {
    envelopeId: envelopeId(id),
    signer: input.adminKey,
  });
  return { envelope, json, messagePin, messageId: id, saltedPin: salted };
}

export interface VerifiedMessagePin {
  readonly messagePin: MessagePin;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly pinId: string;
}

/**
 * Verifies a MessagePin against the account that must have issued it: signed by its
 * AdministratorSignature, Account = the profile's AccountAddress, MessageId = PinId
 * recomputed from SaltedPin and Account.
 * @throws UnsignedEnvelopeError / UnauthorizedSignerError, AccountMismatchError,
 *   MessageIdMismatchError.
 */
export function verifyMessagePin(
  input: EnvelopeInput,
  options: { readonly accountProfile: VerifiedProfileAccount },
): VerifiedMessagePin {
  const what = 'MessagePin';
  const envelope = toEnvelope(input, what);
  const messagePin = openSignedObject(
    envelope,
    'MessagePin',
    options.accountProfile.keys.administratorSignature,
    what,
    'AdministratorSignature key of the account',
  );
  if (!sameAccount(messagePin.Account, options.accountProfile.accountAddress)) {
    throw new AccountMismatchError(`"${what}.Account" is not the account that signed it`, {
      context: { what: `${what}.Account` },
    });
  }
  const id = pinId(messagePin.SaltedPin, messagePin.Account);
  if (messagePin.MessageId.toUpperCase() !== id) {
    throw new MessageIdMismatchError(`"${what}.MessageId" is not the PinId of its SaltedPin and Account`, {
      context: { what: `${what}.MessageId` },
    });
  }
  return { messagePin, envelope, json: envelopeToJson(envelope), pinId: id };
}

export interface CheckPinInput {
  readonly messagePin: MessagePin;
  readonly request: VerifiedRequestConnection;
  /** The checker's clock; a PIN is usable strictly before Expires. */
  readonly now: Date;
}

/**
 * Whether `request` is authenticated by `messagePin` (§6.2 (a) 5): a Device PIN, not
 * expired at `now`, for the request's account, with the request's PinId equal to the
 * MessageId and its PinWitness valid over the AuthenticatedData payload digest (recomputed
 * from the payload, never read from the trailer). Used PINs and attempt counting are the
 * caller's (service, docs/service-protocol.md PIN).
 */
export function checkPinOnRequest(input: CheckPinInput): boolean {
  const { messagePin, request, now } = input;
  const r = request.request;
  if (r.PinId === undefined || r.PinWitness === undefined) return false;
  if (messagePin.Action !== PinAction.Device) return false;
  if (!(now instanceof Date) || !(now.getTime() < messagePin.Expires.getTime())) return false;
  if (!sameAccount(messagePin.Account, request.accountAddress)) return false;
  const expectedId = pinId(messagePin.SaltedPin, messagePin.Account);
  if (!equalBytes(utf8(r.PinId.toUpperCase()), utf8(expectedId))) return false;
  return verifyPinWitness(r.PinWitness, {
    saltedPin: messagePin.SaltedPin,
    account: request.accountAddress,
    clientNonce: r.ClientNonce,
    payloadDigest: payloadDigest(request.device.envelope.payload),
  });
}
