/**
 * @module mesh/objects/profile
 * `Profile`: the abstract base of every profile — an Assertion whose `ProfileSignature` key
 * fingerprint is the profile's permanent identifier (docs/mesh-compatibility.md §5 "Profile UDF =
 * ProfileSignature.Udf"). The seed (§2.6.4) calls it `KeyOfflineSignature`; the wire name
 * is `ProfileSignature`.
 */
import { required, type Infer } from '../schema/index.js';
import { AssertionSchema } from './assertion.js';
import { KeyDataSchema } from './key-data.js';

export const ProfileSchema = AssertionSchema.extend('Profile', {
  ProfileSignature: required(KeyDataSchema),
});
export type Profile = Infer<typeof ProfileSchema>;
