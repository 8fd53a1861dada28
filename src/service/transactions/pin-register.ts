/**
 * @module service/transactions/pin-register
 * PinRegister (docs/service-protocol.md "PIN"; docs/mesh-compatibility.md §6.2 (a) 1): the owner
 * registers a MessagePin, signed by the account's AdministratorSignature key, with
 * MessageId = PinId. ConnectStart then marks a request whose PinId/PinWitness match it as
 * PinValidated, once, before it expires.
 */
import { verifyMessagePin } from '../../mesh/connect/message-pin.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../mesh/profiles/profile-errors.js';
import { asBadRequest } from '../profile-checks.js';
import { Containers, accountKey, putRecord, type PinRecord } from '../records.js';
import { badRequest, conflict, forbidden, notFound } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import { StoreConflictError } from '../store/store-errors.js';
import type { Transaction } from '../transaction.js';
import { PinRegisterRequestSchema, type PinRegisterRequest } from '../../mesh/messages/pin-register.js';

const PATH = 'PinRegisterRequest.EnvelopedMessagePin';

export const pinRegister: Transaction<PinRegisterRequest> = {
  name: 'PinRegister',
  request: 'PinRegisterRequest',
  response: 'PinRegisterResponse',
  schema: PinRegisterRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.AccountAddress },
  frontDoor: { limit: 'PinRegister', account: (request) => request.AccountAddress },
  async handle(request, { env, now, owner }) {
    const entry = owner?.entry;
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.AccountAddress)}`);
    let verified;
    try {
      verified = verifyMessagePin(request.EnvelopedMessagePin, { accountProfile: entry.verified });
    } catch (error) {
      if (error instanceof UnsignedEnvelopeError || error instanceof UnauthorizedSignerError) {
        throw forbidden(`"${PATH}" is not signed by the account's AdministratorSignature key`, { cause: error });
      }
      return asBadRequest(PATH, () => {
        throw error;
      });
    }
    const expires = verified.messagePin.Expires.getTime();
    if (expires <= now) throw badRequest(`"${PATH}" MessagePin.Expires is in the past`);
    const record: PinRecord = { EnvelopedMessagePin: verified.json, Expires: isoTime(expires) };
    const key = accountKey(entry.account, verified.pinId);
    try {
      await env.store.commit(
        [putRecord(Containers.pins, key, record)],
        [{ container: Containers.pins, key, expected: 'absent' }],
      );
    } catch (error) {
      if (error instanceof StoreConflictError) throw conflict('this PIN is already registered', { cause: error });
      throw error;
    }
    return { fields: { PinId: verified.pinId, Expires: record.Expires } };
  },
};
