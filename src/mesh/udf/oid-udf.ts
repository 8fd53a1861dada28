/**
 * @module mesh/udf/oid-udf
 * OID UDF: 0x70 ‖ SPKI DER presented at full length, a self-describing public key
 * (udf-13 §4.2, docs/mesh-compatibility.md §1.4, §10 T3). The type is 112 (0x70); the draft's "108"
 * is a typo (docs/mesh-compatibility.md §11 item 9).
 */
import type { PublicKey } from '../../crypto/key-pair.js';
import { spkiDer } from './spki-der.js';
import { UdfType, presentUdf } from './udf.js';

/** The OID UDF of a public key. */
export function oidUdf(key: PublicKey): string {
  const der = spkiDer(key);
  return presentUdf(UdfType.Oid, der, 8 * (der.length + 1));
}
