/**
 * @module mesh/objects/message-claim
 * `MessageClaim : Message {Sender, Recipient, PublicationId, ServiceAuthenticate,
 * DeviceAuthenticate, Expires?}`: an admin's claim on a preconfigured device's publication
 * (mesh-reference §5, §6.2 (b) 3). `Sender` (the claimant) and `Recipient` (the publisher)
 * are optional in Message but required here: the service verifies ServiceAuthenticate for
 * the Sender and routes on the Recipient, and the device verifies both authenticators for
 * the claimant (§6.1 static-QR material).
 */
import { dateTime, optional, required, string, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';

export const MessageClaimSchema = MessageSchema.extend('MessageClaim', {
  Sender: required(string({ minLength: 1 })),
  Recipient: required(string({ minLength: 1 })),
  PublicationId: required(string({ minLength: 1 })),
  ServiceAuthenticate: required(string({ minLength: 1 })),
  DeviceAuthenticate: required(string({ minLength: 1 })),
  Expires: optional(dateTime()),
});
export type MessageClaim = Infer<typeof MessageClaimSchema>;
