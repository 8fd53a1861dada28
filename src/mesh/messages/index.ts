/**
 * @module mesh/messages
 * The wire contract of the Mesh service (docs/service-protocol.md): one file per transaction
 * with its request and response schemas, the Status codes, the service path and the push
 * notice topics. The service parses requests with these schemas, the HTTP client checks
 * responses with them, and both ends of a push notice build its topic here.
 */
export { MESH_SERVICE_PATH } from './service-path.js';
export { Status, type StatusCode } from './status-codes.js';
export type { StatusFields } from './status-fields.js';
export { DEFAULT_TOPIC_PREFIX, noticeTopic, type NoticeTarget } from './notice-topic.js';
export type { DeviceNotice } from './device-notice.js';
export { MAX_ACCOUNT_LENGTH, accountAddress, normalizeAccountAddress } from './account-address.js';
export { udfString } from './udf-string.js';
export {
  KeyValueSchema,
  SearchConstraintsSchema,
  type KeyValue,
  type SearchConstraints,
} from './search-constraints.js';
export { jsonObject, relayed, rfc3339Text, seconds } from './response-fields.js';
export { DataItemSchema, type DataItem, type DataItemsResponse } from './data-item.js';
export * from './hello.js';
export * from './validate-account.js';
export * from './create-account.js';
export * from './delete-account.js';
export * from './get.js';
export * from './publish.js';
export * from './status.js';
export * from './connect-start.js';
export * from './connect-status.js';
export * from './connect-pending.js';
export * from './connect-complete.js';
export * from './pin-register.js';
export * from './transfer.js';
export * from './claim.js';
export * from './poll-claim.js';
export * from './application-publish.js';
export * from './application-get.js';
