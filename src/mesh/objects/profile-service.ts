/**
 * @module mesh/objects/profile-service
 * `ProfileService : Profile {ServiceSignature, ServiceEncryption?, ServiceAuthentication?}`:
 * the service's own profile, returned by Hello (docs/service-protocol.md). Its
 * ServiceSignature key signs every AcknowledgeConnection (design decision 3: the reference
 * leaves that envelope effectively unsigned, docs/mesh-compatibility.md §6.2 (a) 3, §11 item 8), so a
 * device and an owner can tell an acknowledgement from this service from a forgery.
 * The service's profile UDF is what a ProfileAccount names as `ServiceUdf` (§5).
 * The reference's HEAD ProfileService is not in docs/mesh-compatibility.md §5; the field names follow the
 * ProfileAccount pattern (`Account<Operation>` → `Service<Operation>`).
 */
import { optional, required, string, type Infer } from '../schema/index.js';
import { KeyDataSchema } from './key-data.js';
import { ProfileSchema } from './profile.js';

export const ProfileServiceSchema = ProfileSchema.extend('ProfileService', {
  Description: optional(string()),
  ServiceSignature: required(KeyDataSchema),
  ServiceEncryption: optional(KeyDataSchema),
  ServiceAuthentication: optional(KeyDataSchema),
});
export type ProfileService = Infer<typeof ProfileServiceSchema>;
