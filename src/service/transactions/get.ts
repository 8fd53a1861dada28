/**
 * @module service/transactions/get
 * Get (security-05 §3.9; docs/service-protocol.md "DataItem"): public lookups.
 * - `Account` alone: the account's ProfileAccount (what a device needs before ConnectStart).
 * - `Account` + `KeyValues [{Key: "Devices"}]`: the device catalog, paged; `{Key: "Device",
 *   Value: <UDF>}`: one entry.
 * - `Identifier` (a PublicationId): the CatalogedPublication without its EnvelopedData, which
 *   only a claimant proving knowledge of the ConnectKey receives (Claim).
 */
import { PageBudget, collectPage } from '../paging.js';
import {
  Containers,
  accountKey,
  accountPrefix,
  getRecord,
  type DeviceRecord,
  type PublicationRecord,
  type Versioned,
} from '../records.js';
import { badRequest, notFound } from '../service-errors.js';
import type { Transaction } from '../transaction.js';
import { GetRequestSchema, type GetRequest } from '../../mesh/messages/get.js';
import { udfString } from '../../mesh/messages/udf-string.js';

export function deviceDataItem(record: Versioned<DeviceRecord>): Record<string, unknown> {
  const v = record.value;
  return {
    Type: 'CatalogedDevice',
    Key: v.Key,
    Status: v.Status,
    Updated: v.Updated,
    ...(v.EnvelopedCatalogedDevice === undefined ? {} : { EnvelopedCatalogedDevice: v.EnvelopedCatalogedDevice }),
  };
}

export const get: Transaction<GetRequest> = {
  name: 'Get',
  request: 'GetRequest',
  response: 'GetResponse',
  schema: GetRequestSchema,
  authorization: { kind: 'none' },
  async handle(request, { env }) {
    if (request.Identifier !== undefined) {
      const stored = await getRecord<PublicationRecord>(env.store, Containers.publications, request.Identifier);
      if (stored === undefined || (await env.store.get(Containers.accounts, stored.value.Account)) === undefined) {
        throw notFound(`no publication ${JSON.stringify(request.Identifier)}`);
      }
      const { EnvelopedData: _withheld, ...visible } = stored.value.CatalogedPublication;
      return {
        fields: {
          DataItems: [
            { Type: 'CatalogedPublication', Key: request.Identifier, Updated: stored.value.Updated, Value: visible },
          ],
        },
      };
    }
    if (request.Account === undefined) throw badRequest('"GetRequest" expected an Account or an Identifier');
    const entry = await env.accounts.get(request.Account);
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.Account)}`);
    const keyValue = request.KeyValues?.[0];
    if (keyValue === undefined) {
      return {
        fields: {
          DataItems: [
            { Type: 'ProfileAccount', Key: entry.account, Updated: entry.record.Updated, Value: entry.envelope },
          ],
        },
      };
    }
    if (keyValue.Key === 'Device') {
      if (keyValue.Value === undefined) throw badRequest('"GetRequest.KeyValues[0].Value" expected the device UDF');
      const udf = udfString().parse(keyValue.Value, 'GetRequest.KeyValues[0].Value');
      const stored = await getRecord<DeviceRecord>(env.store, Containers.devices, accountKey(entry.account, udf));
      if (stored === undefined) throw notFound(`no device ${JSON.stringify(udf)} in the catalog of ${entry.account}`);
      return { fields: { DataItems: [deviceDataItem(stored)] } };
    }
    if (keyValue.Key === 'Devices') {
      const page = await collectPage<DeviceRecord, Record<string, unknown>>(
        env.store,
        Containers.devices,
        accountPrefix(entry.account),
        request.SearchConstraints?.PageKey,
        new PageBudget(request.SearchConstraints, env.config),
        'GetRequest',
        deviceDataItem,
      );
      return {
        fields: { DataItems: page.items, ...(page.complete || page.next === undefined ? {} : { PageKey: page.next }) },
      };
    }
    throw badRequest(
      `"GetRequest.KeyValues[0].Key" expected "Device" or "Devices", got ${JSON.stringify(keyValue.Key.slice(0, 40))}`,
    );
  },
};
