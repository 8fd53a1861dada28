/**
 * @module service/transactions/connect-pending
 * ConnectPending (security-05 §3.14; docs/mesh-compatibility.md §6.2 (a) 5): the owner lists the
 * account's unanswered, unexpired connection requests, each as the service's signed
 * AcknowledgeConnection (which holds the device's signed RequestConnection, so the owner
 * verifies both and recomputes the witness), whether a PIN validated it, and when it was
 * received and expires. Signed by the AdministratorSignature key; paged by SearchConstraints
 * (MaxEntries, MaxBytes, PageKey; service/paging): expired and answered requests are skipped
 * while the page fills, so a crowd of them never hides a live request behind empty pages.
 */
import { isExpired } from '../connections.js';
import { PageBudget, collectPage, withinTime } from '../paging.js';
import { Containers, accountPrefix, type ConnectionRecord } from '../records.js';
import type { Transaction } from '../transaction.js';
import { ConnectPendingRequestSchema, type ConnectPendingRequest } from '../../mesh/messages/connect-pending.js';

export const connectPending: Transaction<ConnectPendingRequest> = {
  name: 'ConnectPending',
  request: 'ConnectPendingRequest',
  response: 'ConnectPendingResponse',
  schema: ConnectPendingRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.AccountAddress },
  async handle(request, { env, now }) {
    const page = await collectPage<ConnectionRecord, Record<string, unknown>>(
      env.store,
      Containers.requests,
      accountPrefix(request.AccountAddress),
      request.SearchConstraints?.PageKey,
      new PageBudget(request.SearchConstraints, env.config),
      'ConnectPendingRequest',
      ({ value: r }) =>
        r.State === 'Pending' &&
        r.EnvelopedAcknowledgeConnection !== undefined &&
        !isExpired(r, now) &&
        withinTime(r.Received, request.SearchConstraints)
          ? {
              EnvelopedAcknowledgeConnection: r.EnvelopedAcknowledgeConnection,
              PinValidated: r.PinValidated,
              Received: r.Received,
              Expires: r.Expires,
            }
          : undefined,
    );
    return {
      fields: { Pending: page.items, ...(page.complete || page.next === undefined ? {} : { PageKey: page.next }) },
    };
  },
};
