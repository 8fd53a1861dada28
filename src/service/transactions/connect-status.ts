/**
 * @module service/transactions/connect-status
 * ConnectStatus (security-05 §3.13; docs/mesh-compatibility.md §6.2 (a) 7): the device asks, by
 * ResponseId(AcknowledgeConnection.MessageId) (or ResponseId(MessageClaim.MessageId) after a
 * static-QR claim), whether the owner has answered.
 * - Pending: Status 202, `Result: "Pending"`, `RetryAfter` seconds.
 * - Answered: Status 201, `Result` Accept/Reject and the owner's RespondConnection, which the
 *   device verifies itself (admin signature, its own key): the service only relays it.
 * - Expired: Status 410, `Result: "Expired"`, once a pending request outlived its lifetime.
 * - Revoked: Status 201, `Result: "Revoked"` and no envelope, once the owner revoked the
 *   device that this answer connected.
 * - An Accept for the device of a still-connected catalog entry also carries the owner's
 *   live ClaimApprovals for that device (`EnvelopedClaimApprovals`,
 *   "owner-approval"), which the device verifies itself; the service only relays them.
 */
import { isExpired, requestKeyForResponse } from '../connections.js';
import { asBadRequest } from '../profile-checks.js';
import { Containers, accountKey, getRecord, type ConnectionRecord, type DeviceRecord } from '../records.js';
import { Status, gone, notFound } from '../service-errors.js';
import type { Transaction } from '../transaction.js';
import type { EnvelopeJson } from '../../mesh/schema/envelope-json.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { ConnectStatusRequestSchema, type ConnectStatusRequest } from '../../mesh/messages/connect-status.js';

export const connectStatus: Transaction<ConnectStatusRequest> = {
  name: 'ConnectStatus',
  request: 'ConnectStatusRequest',
  response: 'ConnectStatusResponse',
  schema: ConnectStatusRequestSchema,
  authorization: { kind: 'none' },
  async handle(request, { env, now }) {
    const key = asBadRequest('ConnectStatusRequest.ResponseId', () =>
      requestKeyForResponse(request.AccountAddress, request.ResponseId),
    );
    const stored = await getRecord<ConnectionRecord>(env.store, Containers.requests, key);
    if (stored === undefined) {
      throw notFound(`no connection request or response for this ResponseId at ${request.AccountAddress}`);
    }
    const record = stored.value;
    if (record.State === 'Pending') {
      if (isExpired(record, now)) {
        throw gone('the connection request expired without an answer', { fields: { Result: 'Expired' } });
      }
      return {
        status: Status.Pending,
        description: 'the owner has not answered yet',
        retryAfter: env.config.retryAfterSeconds,
        fields: { Result: 'Pending' },
      };
    }
    if (record.DeviceUdf !== undefined) {
      const device = await getRecord<DeviceRecord>(
        env.store,
        Containers.devices,
        accountKey(record.Account, record.DeviceUdf),
      );
      if (device !== undefined && device.value.Status === 'Revoked' && device.value.RequestKey === key) {
        return { description: 'the owner revoked this device', fields: { Result: 'Revoked' } };
      }
    }
    const approvals = await liveClaimApprovals(env, record, key, now);
    return {
      fields: {
        Result: record.State,
        EnvelopedRespondConnection: record.EnvelopedRespondConnection,
        ...(approvals.length === 0 ? {} : { EnvelopedClaimApprovals: approvals }),
      },
    };
  },
};

/**
 * The ClaimApprovals filed under the catalog entry this accepted answer made (same
 * RequestKey, still Connected), unexpired at `now`, oldest first.
 */
async function liveClaimApprovals(
  env: ServiceEnvironment,
  record: ConnectionRecord,
  key: string,
  now: number,
): Promise<EnvelopeJson[]> {
  if (record.State !== 'Accept' || record.DeviceUdf === undefined) return [];
  const device = await getRecord<DeviceRecord>(
    env.store,
    Containers.devices,
    accountKey(record.Account, record.DeviceUdf),
  );
  if (device === undefined || device.value.Status !== 'Connected' || device.value.RequestKey !== key) return [];
  return (device.value.ClaimApprovals ?? [])
    .filter((a) => Date.parse(a.Expires) > now)
    .map((a) => a.EnvelopedClaimApproval);
}
