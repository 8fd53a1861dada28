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
import { base64urlEncode } from '../../mesh/encoding/base64url.js';
import { inclusionPath } from '../../mesh/merkle-proof.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { currentSignedCheckpoint } from './status.js';

/**
 * The log range mode: leaf hashes of entries [From, To) (To defaults to the checkpoint's
 * end) with their RFC 6962 audit paths against the signed checkpoint returned beside them.
 * Payloads are not returned: an entry may hold other accounts' records.
 */
async function logRange(request: TransferRequest, env: ServiceEnvironment) {
  const range = request.LogRange as { From: number; To?: number };
  const constraints = request.SearchConstraints ?? {};
  for (const field of ['NotBefore', 'Before', 'MaxBytes', 'PageKey'] as const) {
    if (constraints[field] !== undefined)
      throw badRequest(
        `"TransferRequest.SearchConstraints.${field}" cannot apply to a LogRange (log entries carry no time; the range is the page)`,
      );
  }
  const signed = await currentSignedCheckpoint(env);
  const size = signed.statement.index;
  const to = range.To ?? size + 1;
  if (range.From > size || to > size + 1 || to <= range.From)
    throw badRequest(
      `"TransferRequest.LogRange" expected From < To within entries 1..${size} (To at most ${size + 1})`,
    );
  const cap = Math.min(constraints.MaxEntries ?? env.config.maxPageEntries, env.config.maxPageEntries);
  if (to - range.From > cap)
    throw badRequest(`"TransferRequest.LogRange" spans ${to - range.From} entries, more than ${cap}`);
  const leaves = await env.store.leaves(size);
  const entries = [];
  for (let index = range.From; index < to; index++) {
    entries.push({
      Index: index,
      Leaf: base64urlEncode(leaves[index - 1] as Uint8Array),
      Proof: inclusionPath(leaves, index - 1).map(base64urlEncode),
    });
  }
  return { fields: { DataItems: [], LogEntries: entries, EnvelopedCheckpoint: signed.json } };
}

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
    if (request.LogRange !== undefined) return logRange(request, env);
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
