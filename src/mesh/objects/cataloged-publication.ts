/**
 * @module mesh/objects/cataloged-publication
 * `CatalogedPublication {Id, Authenticator, EnvelopedData, NotOnOrAfter?}`: the static-QR
 * publication a maker posts for a preconfigured device (docs/mesh-compatibility.md §5, §6.2 (b) 1).
 * `Id` is the PublicationId ('EBQ…'), `Authenticator` the ServiceAuthenticator the service
 * checks claims against, `EnvelopedData` the ProfileDevice envelope encrypted under the
 * ConnectKey. All but the expiry are required: without them a claim cannot be verified or
 * the device profile recovered. The seed (§2.6.15) spells the identifier `ID`; the wire `Id`.
 */
import { dateTime, envelope, optional, required, string, type Infer } from '../schema/index.js';
import { CatalogedEntrySchema } from './cataloged-entry.js';

export const CatalogedPublicationSchema = CatalogedEntrySchema.extend('CatalogedPublication', {
  Id: required(string({ minLength: 1 })),
  Authenticator: required(string({ minLength: 1 })),
  EnvelopedData: required(envelope()),
  NotOnOrAfter: optional(dateTime()),
});
export type CatalogedPublication = Infer<typeof CatalogedPublicationSchema>;
