/**
 * @module mesh/objects/profile-user
 * `ProfileUser : ProfileAccount {AccountAuthentication, AccountSignature}`: the profile a
 * user account publishes, and the tag found inside `EnvelopedProfileAccount` /
 * `EnvelopedProfileUser` (docs/mesh-compatibility.md §5, §6.2 (c) ConnectResponse).
 */
import { required, type Infer } from '../schema/index.js';
import { KeyDataSchema } from './key-data.js';
import { ProfileAccountSchema } from './profile-account.js';

export const ProfileUserSchema = ProfileAccountSchema.extend('ProfileUser', {
  AccountAuthentication: required(KeyDataSchema),
  AccountSignature: required(KeyDataSchema),
});
export type ProfileUser = Infer<typeof ProfileUserSchema>;
