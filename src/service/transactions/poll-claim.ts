/**
 * @module service/transactions/poll-claim
 * PollClaim (docs/mesh-compatibility.md §6.2 (b) 2, 4): a preconfigured device asks its maker's service
 * whether its publication has been claimed. The answer is the latest claim envelope, which
 * the device verifies itself (DeviceAuthenticate and ServiceAuthenticate, 100 bits), or no
 * claim yet. Knowing the PublicationId is the only credential: the claim holds nothing
 * secret, and a forged one fails the device's own check.
 */
import { Containers, getRecord, type ClaimRecord, type PublicationRecord } from '../records.js';
import { notFound } from '../service-errors.js';
import type { Transaction } from '../transaction.js';
import { PollClaimRequestSchema, type PollClaimRequest } from '../../mesh/messages/poll-claim.js';

export const pollClaim: Transaction<PollClaimRequest> = {
  name: 'PollClaim',
  request: 'PollClaimRequest',
  response: 'PollClaimResponse',
  schema: PollClaimRequestSchema,
  authorization: { kind: 'none' },
  frontDoor: { limit: 'PollClaim', account: (request) => request.TargetAccountAddress },
  async handle(request, { env }) {
    const publication = await getRecord<PublicationRecord>(env.store, Containers.publications, request.PublicationId);
    if (publication === undefined || publication.value.Account !== request.TargetAccountAddress) {
      throw notFound(`no publication ${JSON.stringify(request.PublicationId)} of ${request.TargetAccountAddress}`);
    }
    const claimRecord = await getRecord<ClaimRecord>(env.store, Containers.claims, request.PublicationId);
    if (claimRecord === undefined) return { description: 'not claimed yet', fields: {} };
    return { fields: { EnvelopedMessageClaim: claimRecord.value.EnvelopedMessageClaim } };
  },
};
