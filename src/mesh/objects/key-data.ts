/**
 * @module mesh/objects/key-data
 * `KeyData`: a public key as the Mesh profiles, connections and activations carry it —
 * `{"Udf", "PublicParameters": {"PublicKeyECDH": {crv, Public}}, "PrivateParameters"?}`
 * (docs/mesh-compatibility.md §2.3; SchemaMesh `Structure KeyData`). The seed (§2.5.2) spells the
 * fingerprint `UDF`; the reference wire uses `Udf`, which wins.
 *
 * `Udf` and `PublicParameters` are required: every KeyData the connection protocol uses is
 * identified by its fingerprint (`kid` in signatures, §4.2) and is useless without the key.
 * `PrivateParameters` appears only in activation records (ActivationCommon entries).
 */
import {
  array,
  binary,
  dateTime,
  object,
  optional,
  required,
  string,
  taggedUnion,
  type Infer,
} from '../schema/index.js';
import { PrivateKeyECDHSchema, PublicKeyECDHSchema } from './public-key-ecdh.js';
import { PrivateKeyUDFSchema } from './private-key-udf.js';

/** `TStruct Key PublicParameters`: only the ECDH/EdDSA form is used by the Mesh 3.0 curves. */
export const PublicParametersSchema = taggedUnion('PublicParameters', {
  PublicKeyECDH: PublicKeyECDHSchema,
});
export type PublicParameters = Infer<typeof PublicParametersSchema>;

/**
 * `TStruct Key` holding a private key: explicit curve parameters, or a seed UDF
 * (DevicePreconfiguration `PrivateKey`, docs/mesh-compatibility.md §5).
 */
export const PrivateParametersSchema = taggedUnion('PrivateParameters', {
  PrivateKeyECDH: PrivateKeyECDHSchema,
  PrivateKeyUDF: PrivateKeyUDFSchema,
});
export type PrivateParameters = Infer<typeof PrivateParametersSchema>;

export const KeyDataSchema = object('KeyData', {
  Udf: required(string({ minLength: 1 })),
  X509Certificate: optional(binary()),
  X509Chain: optional(array(binary())),
  X509CSR: optional(binary()),
  NotBefore: optional(dateTime()),
  NotOnOrAfter: optional(dateTime()),
  PublicParameters: required(PublicParametersSchema),
  PrivateParameters: optional(PrivateParametersSchema),
});
export type KeyData = Infer<typeof KeyDataSchema>;
