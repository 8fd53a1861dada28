/**
 * @module mesh/objects/activation-device
 * `ActivationDevice {ActivationKey, AccountUdf, Entries[]?}` (docs/mesh-compatibility.md §5, C-2021):
 * the admin's activation seed for one device, signed by AdministratorSignature and
 * encrypted to the device's base Encryption key. The device derives its combined private
 * keys from `ActivationKey` (§3, §6.2 (a) 7), so it is required here although the base
 * class makes it optional. `AccountUdf` is, despite its name, the ProfileDevice UDF (§5).
 * HEAD renames this structure `ActivationAccount` (see activation-account.ts).
 */
import { required, string, type Infer } from '../schema/index.js';
import { ActivationSchema } from './activation.js';

export const ActivationDeviceSchema = ActivationSchema.extend('ActivationDevice', {
  ActivationKey: required(string({ minLength: 1 })),
  AccountUdf: required(string({ minLength: 1 })),
});
export type ActivationDevice = Infer<typeof ActivationDeviceSchema>;
