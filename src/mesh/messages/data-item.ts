/**
 * @module mesh/messages/data-item
 * `DataItem` (docs/service-protocol.md "DataItem"): one record of a Get or Transfer listing.
 * Only `Type` is required; the rest depends on the type, and fields this version does not
 * know are kept as sent.
 */
import { array, envelope, object, optional, required, string, type Infer } from '../schema/index.js';
import { rfc3339Text } from './response-fields.js';
import type { StatusFields } from './status-fields.js';

export const DataItemSchema = object('DataItem', {
  Type: required(string()),
  Key: optional(string()),
  Updated: optional(rfc3339Text()),
  Status: optional(string()),
  EnvelopedCatalogedDevice: optional(envelope()),
});
export type DataItem = Infer<typeof DataItemSchema> & { readonly Value?: unknown; readonly [field: string]: unknown };

/** The fields of a listing's response (`GetResponse`, `TransferResponse`): a page and the key of the next. */
export const dataItemsFields = {
  DataItems: optional(array(DataItemSchema)),
  PageKey: optional(string()),
};

export interface DataItemsResponse extends StatusFields {
  readonly DataItems: readonly DataItem[];
  readonly PageKey?: string;
}
