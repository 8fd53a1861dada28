/**
 * @module service/transactions/application-get
 * ApplicationGet (docs/service-protocol.md "Application entries"): a device asks
 * for the application entry its owner filed for it: `{Account, Device}` →
 * `{EnvelopedApplicationEntry, Updated}`, 404 when there is none (or the device is not
 * connected in that account's catalog). Unauthenticated like ConnectStatus: the entry is
 * ciphertext that only the device's combined key for the account opens, and the device
 * verifies the owner's signature itself.
 */
import { accountKey, getRecord } from '../records.js';
import { notFound } from '../service-errors.js';
import type { Transaction } from '../transaction.js';
import { APPLICATIONS_CONTAINER, connectedDevice, type ApplicationRecord } from './application-publish.js';
import { ApplicationGetRequestSchema, type ApplicationGetRequest } from '../../mesh/messages/application-get.js';

export const applicationGet: Transaction<ApplicationGetRequest> = {
  name: 'ApplicationGet',
  request: 'ApplicationGetRequest',
  response: 'ApplicationGetResponse',
  schema: ApplicationGetRequestSchema,
  authorization: { kind: 'none' },
  async handle(request, { env }) {
    const account = request.Account;
    if ((await env.accounts.get(account)) === undefined) throw notFound(`no account ${JSON.stringify(account)}`);
    const device = request.Device.toUpperCase();
    await connectedDevice(env.store, account, device);
    const stored = await getRecord<ApplicationRecord>(env.store, APPLICATIONS_CONTAINER, accountKey(account, device));
    if (stored === undefined) throw notFound(`no application entry of ${account} for ${JSON.stringify(device)}`);
    return {
      fields: { EnvelopedApplicationEntry: stored.value.EnvelopedApplicationEntry, Updated: stored.value.Updated },
    };
  },
};
