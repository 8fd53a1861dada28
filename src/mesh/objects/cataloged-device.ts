/**
 * @module mesh/objects/cataloged-device
 * `CatalogedDevice`: the record an admin builds when it accepts a device, returned to the
 * device inside RespondConnection (docs/mesh-compatibility.md §5, §6.2 (a) 6). C-2021 fields:
 * `{Udf, DeviceUdf, SignatureUdf, EnvelopedProfileUser, EnvelopedProfileDevice,
 * EnvelopedConnectionAddress, EnvelopedConnectionDevice, EnvelopedActivationDevice,
 * EnvelopedActivationAccount, EnvelopedActivationApplication[]}`; HEAD adds `Updated`,
 * `EnvelopedConnectionService` and `EnvelopedActivationCommon` (its `ApplicationEntries`
 * TStruct list is kept as an unknown field).
 *
 * Only `DeviceUdf` and `EnvelopedProfileDevice` are required: which of the other envelopes
 * must be present depends on the reference generation (HEAD's example has no `Udf`), so
 * the agent checks what it needs. The seed (§2.6.14) has `UDF`, `DeviceUDF`,
 * `EnvelopedProfileMesh` and `Accounts[]` (AccountEntry); the wire names win.
 */
import { array, dateTime, envelope, optional, required, string, type Infer } from '../schema/index.js';
import { CatalogedEntrySchema } from './cataloged-entry.js';

export const CatalogedDeviceSchema = CatalogedEntrySchema.extend('CatalogedDevice', {
  Updated: optional(dateTime()),
  Udf: optional(string()),
  DeviceUdf: required(string({ minLength: 1 })),
  SignatureUdf: optional(string()),
  EnvelopedProfileUser: optional(envelope()),
  EnvelopedProfileDevice: required(envelope()),
  EnvelopedConnectionAddress: optional(envelope()),
  EnvelopedConnectionService: optional(envelope()),
  EnvelopedConnectionDevice: optional(envelope()),
  EnvelopedActivationDevice: optional(envelope()),
  EnvelopedActivationAccount: optional(envelope()),
  EnvelopedActivationCommon: optional(envelope()),
  EnvelopedActivationApplication: optional(array(envelope())),
});
export type CatalogedDevice = Infer<typeof CatalogedDeviceSchema>;
