/**
 * @module mesh/objects/profile-account
 * `ProfileAccount`: the base of account profiles (docs/mesh-compatibility.md §5, C-2021 schema):
 * `{ProfileSignature, AccountAddress, ServiceUdf?, EscrowEncryption?, AccountEncryption,
 * AdministratorSignature}`. The device checks `AdministratorSignature` on the
 * ConnectionDevice it receives (§5 CatalogedDevice) and encrypts to `AccountEncryption`.
 *
 * HEAD renamed `AccountEncryption` to `CommonEncryption` (and added `CommonAuthentication`);
 * docs/mesh-compatibility.md §5 fixes the C-2021 names, so a HEAD-written profile fails here on the missing
 * `AccountEncryption` rather than being half-understood. The seed (§2.6.17) has
 * `AccountAddresses[]`/`KeyEncryption`, superseded by the names below.
 */
import { optional, required, string, type Infer } from '../schema/index.js';
import { KeyDataSchema } from './key-data.js';
import { ProfileSchema } from './profile.js';

export const ProfileAccountSchema = ProfileSchema.extend('ProfileAccount', {
  AccountAddress: required(string({ minLength: 1 })),
  // Optional: an account profile made before its service is chosen has no service to name
  // (the owner CLI may create the profile, then Hello the service); the reference writes
  // null then, which the schema already reads as absent.
  ServiceUdf: optional(string({ minLength: 1 })),
  EscrowEncryption: optional(KeyDataSchema),
  AccountEncryption: required(KeyDataSchema),
  AdministratorSignature: required(KeyDataSchema),
});
export type ProfileAccount = Infer<typeof ProfileAccountSchema>;
