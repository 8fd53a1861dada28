/**
 * @module mesh/objects/connection-device
 * `ConnectionDevice {Subject?, Authority?, Authentication, Account?, Signature, Encryption}`
 * plus HEAD's `ProfileUdf?` and `Roles[]?` (docs/mesh-compatibility.md §5): the admin-signed assertion of
 * the device's combined keys within an account (§3 step 3). HEAD makes it inherit
 * ConnectionService, and so does this schema, so either generation's JSON parses.
 * The seed (§2.6.13) has `KeySignature`/`KeyEncryption`/`Permissions[]`; the wire names win.
 */
import { array, optional, required, string, type Infer } from '../schema/index.js';
import { ConnectionServiceSchema } from './connection-service.js';
import { KeyDataSchema } from './key-data.js';

export const ConnectionDeviceSchema = ConnectionServiceSchema.extend('ConnectionDevice', {
  Account: optional(string()),
  Roles: optional(array(string())),
  Signature: required(KeyDataSchema),
  Encryption: required(KeyDataSchema),
});
export type ConnectionDevice = Infer<typeof ConnectionDeviceSchema>;
