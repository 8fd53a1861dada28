/**
 * @module mesh/messages/connect-start
 * ConnectStart (security-05 §3.12; docs/mesh-compatibility.md §6.2 (a) 2-3): a device asks to join an
 * account with its signed RequestConnection; the service answers with its signed
 * AcknowledgeConnection and the account's profile, so the device can recompute the witness
 * itself rather than trust the service.
 */
import { envelope, object, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';
import type { StatusFields } from './status-fields.js';

export const ConnectStartRequestSchema = object('ConnectStartRequest', {
  AccountAddress: required(accountAddress()),
  EnvelopedRequestConnection: required(envelope()),
});
export type ConnectStartRequest = Infer<typeof ConnectStartRequestSchema>;

export const ConnectStartResponseSchema = object('ConnectStartResponse', {
  EnvelopedAcknowledgeConnection: required(envelope()),
  EnvelopedProfileAccount: required(envelope()),
});
export type ConnectStartResponse = StatusFields & Infer<typeof ConnectStartResponseSchema>;
