/**
 * @module mesh/messages/connect-status
 * ConnectStatus (security-05 §3.13; docs/mesh-compatibility.md §6.2 (a) 7): the device asks, by
 * ResponseId, whether the owner has answered. Pending (202) and Expired (410) are results,
 * not refusals (docs/service-protocol.md ConnectStatus). An Accept may carry the owner's
 * ClaimApprovals for the device (docs/service-protocol.md "Claim approval"), relayed for the
 * device to verify.
 */
import { array, enumeration, envelope, object, optional, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { relayed, seconds } from './response-fields.js';
import type { StatusFields } from './status-fields.js';
import { udfString } from './udf-string.js';

export const ConnectStatusRequestSchema = object('ConnectStatusRequest', {
  AccountAddress: required(accountAddress()),
  ResponseId: required(udfString()),
});
export type ConnectStatusRequest = Infer<typeof ConnectStatusRequestSchema>;

export const CONNECT_STATUS_RESULTS = ['Pending', 'Accept', 'Reject', 'Expired', 'Revoked'] as const;
export type ConnectStatusResult = (typeof CONNECT_STATUS_RESULTS)[number];

export const ConnectStatusResponseSchema = object('ConnectStatusResponse', {
  Result: required(enumeration(CONNECT_STATUS_RESULTS)),
  EnvelopedRespondConnection: optional(envelope()),
  RetryAfter: optional(seconds()),
  EnvelopedClaimApprovals: optional(array(relayed())),
});
export type ConnectStatusResponse = StatusFields & Infer<typeof ConnectStatusResponseSchema>;
