/**
 * @module mesh/messages/connect-complete
 * ConnectComplete (security-05 §3.15; docs/mesh-compatibility.md §6.2 (a) 6-7): the owner posts the
 * RespondConnection for a request, signed by an administration key of the profile
 * (security-05 §3.15.1). The answer is the Status fields alone.
 */
import { envelope, object, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';

export const ConnectCompleteRequestSchema = object('ConnectCompleteRequest', {
  AccountAddress: required(accountAddress()),
  EnvelopedRespondConnection: required(envelope()),
});
export type ConnectCompleteRequest = Infer<typeof ConnectCompleteRequestSchema>;
