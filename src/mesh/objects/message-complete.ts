/**
 * @module mesh/objects/message-complete
 * `MessageComplete : Message {References[]}`: closes earlier messages — the admin appends one
 * for the AcknowledgeConnection and one for the used MessagePin (docs/mesh-compatibility.md §6.2 (a) 6).
 * At least one reference is required: a completion that closes nothing has no meaning.
 */
import { array, required, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';
import { ReferenceSchema } from './reference.js';

export const MessageCompleteSchema = MessageSchema.extend('MessageComplete', {
  References: required(array(ReferenceSchema, { minLength: 1 })),
});
export type MessageComplete = Infer<typeof MessageCompleteSchema>;
