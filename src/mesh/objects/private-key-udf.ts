/**
 * @module mesh/objects/private-key-udf
 * `PrivateKeyUDF {PrivateValue, KeyType}`: a private key given as its derived-key seed UDF
 * ('Z…', type 0xC8) plus the key type it is derived for (docs/mesh-compatibility.md §2.3, §1.4). This is
 * how a DevicePreconfiguration carries the device's seed (§5). The optional algorithm
 * overrides choose the curves derived from a Mesh seed (§2.1: default X448 / Ed448).
 *
 * `PrivateValue` is a secret: it is never echoed in an error (schema/schema `kindOf`).
 */
import { enumeration, object, optional, required, string, type Infer } from '../schema/index.js';

/** UdfAlgorithmIdentifier labels (docs/mesh-compatibility.md §1.4 key specifier values). */
export const UDF_KEY_TYPES = [
  'Any',
  'X25519',
  'X448',
  'Ed25519',
  'Ed448',
  'P256',
  'P384',
  'P521',
  'RSA2048',
  'RSA3072',
  'RSA4096',
  'MeshProfileDevice',
  'MeshActivationDevice',
  'MeshProfileAccount',
  'MeshActivationAccount',
  'MeshProfileService',
  'MeshActivationService',
] as const;

export const PrivateKeyUDFSchema = object('PrivateKeyUDF', {
  PrivateValue: required(string({ minLength: 1 })),
  KeyType: required(enumeration(UDF_KEY_TYPES)),
  // JOSE algorithm ids overriding the seed's defaults (docs/mesh-compatibility.md §2.1).
  AlgorithmEncrypt: optional(string()),
  AlgorithmSign: optional(string()),
  AlgorithmAuthenticate: optional(string()),
});
export type PrivateKeyUDF = Infer<typeof PrivateKeyUDFSchema>;
