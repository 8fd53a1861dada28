/**
 * @module mesh/messages/application-get
 * ApplicationGet (docs/service-protocol.md "Application entries and push notices"): a device
 * asks for the application entry its owner filed for it; 404 when there is none.
 */
import { envelope, object, optional, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { rfc3339Text } from './response-fields.js';
import type { StatusFields } from './status-fields.js';
import { udfString } from './udf-string.js';

export const ApplicationGetRequestSchema = object('ApplicationGetRequest', {
  Account: required(accountAddress()),
  Device: required(udfString()),
});
export type ApplicationGetRequest = Infer<typeof ApplicationGetRequestSchema>;

export const ApplicationGetResponseSchema = object('ApplicationGetResponse', {
  EnvelopedApplicationEntry: required(envelope()),
  Updated: optional(rfc3339Text()),
});
export type ApplicationGetResponse = StatusFields & Infer<typeof ApplicationGetResponseSchema>;
