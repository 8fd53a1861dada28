/**
 * @module mesh/messages/transfer
 * Transfer (security-05 §3.16): the owner's bulk export of what the service holds for one
 * account, as DataItems, paged by SearchConstraints.
 */
import { object, optional, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { dataItemsFields } from './data-item.js';
import { SearchConstraintsSchema } from './search-constraints.js';

export const TransferRequestSchema = object('TransferRequest', {
  AccountAddress: required(accountAddress()),
  SearchConstraints: optional(SearchConstraintsSchema),
});
export type TransferRequest = Infer<typeof TransferRequestSchema>;

export const TransferResponseSchema = object('TransferResponse', dataItemsFields);
export type { DataItemsResponse as TransferResponse } from './data-item.js';
