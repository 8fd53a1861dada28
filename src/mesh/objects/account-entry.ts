/**
 * @module mesh/objects/account-entry
 * `AccountEntry {AccountUDF?, EnvelopedProfileAccount?, EnvelopedConnectionAccount?,
 * EnvelopedActivationAccount?}` from the seed (§2.6.20): one account a device was connected
 * to, listed in a 2020 CatalogedDevice's `Accounts[]`. The reference dropped it in 2020-08
 * (commit 3b2600265) for per-account CatalogedDevice records, so there is no later wire
 * name; the seed's `AccountUDF` capitalisation is what that schema wrote. Kept only to read
 * seed-era records; nothing in the 3.0 connection flow produces it.
 */
import { envelope, object, optional, string, type Infer } from '../schema/index.js';

export const AccountEntrySchema = object('AccountEntry', {
  AccountUDF: optional(string()),
  EnvelopedProfileAccount: optional(envelope()),
  EnvelopedConnectionAccount: optional(envelope()),
  EnvelopedActivationAccount: optional(envelope()),
});
export type AccountEntry = Infer<typeof AccountEntrySchema>;
