/**
 * @module service/transactions/delete-account
 * DeleteAccount (security-05 §3.8): removes the account and everything the service holds for
 * it (pending requests, PINs, device catalog, application entries, its static-QR publications
 * and their claims, PIN-failure counters), so a later account of the same name starts empty:
 * an old publication or application entry must not come back to life under a new owner.
 * Seen nonces stay until they expire (records.ts). Signed by the account's AdministratorSignature.
 */
import { ALL_ACCOUNT_CONTAINERS, Containers, accountPrefix, asRecord, type PublicationRecord } from '../records.js';
import type { ServiceEnvironment } from '../service-environment.js';
import type { Transaction } from '../transaction.js';
import { APPLICATIONS_CONTAINER } from './application-publish.js';
import { DeleteRequestSchema, type DeleteRequest } from '../../mesh/messages/delete-account.js';

const BATCH = 500;

/** Deletes every record of `account` in its containers, in batches. */
export async function purgeAccountRecords(env: ServiceEnvironment, account: string): Promise<number> {
  let removed = 0;
  for (const container of [...ALL_ACCOUNT_CONTAINERS, APPLICATIONS_CONTAINER]) {
    for (;;) {
      const page = await env.store.list(container, { prefix: accountPrefix(account), limit: BATCH });
      if (page.records.length === 0) break;
      await env.store.commit(page.records.map((r) => ({ op: 'delete' as const, container, key: r.key })));
      removed += page.records.length;
      if (page.next === undefined) break;
    }
  }
  return removed + (await purgeAccountPublications(env, account));
}

/**
 * Publications are keyed by PublicationId, not by account, so they are found by a scan; each
 * goes with its claim, in one commit.
 */
async function purgeAccountPublications(env: ServiceEnvironment, account: string): Promise<number> {
  let removed = 0;
  let after: string | undefined;
  for (;;) {
    const page = await env.store.list(Containers.publications, {
      limit: BATCH,
      ...(after === undefined ? {} : { after }),
    });
    const owned = page.records.filter((r) => asRecord<PublicationRecord>(r).value.Account === account);
    if (owned.length > 0) {
      await env.store.commit(
        owned.flatMap((r) => [
          { op: 'delete' as const, container: Containers.publications, key: r.key },
          { op: 'delete' as const, container: Containers.claims, key: r.key },
        ]),
      );
      removed += owned.length;
    }
    if (page.next === undefined) break;
    after = page.next;
  }
  return removed;
}

export const deleteAccount: Transaction<DeleteRequest> = {
  name: 'DeleteAccount',
  request: 'DeleteRequest',
  response: 'DeleteResponse',
  schema: DeleteRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.Account },
  async handle(request, { env, owner }) {
    // The account record goes first, guarded by the version that was authenticated: a
    // concurrent Publish that replaced the profile makes this a conflict, not a silent loss.
    const entry = owner?.entry;
    await env.store.commit(
      [
        { op: 'delete', container: Containers.accounts, key: request.Account },
        { op: 'delete', container: Containers.pinFailures, key: request.Account },
      ],
      entry === undefined ? [] : [{ container: Containers.accounts, key: request.Account, expected: entry.version }],
    );
    env.accounts.forget(request.Account);
    await purgeAccountRecords(env, request.Account);
    env.log('account-deleted', { account: request.Account });
    return {};
  },
};
