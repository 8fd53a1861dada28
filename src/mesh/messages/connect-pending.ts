/**
 * @module mesh/messages/connect-pending
 * ConnectPending (security-05 §3.14; docs/mesh-compatibility.md §6.2 (a) 5): the owner lists the
 * account's unanswered connection requests, each as the service's signed
 * AcknowledgeConnection, whether a PIN validated it, and when it arrived and expires.
 */
import { array, boolean, envelope, object, optional, required, string, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { rfc3339Text } from './response-fields.js';
import { SearchConstraintsSchema } from './search-constraints.js';
import type { StatusFields } from './status-fields.js';

export const ConnectPendingRequestSchema = object('ConnectPendingRequest', {
  AccountAddress: required(accountAddress()),
  SearchConstraints: optional(SearchConstraintsSchema),
});
export type ConnectPendingRequest = Infer<typeof ConnectPendingRequestSchema>;

/** An absent PinValidated reads as false: only the service's word makes a request validated. */
export const PendingEntrySchema = object('PendingEntry', {
  EnvelopedAcknowledgeConnection: required(envelope()),
  PinValidated: optional(boolean()),
  Received: optional(rfc3339Text()),
  Expires: optional(rfc3339Text()),
});
export type PendingEntry = Infer<typeof PendingEntrySchema> & { PinValidated: boolean };

export const ConnectPendingResponseSchema = object('ConnectPendingResponse', {
  Pending: optional(array(PendingEntrySchema)),
  PageKey: optional(string()),
});
export interface ConnectPendingResponse extends StatusFields {
  readonly Pending: readonly PendingEntry[];
  readonly PageKey?: string;
}
