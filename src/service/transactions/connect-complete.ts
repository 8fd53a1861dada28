/**
 * @module service/transactions/connect-complete
 * ConnectComplete (security-05 §3.15; docs/mesh-compatibility.md §6.2 (a) 6-7): the owner posts the
 * RespondConnection for a request (or for a static-QR claim, which has no request here).
 * Besides the request signature, the RespondConnection itself "MUST be signed by a valid
 * administration key for the Mesh profile" (security-05 §3.15.1): it is checked against the
 * account's AdministratorSignature before anything else (403 otherwise), so a forged answer
 * never reaches a device that polls.
 *
 * The service reads the answer through its ServiceEncryption key, which the owner adds as a
 * recipient (Hello publishes it): that gives it the Result for ConnectStatus and the device
 * for the account's device catalog. The ActivationDevice inside stays encrypted to the
 * device alone.
 */
import { DecryptionError } from '../../crypto/errors.js';
import { openRespondConnection, type OpenedRespondConnection } from '../../mesh/connect/respond-connection.js';
import { requireSigner } from '../../mesh/profiles/signed-object.js';
import type { EnvelopeJson } from '../../mesh/schema/index.js';
import { canonicalUdfString } from '../../mesh/udf/canonical.js';
import type { AccountEntry } from '../accounts.js';
import { isExpired, requestKeyForResponse } from '../connections.js';
import { releaseQuota } from '../pending-quota.js';
import { asBadRequest, envelopeOf } from '../profile-checks.js';
import { Containers, accountKey, getRecord, putRecord, type ConnectionRecord, type DeviceRecord } from '../records.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { badRequest, conflict, forbidden, gone, notFound } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import { StoreConflictError } from '../store/store-errors.js';
import type { StoreChange } from '../store/store.js';
import type { Transaction } from '../transaction.js';
import { ConnectCompleteRequestSchema, type ConnectCompleteRequest } from '../../mesh/messages/connect-complete.js';

const PATH = 'ConnectCompleteRequest.EnvelopedRespondConnection';

function openAnswer(env: ServiceEnvironment, entry: AccountEntry, json: EnvelopeJson): OpenedRespondConnection {
  const parsed = envelopeOf(json, PATH);
  try {
    requireSigner(parsed, entry.adminKey, PATH, 'AdministratorSignature key of the account');
  } catch (error) {
    throw forbidden(`"${PATH}" is not signed by the account's AdministratorSignature key (security-05 §3.15.1)`, {
      cause: error,
    });
  }
  try {
    return openRespondConnection(parsed, { accountProfile: entry.verified, decryptionKey: env.identity.encryption });
  } catch (error) {
    if (error instanceof DecryptionError || (error as { code?: string }).code === 'ERR_INVALID_ENCODING') {
      throw badRequest(
        `"${PATH}" must be encrypted to the service's ServiceEncryption key as well as to the device (see Hello)`,
        { cause: error },
      );
    }
    return asBadRequest(PATH, () => {
      throw error;
    });
  }
}

export const connectComplete: Transaction<ConnectCompleteRequest> = {
  name: 'ConnectComplete',
  request: 'ConnectCompleteRequest',
  response: 'ConnectCompleteResponse',
  schema: ConnectCompleteRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.AccountAddress },
  async handle(request, { env, now, owner }) {
    const entry = owner?.entry;
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.AccountAddress)}`);
    const opened = openAnswer(env, entry, request.EnvelopedRespondConnection);
    const result = opened.respond.Result;
    if (result !== 'Accept' && result !== 'Reject') {
      throw badRequest(`"${PATH}" RespondConnection.Result expected Accept or Reject, got ${JSON.stringify(result)}`);
    }
    const responseIdUdf = asBadRequest(`${PATH}.MessageId`, () =>
      canonicalUdfString(opened.messageId, 'RespondConnection.MessageId'),
    );
    const key = asBadRequest(`${PATH}.MessageId`, () => requestKeyForResponse(entry.account, responseIdUdf));
    const answeredDevice = opened.respond.CatalogedDevice?.DeviceUdf?.toUpperCase();
    const existing = await getRecord<ConnectionRecord>(env.store, Containers.requests, key);
    const time = isoTime(now);
    let record: ConnectionRecord;
    if (existing !== undefined) {
      if (existing.value.State !== 'Pending') {
        // The same signed answer again (a client's retry after the reply was lost) succeeds; any other is a conflict.
        if (
          JSON.stringify(existing.value.EnvelopedRespondConnection) ===
          JSON.stringify(request.EnvelopedRespondConnection)
        )
          return {};
        throw conflict('the connection request was already answered');
      }
      if (isExpired(existing.value, now))
        throw gone('the connection request expired before the answer', { fields: { Result: 'Expired' } });
      if (
        answeredDevice !== undefined &&
        existing.value.DeviceUdf !== undefined &&
        answeredDevice !== existing.value.DeviceUdf.toUpperCase()
      ) {
        throw badRequest(`"${PATH}" accepts another device than the one that made the request`);
      }
      record = {
        ...existing.value,
        State: result,
        EnvelopedRespondConnection: request.EnvelopedRespondConnection,
        Completed: time,
      };
    } else {
      // An answer to a static-QR claim (docs/mesh-compatibility.md §6.2 (b) 3): filed for the device's ConnectStatus.
      record = {
        Account: entry.account,
        ResponseId: responseIdUdf,
        ...(answeredDevice === undefined ? {} : { DeviceUdf: answeredDevice }),
        PinValidated: false,
        Received: time,
        State: result,
        EnvelopedRespondConnection: request.EnvelopedRespondConnection,
        Completed: time,
      };
    }
    const changes: StoreChange[] = [putRecord(Containers.requests, key, record)];
    if (result === 'Accept' && answeredDevice !== undefined) {
      const device: DeviceRecord = { Key: answeredDevice, Status: 'Connected', Updated: time, RequestKey: key };
      changes.push(putRecord(Containers.devices, accountKey(entry.account, answeredDevice), device));
    }
    try {
      await env.store.commit(changes, [
        { container: Containers.requests, key, expected: existing?.version ?? 'absent' },
      ]);
    } catch (error) {
      if (error instanceof StoreConflictError)
        throw conflict('the connection request was answered concurrently', { cause: error });
      throw error;
    }
    if (existing !== undefined && !existing.value.PinValidated) {
      // The answered request no longer waits; if this loses every race the place frees itself at expiry.
      await releaseQuota(env, entry.account, key, now).catch((error: unknown) =>
        env.log('quota-release-failed', { message: String(error) }),
      );
    }
    // Tell the waiting device to fetch now (after the commit, so the fetch finds it).
    const notifiedDevice = answeredDevice ?? record.DeviceUdf;
    if (notifiedDevice !== undefined)
      env.notices?.post({ device: notifiedDevice }, { type: 'respond', responseId: responseIdUdf });
    return {};
  },
};
