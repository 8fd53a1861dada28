/**
 * @module mesh/messages/poll-claim
 * PollClaim (docs/mesh-compatibility.md §6.2 (b) 2, 4): a preconfigured device asks its maker's service
 * whether its publication has been claimed; the answer is the latest claim, if any, which
 * the device verifies itself.
 */
import { envelope, object, optional, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import type { StatusFields } from './status-fields.js';
import { udfString } from './udf-string.js';

export const PollClaimRequestSchema = object('PollClaimRequest', {
  PublicationId: required(udfString()),
  TargetAccountAddress: required(accountAddress()),
});
export type PollClaimRequest = Infer<typeof PollClaimRequestSchema>;

export const PollClaimResponseSchema = object('PollClaimResponse', {
  EnvelopedMessageClaim: optional(envelope()),
});
export type PollClaimResponse = StatusFields & Infer<typeof PollClaimResponseSchema>;
