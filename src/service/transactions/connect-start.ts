/**
 * @module service/transactions/connect-start
 * ConnectStart (security-05 §3.12; mesh-reference §6.2 (a) 2-3; docs/service-protocol.md):
 * a device asks to join an account.
 * - The RequestConnection must be signed by the ProfileSignature key of the ProfileDevice in
 *   its AuthenticatedData (design decision 3), and name the account it is sent to.
 * - The service picks a ServerNonce, computes the witness, and files the request under
 *   EnvelopeId(ResponseId(witness)) with an expiry (24 h by default).
 * - It answers with its signed AcknowledgeConnection and the account's profile, so the device
 *   can recompute the witness itself rather than trust the service (design decision 4).
 * - A request with PinId/PinWitness matching a live, unused MessagePin of the account is
 *   marked PinValidated (and the PIN is used up); one that does not match is refused and
 *   counts toward the account's PIN lockout.
 */
import { createAcknowledgeConnection } from '../../mesh/connect/acknowledge-connection.js';
import { checkPinOnRequest, verifyMessagePin } from '../../mesh/connect/message-pin.js';
import { verifyRequestConnection, type VerifiedRequestConnection } from '../../mesh/connect/request-connection.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../mesh/profiles/profile-errors.js';
import { envelope, object, required, type EnvelopeJson } from '../../mesh/schema/index.js';
import { responseId } from '../../mesh/udf/message-id.js';
import type { AccountEntry } from '../accounts.js';
import { requestKeyForWitness } from '../connections.js';
import { checkPinLockout, recordPinFailure } from '../pin-attempts.js';
import { asBadRequest } from '../profile-checks.js';
import { Containers, accountKey, getRecord, putRecord, type ConnectionRecord, type PinRecord } from '../records.js';
import { accountAddress } from '../request-schemas.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { ServiceRequestError, Status, notFound, unauthorized } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import type { Precondition, StoreChange } from '../store/store.js';
import type { Transaction } from '../transaction.js';

export const ConnectStartRequestSchema = object('ConnectStartRequest', {
  AccountAddress: required(accountAddress()),
  EnvelopedRequestConnection: required(envelope()),
});
export interface ConnectStartRequest {
  AccountAddress: string;
  EnvelopedRequestConnection: EnvelopeJson;
}

const PATH = 'ConnectStartRequest.EnvelopedRequestConnection';

function verifyRequest(request: ConnectStartRequest): VerifiedRequestConnection {
  try {
    return verifyRequestConnection(request.EnvelopedRequestConnection, { accountAddress: request.AccountAddress });
  } catch (error) {
    // A missing or wrong device signature is failed authentication, not a malformed body.
    if (error instanceof UnsignedEnvelopeError || error instanceof UnauthorizedSignerError) {
      throw unauthorized(`"${PATH}": ${error.message}`, { cause: error });
    }
    return asBadRequest(PATH, () => {
      throw error;
    });
  }
}

interface PinOutcome {
  readonly changes: StoreChange[];
  readonly preconditions: Precondition[];
}

/** Checks the request's PIN; the PIN record's "used" mark goes into the same commit as the request. */
async function checkPin(env: ServiceEnvironment, entry: AccountEntry, verified: VerifiedRequestConnection, now: number): Promise<PinOutcome> {
  const pinIdValue = verified.request.PinId as string;
  await checkPinLockout(env, entry.account, now);
  const key = accountKey(entry.account, pinIdValue.toUpperCase());
  const pin = /^[A-Za-z2-7-]{1,128}$/.test(pinIdValue) ? await getRecord<PinRecord>(env.store, Containers.pins, key) : undefined;
  let refusal: ServiceRequestError | undefined;
  if (pin === undefined) {
    refusal = new ServiceRequestError(Status.Forbidden, `"${PATH}": PinId does not name a PIN registered for ${entry.account}`);
  } else if (Date.parse(pin.value.Expires) <= now) {
    refusal = new ServiceRequestError(Status.Gone, `"${PATH}": the PIN has expired`);
  } else if (pin.value.Used !== undefined) {
    refusal = new ServiceRequestError(Status.Forbidden, `"${PATH}": the PIN was already used`);
  } else {
    const { messagePin } = verifyMessagePin(pin.value.EnvelopedMessagePin as unknown as EnvelopeJson, { accountProfile: entry.verified });
    if (!checkPinOnRequest({ messagePin, request: verified, now: new Date(now) })) {
      refusal = new ServiceRequestError(Status.Forbidden, `"${PATH}": PinWitness does not match the PIN`);
    }
  }
  if (refusal !== undefined || pin === undefined) {
    const locked = await recordPinFailure(env, entry.account, now);
    const error = refusal as ServiceRequestError;
    throw locked
      ? new ServiceRequestError(Status.TooManyAttempts, `${error.message}; too many failed PIN attempts: PIN use for ${entry.account} is now locked`, {
          retryAfter: Math.ceil(env.config.pinLockoutMs / 1000),
        })
      : error;
  }
  return {
    changes: [putRecord<PinRecord>(Containers.pins, key, { ...pin.value, Used: isoTime(now) })],
    preconditions: [{ container: Containers.pins, key, expected: pin.version }],
  };
}

export const connectStart: Transaction<ConnectStartRequest> = {
  name: 'ConnectStart',
  request: 'ConnectStartRequest',
  response: 'ConnectStartResponse',
  schema: ConnectStartRequestSchema,
  authorization: { kind: 'none' },
  frontDoor: { limit: 'ConnectStart', account: (request) => request.AccountAddress },
  async handle(request, { env, now }) {
    const entry = await env.accounts.get(request.AccountAddress);
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.AccountAddress)}`);
    const verified = verifyRequest(request);
    const pin = verified.request.PinId === undefined ? undefined : await checkPin(env, entry, verified, now);

    const ack = createAcknowledgeConnection({ request: verified, accountProfile: entry.verified, serviceKey: env.identity.signer, random: env.random });
    const key = requestKeyForWitness(entry.account, ack.witness);
    const record: ConnectionRecord = {
      Account: entry.account,
      ResponseId: responseId(ack.witness),
      Witness: ack.witness,
      DeviceUdf: verified.deviceUdf,
      EnvelopedAcknowledgeConnection: ack.json as unknown as ConnectionRecord['EnvelopedAcknowledgeConnection'],
      PinValidated: pin !== undefined,
      Received: isoTime(now),
      Expires: isoTime(now + env.config.pendingLifetimeMs),
      State: 'Pending',
    };
    try {
      await env.store.commit(
        [putRecord(Containers.requests, key, record), ...(pin?.changes ?? [])],
        [{ container: Containers.requests, key, expected: 'absent' }, ...(pin?.preconditions ?? [])],
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_STORE_CONFLICT') {
        // The only contended record is the PIN: another request used it at the same moment.
        throw new ServiceRequestError(Status.Forbidden, `"${PATH}": the PIN was already used`, { cause: error });
      }
      throw error;
    }
    return {
      fields: {
        EnvelopedAcknowledgeConnection: ack.json,
        EnvelopedProfileAccount: entry.envelope,
      },
    };
  },
};
