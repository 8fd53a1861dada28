/**
 * @module mesh/objects/profile-device
 * `ProfileDevice {ProfileSignature, Description?, Encryption, Signature, Authentication}`:
 * the device's base keys (docs/mesh-compatibility.md §5). The seed (§2.6.11) and schema-08 call them
 * `KeyEncryption`/`KeyAuthentication` (`BaseEncryption`/`DeviceSignature`); the wire uses
 * the short names (§11 item 6). All three are required: the activation adds to each of
 * them (§3 step 3), and `Encryption` is where RespondConnection is encrypted (§6.2 (a) 6).
 */
import { optional, required, string, type Infer } from '../schema/index.js';
import { KeyDataSchema } from './key-data.js';
import { ProfileSchema } from './profile.js';

export const ProfileDeviceSchema = ProfileSchema.extend('ProfileDevice', {
  Description: optional(string()),
  Encryption: required(KeyDataSchema),
  Signature: required(KeyDataSchema),
  Authentication: required(KeyDataSchema),
});
export type ProfileDevice = Infer<typeof ProfileDeviceSchema>;
