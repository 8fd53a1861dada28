/**
 * @module mesh/messages/publish
 * Publish (security-05 §3.10; docs/service-protocol.md): an owner replaces its
 * ProfileAccount, publishes a CatalogedPublication (the static-QR claim record), revokes a
 * device, or files a ClaimApproval (docs/service-protocol.md "Claim approval"). Signed by the
 * account's AdministratorSignature key; the answer is the Status fields alone.
 */
import { CatalogedPublicationSchema } from '../objects/cataloged-publication.js';
import { envelope, object, optional, required, type EnvelopeJson } from '../schema/index.js';
import type { UncheckedObject } from '../encoding/json-value.js';
import { accountAddress } from './account-address.js';
import { udfString } from './udf-string.js';

export const PublishRequestSchema = object('PublishRequest', {
  Account: required(accountAddress()),
  EnvelopedProfileAccount: optional(envelope()),
  CatalogedPublication: optional(CatalogedPublicationSchema),
  RevokeDevice: optional(udfString()),
  EnvelopedClaimApproval: optional(envelope()),
});

/**
 * The request as a client sends it: the CatalogedPublication goes as its wire JSON
 * (CatalogedPublicationSchema.toJson), which the schema parses back on the service.
 */
export interface PublishRequest {
  readonly Account: string;
  readonly EnvelopedProfileAccount?: EnvelopeJson;
  readonly CatalogedPublication?: Readonly<UncheckedObject>;
  readonly RevokeDevice?: string;
  readonly EnvelopedClaimApproval?: EnvelopeJson;
}
