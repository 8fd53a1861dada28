/**
 * @module mesh/objects/message-claim
 * `MessageClaim : Message {Sender, Recipient, PublicationId, ServiceAuthenticate,
 * DeviceAuthenticate, Expires?}`: an admin's claim on a preconfigured device's publication
 * (docs/mesh-compatibility.md §5, §6.2 (b) 3). `Sender` (the claimant) and `Recipient` (the publisher)
 * are optional in Message but required here: the service verifies ServiceAuthenticate for
 * the Sender and routes on the Recipient, and the device verifies both authenticators for
 * the claimant (§6.1 static-QR material).
 */
import { dateTime, envelope, optional, required, string, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';

export const MessageClaimSchema = MessageSchema.extend('MessageClaim', {
  Sender: required(string({ minLength: 1 })),
  Recipient: required(string({ minLength: 1 })),
  PublicationId: required(string({ minLength: 1 })),
  ServiceAuthenticate: required(string({ minLength: 1 })),
  DeviceAuthenticate: required(string({ minLength: 1 })),
  Expires: optional(dateTime()),
  // This implementation's addition (design decision 3): the claimant's signed profile, so
  // the service and the device can check the claim's signature against the Sender's
  // AdministratorSignature without a lookup. The reference signs the claim with a key the
  // device cannot resolve (§6.2 (b) 3); absent in reference-made claims.
  EnvelopedProfileAccount: optional(envelope()),
});
export type MessageClaim = Infer<typeof MessageClaimSchema>;
