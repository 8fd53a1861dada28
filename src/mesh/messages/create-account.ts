/**
 * @module mesh/messages/create-account
 * CreateAccount (security-05 §3.7): binds an account name to the owner's ProfileAccount,
 * signed by that profile's AdministratorSignature key (docs/service-protocol.md "Owner
 * authentication"). The answer is the Status fields alone.
 */
import { envelope, object, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';

export const CreateRequestSchema = object('CreateRequest', {
  Account: required(accountAddress()),
  EnvelopedProfileAccount: required(envelope()),
});
export type CreateRequest = Infer<typeof CreateRequestSchema>;
