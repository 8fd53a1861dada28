/**
 * @module mesh/udf/key-fingerprint
 * Public key fingerprints ("Udf", "kid"): UDF_SHA2("PKIXKey", SPKI DER) at 140 bits by
 * default, and the 512-bit binary form the connection witness hashes
 * (docs/mesh-compatibility.md §2.3, §6.1, §10 T3).
 */
import type { PublicKey } from '../../crypto/key-pair.js';
import {
  UdfContentType,
  checkDigestBits,
  contentDigestUdfBytes,
  presentUdfBytes,
  type UdfDigestAlgorithm,
} from './content-digest.js';
import { spkiDer } from './spki-der.js';
import { DEFAULT_UDF_BITS } from './udf.js';

/**
 * The 64-byte binary fingerprint (the reference's KeyPair.UDFBytes = UDFBytes(512)).
 * The content type is the label "PKIXKey", not application/pkix-keyinfo: the MIME
 * string gives MAXM-… instead of the published MD2N-… (docs/mesh-compatibility.md §10 T3).
 */
export function keyFingerprintBytes(key: PublicKey, algorithm: UdfDigestAlgorithm = 'SHA2-512'): Uint8Array {
  return contentDigestUdfBytes(spkiDer(key), UdfContentType.PkixKey, algorithm);
}

/** The key fingerprint string at `bits` precision (8..440, default 140). */
export function keyFingerprint(
  key: PublicKey,
  bits: number = DEFAULT_UDF_BITS,
  algorithm: UdfDigestAlgorithm = 'SHA2-512',
): string {
  checkDigestBits(bits);
  return presentUdfBytes(keyFingerprintBytes(key, algorithm), bits);
}
