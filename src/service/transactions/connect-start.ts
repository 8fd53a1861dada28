/**
 * @module service/transactions/connect-start
 * ConnectStart (security-05 §3.12; docs/mesh-compatibility.md §6.2 (a) 2-3; docs/service-protocol.md):
 * a device asks to join an account.
 * - The RequestConnection must be signed by the ProfileSignature key of the ProfileDevice in
 *   its AuthenticatedData (design decision 3), and name the account it is sent to.
 * - The service picks a ServerNonce, computes the witness, and files the request under
 *   EnvelopeId(ResponseId(witness)) with an expiry (24 h by default).
 * - It answers with its signed AcknowledgeConnection and the account's profile, so the device
 *   can recompute the witness itself rather than trust the service (design decision 4).
 * - A request with PinId/PinWitness matching a live, unused MessagePin of the account is
 *   marked PinValidated (and the PIN is used up); one that does not match is refused and
 *   counts against that PIN, or against the sender's source when the PinId names no PIN of
 *   the account (service/pin-attempts; docs/security.md "PIN lockout").
 * - Size limits, the per-account cap on requests without a validated PIN, and replays
 *   (the same device, ClientNonce and account answered with the same AcknowledgeConnection)
 *   are in docs/security.md "Size limits", "Pending requests per account" and "Replays".
 */
import { createAcknowledgeConnection } from '../../mesh/connect/acknowledge-connection.js';
import { checkPinOnRequest, verifyMessagePin } from '../../mesh/connect/message-pin.js';
import { verifyRequestConnection, type VerifiedRequestConnection } from '../../mesh/connect/request-connection.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../mesh/profiles/profile-errors.js';
import { responseId } from '../../mesh/udf/message-id.js';
import type { AccountEntry } from '../accounts.js';
import { requestKeyForWitness } from '../connections.js';
import { toHex } from '../../crypto/bytes.js';
import {
  attemptDigest,
  checkPinLock,
  checkSourceThrottle,
  recordPinFailure,
  recordSourceFailure,
} from '../pin-attempts.js';
import { takeQuota, withQuotaTurn } from '../pending-quota.js';
import { asBadRequest } from '../profile-checks.js';
import {
  Containers,
  accountKey,
  getRecord,
  putRecord,
  type ConnectReplayRecord,
  type ConnectionRecord,
  type PinRecord,
} from '../records.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { ServiceRequestError, Status, notFound, unauthorized } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import { StoreConflictError } from '../store/store-errors.js';
import type { Precondition, StoreChange } from '../store/store.js';
import type { Transaction, TransactionResult } from '../transaction.js';
import { ConnectStartRequestSchema, type ConnectStartRequest } from '../../mesh/messages/connect-start.js';

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

const encoder = new TextEncoder();

/** 413 for an envelope past the configured bound (docs/security.md "Size limits"). */
function checkRequestSize(env: ServiceEnvironment, request: ConnectStartRequest): void {
  const bytes = encoder.encode(JSON.stringify(request.EnvelopedRequestConnection)).length;
  const limit = env.config.maxConnectRequestBytes;
  if (bytes > limit)
    throw new ServiceRequestError(Status.TooLarge, `"${PATH}" is ${bytes} bytes, more than the limit of ${limit}`);
}

/** 400 for free text the device supplies past the configured length. */
function checkDeviceText(env: ServiceEnvironment, verified: VerifiedRequestConnection): void {
  const limit = env.config.maxDescriptionLength;
  const texts: [string, unknown][] = [
    ['RequestConnection.AuthenticatedData.ProfileDevice.Description', verified.device.profile.Description],
    ['RequestConnection.Sender', verified.request.Sender],
    ['RequestConnection.Recipient', verified.request.Recipient],
  ];
  for (const [field, value] of texts) {
    if (typeof value === 'string' && value.length > limit) {
      throw new ServiceRequestError(
        Status.BadRequest,
        `"${PATH}.${field}" is ${value.length} characters, more than the limit of ${limit}`,
      );
    }
  }
}

interface PinOutcome {
  readonly changes: StoreChange[];
  readonly preconditions: Precondition[];
}

/** Checks the request's PIN; the PIN record's "used" mark goes into the same commit as the request. */
async function checkPin(
  env: ServiceEnvironment,
  entry: AccountEntry,
  verified: VerifiedRequestConnection,
  now: number,
  source: string | undefined,
): Promise<PinOutcome> {
  const pinIdValue = verified.request.PinId as string;
  const key = accountKey(entry.account, pinIdValue.toUpperCase());
  const pin = /^[A-Za-z2-7-]{1,128}$/.test(pinIdValue)
    ? await getRecord<PinRecord>(env.store, Containers.pins, key)
    : undefined;
  const digest = attemptDigest(verified);
  if (pin === undefined) {
    // Nothing of the account's to lock: the guesser's source is throttled instead.
    checkSourceThrottle(env, source, now);
    const throttled = recordSourceFailure(env, source, digest, now);
    const message = `"${PATH}": PinId does not name a PIN registered for ${entry.account}`;
    throw throttled
      ? new ServiceRequestError(Status.TooManyAttempts, `${message}; too many such attempts from this source`, {
          retryAfter: Math.ceil(env.config.pinFailureWindowMs / 1000),
        })
      : new ServiceRequestError(Status.Forbidden, message);
  }
  if (Date.parse(pin.value.Expires) <= now)
    throw new ServiceRequestError(Status.Gone, `"${PATH}": the PIN has expired`);
  if (pin.value.Used !== undefined)
    throw new ServiceRequestError(Status.Forbidden, `"${PATH}": the PIN was already used`);
  checkPinLock(pin.value, pinIdValue.toUpperCase(), now);
  const { messagePin } = verifyMessagePin(pin.value.EnvelopedMessagePin, { accountProfile: entry.verified });
  if (!checkPinOnRequest({ messagePin, request: verified, now: new Date(now) })) {
    const locked = await recordPinFailure(env, key, digest, now);
    const message = `"${PATH}": PinWitness does not match the PIN`;
    throw locked
      ? new ServiceRequestError(Status.TooManyAttempts, `${message}; too many failed attempts: the PIN is now locked`, {
          retryAfter: Math.ceil(env.config.pinLockoutMs / 1000),
        })
      : new ServiceRequestError(Status.Forbidden, message);
  }
  const { FailedAttempts: _attempts, LockedUntil: _until, ...rest } = pin.value;
  return {
    changes: [putRecord<PinRecord>(Containers.pins, key, { ...rest, Used: isoTime(now) })],
    preconditions: [{ container: Containers.pins, key, expected: pin.version }],
  };
}

/** The index record that maps a replay to the request it repeats (docs/security.md "Replays"). */
function replayKey(account: string, verified: VerifiedRequestConnection): string {
  const nonce = (verified.request as { ClientNonce?: Uint8Array }).ClientNonce ?? new Uint8Array();
  return accountKey(account, `${verified.deviceUdf.toUpperCase()}.${toHex(nonce)}`);
}

/** The stored request a replay repeats, if it is still on file. */
async function replayed(
  env: ServiceEnvironment,
  key: string,
): Promise<{ request?: ConnectionRecord; version?: number }> {
  const index = await getRecord<ConnectReplayRecord>(env.store, Containers.connectReplays, key);
  if (index === undefined) return {};
  const stored = await getRecord<ConnectionRecord>(env.store, Containers.requests, index.value.RequestKey);
  return { version: index.version, ...(stored === undefined ? {} : { request: stored.value }) };
}

export const connectStart: Transaction<ConnectStartRequest> = {
  name: 'ConnectStart',
  request: 'ConnectStartRequest',
  response: 'ConnectStartResponse',
  schema: ConnectStartRequestSchema,
  authorization: { kind: 'none' },
  frontDoor: { limit: 'ConnectStart', account: (request) => request.AccountAddress },
  async handle(request, { env, now, source }) {
    const entry = await env.accounts.get(request.AccountAddress);
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.AccountAddress)}`);
    checkRequestSize(env, request);
    const verified = verifyRequest(request);
    checkDeviceText(env, verified);
    const answer = (ack: unknown) => ({
      fields: { EnvelopedAcknowledgeConnection: ack, EnvelopedProfileAccount: entry.envelope },
    });
    const replay = replayKey(entry.account, verified);

    const ack = createAcknowledgeConnection({
      request: verified,
      accountProfile: entry.verified,
      serviceKey: env.identity.signer,
      random: env.random,
    });
    const key = requestKeyForWitness(entry.account, ack.witness);
    const expires = now + env.config.pendingLifetimeMs;
    // Every record written here is read first and committed under a precondition; losing a
    // race (a concurrent replay, the quota, the PIN) re-reads and decides again.
    const file = async (): Promise<TransactionResult> => {
      for (let attempt = 0; ; attempt++) {
        const outcome = await fileOnce(attempt);
        if (outcome !== undefined) return outcome;
      }
    };
    const fileOnce = async (attempt: number): Promise<TransactionResult | undefined> => {
      const previous = await replayed(env, replay);
      // The same signed request again: the same answer, before any PIN is counted.
      if (previous.request?.EnvelopedAcknowledgeConnection !== undefined)
        return answer(previous.request.EnvelopedAcknowledgeConnection);
      const pin = verified.request.PinId === undefined ? undefined : await checkPin(env, entry, verified, now, source);
      const quota = pin === undefined ? await takeQuota(env, entry.account, key, expires, now) : undefined;
      const record: ConnectionRecord = {
        Account: entry.account,
        ResponseId: responseId(ack.witness),
        Witness: ack.witness,
        DeviceUdf: verified.deviceUdf,
        EnvelopedAcknowledgeConnection: ack.json,
        PinValidated: pin !== undefined,
        Received: isoTime(now),
        Expires: isoTime(expires),
        State: 'Pending',
      };
      try {
        await env.store.commit(
          [
            putRecord(Containers.requests, key, record),
            putRecord<ConnectReplayRecord>(Containers.connectReplays, replay, { RequestKey: key, Expires: expires }),
            ...(pin?.changes ?? []),
            ...(quota === undefined ? [] : [quota.change]),
          ],
          [
            { container: Containers.requests, key, expected: 'absent' },
            { container: Containers.connectReplays, key: replay, expected: previous.version ?? 'absent' },
            ...(pin?.preconditions ?? []),
            ...(quota === undefined ? [] : [quota.precondition]),
          ],
        );
        return answer(ack.json);
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
        if (attempt >= env.config.conflictRetries) {
          throw new ServiceRequestError(
            Status.Unavailable,
            "the account's requests changed under too many concurrent updates; retry",
            { cause: error, retryAfter: 1 },
          );
        }
        return undefined;
      }
    };
    // A PIN-validated request takes no place in the quota, so it never waits for a turn at it.
    return verified.request.PinId === undefined ? withQuotaTurn(env, entry.account, file) : file();
  },
};
