/**
 * @module service/transactions/transfer
 * Transfer (security-05 §3.16): a bulk export of what the service holds for one account, for
 * the owner only (signed by the AdministratorSignature key): the profile, the device catalog,
 * the connection requests and the registered PINs, as DataItems, paged by MaxEntries and
 * MaxBytes (service/paging). The PageKey carries which container the listing has reached,
 * then the store's own page key.
 */
import { PageBudget, collectPage, itemBytes } from '../paging.js';
import { Containers, accountPrefix } from '../records.js';
import { badRequest } from '../service-errors.js';
import type { Transaction } from '../transaction.js';
import { TransferRequestSchema, type TransferRequest } from '../../mesh/messages/transfer.js';

const SECTIONS = [
  { container: Containers.devices, type: 'CatalogedDevice' },
  { container: Containers.requests, type: 'ConnectionRequest' },
  { container: Containers.pins, type: 'MessagePin' },
] as const;

export const transfer: Transaction<TransferRequest> = {
  name: 'Transfer',
  request: 'TransferRequest',
  response: 'TransferResponse',
  schema: TransferRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.AccountAddress },
  async handle(request, { env, owner }) {
    const account = request.AccountAddress;
    const items: Record<string, unknown>[] = [];
    let section = 0;
    let after: string | undefined;
    const pageKey = request.SearchConstraints?.PageKey;
    if (pageKey === undefined) {
      const entry = owner?.entry;
      if (entry !== undefined)
        items.push({ Type: 'ProfileAccount', Key: account, Updated: entry.record.Updated, Value: entry.envelope });
    } else {
      const match = /^([0-9])\.(.*)$/.exec(pageKey);
      if (match === null || Number(match[1]) >= SECTIONS.length) {
        throw badRequest('"TransferRequest.SearchConstraints.PageKey" is not a page key this service returned');
      }
      section = Number(match[1]);
      after = match[2] === '' ? undefined : match[2];
    }
    const budget = new PageBudget(request.SearchConstraints, env.config);
    if (items.length > 0) budget.take(itemBytes(items[0]));
    const prefix = accountPrefix(account);
    for (; section < SECTIONS.length; section++, after = undefined) {
      const { container, type } = SECTIONS[section] as (typeof SECTIONS)[number];
      const page = await collectPage<Record<string, unknown>, Record<string, unknown>>(
        env.store,
        container,
        prefix,
        after,
        budget,
        'TransferRequest',
        (record) => ({
          Type: type,
          Key: record.key.slice(prefix.length),
          Updated: record.value['Updated'] ?? record.value['Received'],
          Value: record.value,
        }),
      );
      items.push(...page.items);
      if (!page.complete) return { fields: { DataItems: items, PageKey: `${section}.${page.next ?? ''}` } };
    }
    return { fields: { DataItems: items } };
  },
};
