/**
 * @module mesh/objects/public-key-ecdh
 * The JOSE key structures the Mesh uses for its curves: `PublicKeyECDH {crv, Public}` and
 * `PrivateKeyECDH {crv, Private, Public?}` (docs/mesh-compatibility.md §2.3; JoseSchema `PublicKeyECDH`,
 * `PrivateKeyECDH Inherits PublicKeyECDH`). Despite the name, the same structure carries the
 * Edwards signature keys. Key bytes are not length-checked here: the key layer knows the
 * encodings (57-byte Ed448/X448, 33-byte X25519 …) and says which one is wrong.
 */
import { binary, enumeration, object, optional, required, string, type Infer } from '../schema/index.js';

/** The curves the Mesh supports; the reference default is 448 (docs/mesh-compatibility.md §3). */
export const CURVES = ['Ed448', 'X448', 'Ed25519', 'X25519'] as const;
export const CurveNameSchema = enumeration(CURVES);

export const PublicKeyECDHSchema = object('PublicKeyECDH', {
  crv: required(CurveNameSchema),
  Public: required(binary({ minLength: 1 })),
  // KeyCore `kid`: written by some JOSE contexts (recipient `epk`), absent in KeyData.
  kid: optional(string()),
});
export type PublicKeyECDH = Infer<typeof PublicKeyECDHSchema>;

export const PrivateKeyECDHSchema = PublicKeyECDHSchema.extend('PrivateKeyECDH', {
  // Inherited but optional here: the reference's private parameters carry only crv + Private.
  Public: optional(binary({ minLength: 1 })),
  Private: required(binary({ minLength: 1 })),
});
export type PrivateKeyECDH = Infer<typeof PrivateKeyECDHSchema>;
