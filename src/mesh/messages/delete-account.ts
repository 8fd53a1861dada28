/**
 * @module mesh/messages/delete-account
 * DeleteAccount (security-05 §3.8): removes the account and everything the service holds for
 * it, signed by the account's AdministratorSignature key. The answer is the Status fields alone.
 */
import { object, required, type Infer } from '../schema/index.js';
import { accountAddress } from './account-address.js';

export const DeleteRequestSchema = object('DeleteRequest', {
  Account: required(accountAddress()),
});
export type DeleteRequest = Infer<typeof DeleteRequestSchema>;
