/**
 * @module mesh/objects/message
 * `Message {MessageId, Sender?, Recipient?}`: the base of every Mesh message (docs/mesh-compatibility.md
 * §5). `MessageId` is required: envelope ids and response ids are derived from it
 * (`EnvelopeId(MessageId)`, `ResponseId(MessageId)`, §6.1). The seed (§2.10.1) spells it
 * `MessageID` and puts `References[]` here; the reference wire writes `MessageId` (e.g.
 * Examples/ProtocolMessagePIN.md) and moved `References` to MessageComplete.
 */
import { object, optional, required, string, type Infer } from '../schema/index.js';

export const MessageSchema = object('Message', {
  MessageId: required(string({ minLength: 1 })),
  Sender: optional(string()),
  Recipient: optional(string()),
});
export type Message = Infer<typeof MessageSchema>;
