/**
 * @module mesh/objects/activation-account
 * `ActivationAccount {ProfileSignature?, AdministratorSignature?, AccountEncryption?,
 * AccountAuthentication?, AccountSignature?, ActivationKey?, Entries[]?}` (docs/mesh-compatibility.md §5,
 * C-2021): the account keys granted to a device, encrypted to its combined Encryption key.
 * Every key is optional because each is a grant that depends on the device's rights — the
 * reference reads them with `?.` (C-2021 ActivationAccount.cs).
 *
 * Name clash: HEAD reuses `ActivationAccount` for what C-2021 calls ActivationDevice
 * (`{ActivationKey, AccountUdf}`) and moves these keys to `ActivationCommon`. `AccountUdf` is
 * declared optional so a HEAD payload of this name parses with its fields typed; the caller
 * decides which generation it is talking to.
 */
import { optional, string, type Infer } from '../schema/index.js';
import { ActivationSchema } from './activation.js';
import { KeyDataSchema } from './key-data.js';

export const ActivationAccountSchema = ActivationSchema.extend('ActivationAccount', {
  ProfileSignature: optional(KeyDataSchema),
  AdministratorSignature: optional(KeyDataSchema),
  AccountEncryption: optional(KeyDataSchema),
  AccountAuthentication: optional(KeyDataSchema),
  AccountSignature: optional(KeyDataSchema),
  AccountUdf: optional(string()),
});
export type ActivationAccount = Infer<typeof ActivationAccountSchema>;
