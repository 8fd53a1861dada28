/**
 * @module mesh/objects/acknowledge-connection
 * `AcknowledgeConnection : Message {EnvelopedRequestConnection, ServerNonce (16), Witness}`:
 * the service's acknowledgement, whose `MessageId` is the Witness (docs/mesh-compatibility.md §5, §6.2
 * (a) 3). All three are required: the device and the admin recompute the Witness from the
 * nonces and the two profiles (§6.1), and the admin needs the original request.
 */
import { binary, envelope, required, string, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';

export const AcknowledgeConnectionSchema = MessageSchema.extend('AcknowledgeConnection', {
  EnvelopedRequestConnection: required(envelope()),
  ServerNonce: required(binary({ length: 16 })),
  Witness: required(string({ minLength: 1 })),
});
export type AcknowledgeConnection = Infer<typeof AcknowledgeConnectionSchema>;
