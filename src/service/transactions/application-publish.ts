/**
 * @module service/transactions/application-publish
 * ApplicationPublish (docs/service-protocol.md "Application entries"): an owner,
 * signed by the account's AdministratorSignature key, files an application entry for one
 * device of its catalog: `{Account, Device, EnvelopedApplicationEntry}`. The service keeps
 * the latest per (account, device), answers it to ApplicationGet, and posts an
 * `application` notice on the device's topic.
 *
 * The entry is encrypted to the device's combined key for this account, so the service
 * cannot read it; it checks what it can without reading it: the envelope is signed by the
 * account's admin key (403 otherwise, so nobody else can park a blob there), it is encrypted
 * (400: a plaintext credential must never be stored or relayed), and the device is connected
 * in this account's catalog (404 / 409 after revocation).
 */
import type { EnvelopeJson } from '../../mesh/schema/index.js';
import { requireSigner } from '../../mesh/profiles/signed-object.js';
import { envelopeOf } from '../profile-checks.js';
import { Containers, accountKey, getRecord, putRecord, type DeviceRecord } from '../records.js';
import { badRequest, conflict, forbidden, notFound } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import type { Transaction } from '../transaction.js';
import {
  ApplicationPublishRequestSchema,
  type ApplicationPublishRequest,
} from '../../mesh/messages/application-publish.js';

/** account + device UDF → ApplicationRecord. Reachable only while the device is connected. */
export const APPLICATIONS_CONTAINER = 'applications';

export interface ApplicationRecord {
  Account: string;
  Device: string;
  EnvelopedApplicationEntry: EnvelopeJson;
  Updated: string;
}

const PATH = 'ApplicationPublishRequest.EnvelopedApplicationEntry';

/** The catalog entry of `device`, which must be Connected. */
export async function connectedDevice(
  store: Parameters<typeof getRecord>[0],
  account: string,
  device: string,
): Promise<DeviceRecord> {
  const stored = await getRecord<DeviceRecord>(store, Containers.devices, accountKey(account, device));
  if (stored === undefined) throw notFound(`no device ${JSON.stringify(device)} in the catalog of ${account}`);
  if (stored.value.Status !== 'Connected')
    throw conflict(
      `the device ${JSON.stringify(device)} is ${stored.value.Status.toLowerCase()} in the catalog of ${account}`,
    );
  return stored.value;
}

export const applicationPublish: Transaction<ApplicationPublishRequest> = {
  name: 'ApplicationPublish',
  request: 'ApplicationPublishRequest',
  response: 'ApplicationPublishResponse',
  schema: ApplicationPublishRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.Account },
  async handle(request, { env, now, owner }) {
    const entry = owner?.entry;
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.Account)}`);
    const device = request.Device.toUpperCase();
    await connectedDevice(env.store, entry.account, device);
    const parsed = envelopeOf(request.EnvelopedApplicationEntry, PATH);
    if (parsed.header.enc === undefined) {
      throw badRequest(
        `"${PATH}" must be encrypted to the device (the service never stores a readable application entry)`,
      );
    }
    try {
      requireSigner(parsed, entry.adminKey, PATH, 'AdministratorSignature key of the account');
    } catch (error) {
      throw forbidden(`"${PATH}" is not signed by the account's AdministratorSignature key`, { cause: error });
    }
    const record: ApplicationRecord = {
      Account: entry.account,
      Device: device,
      EnvelopedApplicationEntry: request.EnvelopedApplicationEntry,
      Updated: isoTime(now),
    };
    await env.store.commit([putRecord(APPLICATIONS_CONTAINER, accountKey(entry.account, device), record)]);
    env.notices?.post({ device }, { type: 'application', account: entry.account });
    return {};
  },
};
