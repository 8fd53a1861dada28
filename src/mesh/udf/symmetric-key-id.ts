/**
 * @module mesh/udf/symmetric-key-id
 * SymetricKeyId (sic, the reference's spelling): the identifier of a symmetric key, used
 * as DARE header kid and as the static-QR PublicationId (docs/mesh-compatibility.md §1.4, §6.1).
 */
import { assertBytes } from '../../crypto/bytes.js';
import { UdfContentType, udfBinaryOfDigest } from './content-digest.js';
import { DEFAULT_UDF_BITS, UdfType, presentUdf } from './udf.js';

/**
 * present(0x20 ‖ (0x60+c) ‖ SHA512("UDFEncryption:" ‖ key)…, 140). Two reference quirks
 * are reproduced on purpose: the key goes in where a digest belongs (it is not hashed
 * first), and the digest UDF's own type byte stays inside the BDS, so every id starts
 * "EBQ" (docs/mesh-compatibility.md §1.4, verified against PublicationId).
 */
export function symmetricKeyId(key: Uint8Array): string {
  assertBytes(key, 'key');
  const inner = udfBinaryOfDigest(key, UdfContentType.UdfEncryption, 'SHA2-512');
  return presentUdf(UdfType.EncryptionKey, inner, DEFAULT_UDF_BITS);
}
