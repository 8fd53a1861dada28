/**
 * @module mesh/messages/get
 * Get (security-05 §3.9; docs/service-protocol.md "DataItem"): public lookups of an account's
 * profile, its device catalog, or a publication, answered as DataItems.
 */
import { array, boolean, object, optional, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { dataItemsFields } from './data-item.js';
import { KeyValueSchema, SearchConstraintsSchema } from './search-constraints.js';
import { udfString } from './udf-string.js';

export const GetRequestSchema = object('GetRequest', {
  Account: optional(accountAddress()),
  Identifier: optional(udfString()),
  KeyValues: optional(array(KeyValueSchema, { maxLength: 4 })),
  SearchConstraints: optional(SearchConstraintsSchema),
  Multiple: optional(boolean()),
  Full: optional(boolean()),
});
export type GetRequest = Infer<typeof GetRequestSchema>;

export const GetResponseSchema = object('GetResponse', dataItemsFields);
export type { DataItemsResponse as GetResponse } from './data-item.js';
