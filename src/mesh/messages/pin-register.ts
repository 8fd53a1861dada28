/**
 * @module mesh/messages/pin-register
 * PinRegister (docs/service-protocol.md "PIN"; docs/mesh-compatibility.md §6.2 (a) 1): the owner
 * registers a signed MessagePin so a ConnectStart carrying a matching PinWitness is marked
 * PinValidated. The answer is the Status fields alone.
 */
import { envelope, object, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';

export const PinRegisterRequestSchema = object('PinRegisterRequest', {
  AccountAddress: required(accountAddress()),
  EnvelopedMessagePin: required(envelope()),
});
export type PinRegisterRequest = Infer<typeof PinRegisterRequestSchema>;
