/**
 * @module mesh/objects/device-preconfiguration
 * `DevicePreconfiguration {EnvelopedProfileDevice, EnvelopedConnectionDevice?,
 * EnvelopedConnectionService? (HEAD), PrivateKey {"PrivateKeyUDF": …}, ConnectUri}`: the
 * `.medk` file a factory writes for a static-QR device (docs/mesh-compatibility.md §5, §6.2 (b) 1). HEAD
 * names the structure `DevicePreconfigurationPrivate` and adds `Hailing[]` via its public
 * base; the registry maps both tags to this schema.
 *
 * Required: the profile (the device checks its seed regenerates it, §6.2 (b) 2), the seed,
 * and the ConnectUri (printed as the QR code; the device derives its authenticators from
 * the publisher account in it). `PrivateKey` holds the device seed — never echoed.
 */
import { array, envelope, optional, required, string, type Infer, object } from '../schema/index.js';
import { PrivateParametersSchema } from './key-data.js';

export const DevicePreconfigurationSchema = object('DevicePreconfiguration', {
  EnvelopedProfileDevice: required(envelope()),
  Hailing: optional(array(string())),
  EnvelopedConnectionDevice: optional(envelope()),
  EnvelopedConnectionService: optional(envelope()),
  PrivateKey: required(PrivateParametersSchema),
  ConnectUri: required(string({ minLength: 1 })),
});
export type DevicePreconfiguration = Infer<typeof DevicePreconfigurationSchema>;
