/**
 * @module mesh/messages/application-publish
 * ApplicationPublish (docs/service-protocol.md "Application entries and push notices"): an
 * owner files an application entry, encrypted to one device of its catalog and signed by
 * the account's AdministratorSignature key. The answer is the Status fields alone.
 */
import { envelope, object, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import { udfString } from './udf-string.js';

export const ApplicationPublishRequestSchema = object('ApplicationPublishRequest', {
  Account: required(accountAddress()),
  Device: required(udfString()),
  EnvelopedApplicationEntry: required(envelope()),
});
export type ApplicationPublishRequest = Infer<typeof ApplicationPublishRequestSchema>;
