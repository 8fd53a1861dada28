/**
 * @module mesh/messages/transfer
 * Transfer (security-05 §3.16): the owner's bulk export of what the service holds for one
 * account, as DataItems, paged by SearchConstraints.
 */
import { integer, object, optional, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { dataItemsFields } from './data-item.js';
import { SearchConstraintsSchema } from './search-constraints.js';

export const TransferRequestSchema = object('TransferRequest', {
  AccountAddress: required(accountAddress()),
  SearchConstraints: optional(SearchConstraintsSchema),
  // The log between two entry indexes, [From, To), with audit paths against a signed
  // checkpoint (§3.16 "bulk transfer of the log between the specified transaction
  // identifiers"; docs/service-protocol.md "Signed checkpoints").
  LogRange: optional(
    object('LogRange', {
      From: required(integer({ min: 1 })),
      To: optional(integer({ min: 1 })),
    }),
  ),
});
export type TransferRequest = Infer<typeof TransferRequestSchema>;

export const TransferResponseSchema = object('TransferResponse', dataItemsFields);
export type { DataItemsResponse as TransferResponse } from './data-item.js';
