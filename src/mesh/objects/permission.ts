/**
 * @module mesh/objects/permission
 * `Permission {Name?, Role?, Capabilities?}` from the seed (§2.6.7): a right granted to a
 * device, with the keys that enable it enveloped. The reference commented it out in 2020-10
 * (commit 34a9183b1) in favour of `Roles[]` strings on ConnectionDevice and MessagePin
 * (docs/mesh-compatibility.md §5, HEAD); kept to read seed-era ConnectionDevice `Permissions[]`.
 */
import { envelope, object, optional, string, type Infer } from '../schema/index.js';

export const PermissionSchema = object('Permission', {
  Name: optional(string()),
  Role: optional(string()),
  Capabilities: optional(envelope()),
});
export type Permission = Infer<typeof PermissionSchema>;
