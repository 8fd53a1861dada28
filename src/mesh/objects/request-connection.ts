/**
 * @module mesh/objects/request-connection
 * `RequestConnection : MessagePinValidated {AccountAddress}`: the device's request to join an
 * account; `AuthenticatedData` is its enveloped, self-signed ProfileDevice and `MessageId` a
 * fresh nonce UDF (docs/mesh-compatibility.md §5, §6.2 (a) 2). `AccountAddress` is required: the PinId
 * and PinWitness are keyed on it (§6.1) and the service routes on it.
 */
import { required, string, type Infer } from '../schema/index.js';
import { MessagePinValidatedSchema } from './message-pin-validated.js';

export const RequestConnectionSchema = MessagePinValidatedSchema.extend('RequestConnection', {
  AccountAddress: required(string({ minLength: 1 })),
});
export type RequestConnection = Infer<typeof RequestConnectionSchema>;
