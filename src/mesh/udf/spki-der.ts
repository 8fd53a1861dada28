/**
 * @module mesh/udf/spki-der
 * The reference's SubjectPublicKeyInfo DER for the CFRG curves, the input of key
 * fingerprints and OID UDFs (docs/mesh-compatibility.md §2.3, udf-13 §4.2). It is NOT RFC 8410:
 * the AlgorithmIdentifier carries a NULL parameter and the key sits in an OCTET STRING
 * inside the BIT STRING. Fingerprint compatibility needs exactly these bytes.
 */
import { concat } from '../../crypto/bytes.js';
import { InvalidKeyError, UnsupportedAlgorithmError } from '../../crypto/errors.js';
import { PUBLIC_KEY_LENGTH, type KeyAlgorithm, type PublicKey } from '../../crypto/key-pair.js';

/** Last arc of the id-X25519/X448/Ed25519/Ed448 OIDs 1.3.101.{110,111,112,113} (RFC 8410). */
const OID_LAST_ARC: Readonly<Record<KeyAlgorithm, number>> = {
  X25519: 0x6e,
  X448: 0x6f,
  Ed25519: 0x70,
  Ed448: 0x71,
};

/**
 * Checks that `key` names a supported curve and that its public key has the wire length
 * of docs/mesh-compatibility.md §2.3 (X448 57 and X25519 33 bytes: the signed Montgomery form).
 */
export function checkPublicKey(key: PublicKey, what = 'key'): void {
  const alg = (key as { alg?: unknown } | undefined)?.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(OID_LAST_ARC, alg)) {
    throw new UnsupportedAlgorithmError(`"${what}.alg" expected Ed448, X448, Ed25519 or X25519, got ${String(alg)}`, {
      context: { what: `${what}.alg`, actual: String(alg) },
    });
  }
  const publicKey = key.publicKey;
  const expected = PUBLIC_KEY_LENGTH[alg as KeyAlgorithm];
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== expected) {
    throw new InvalidKeyError(
      `"${what}.publicKey" expected ${expected} bytes for ${alg}, got ${publicKey instanceof Uint8Array ? `length=${publicKey.length}` : typeof publicKey}`,
      {
        context: {
          what: `${what}.publicKey`,
          alg,
          expected,
          actual: publicKey instanceof Uint8Array ? publicKey.length : undefined,
        },
      },
    );
  }
}

/**
 * 30 L 30 07 06 03 2B 65 xx 05 00 03 L' 00 04 n <key>. Every length is < 128 for these
 * curves, so short-form DER lengths suffice.
 */
export function spkiDer(key: PublicKey, what = 'key'): Uint8Array {
  checkPublicKey(key, what);
  const pub = key.publicKey;
  const algorithmIdentifier = Uint8Array.of(0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, OID_LAST_ARC[key.alg], 0x05, 0x00);
  const bitString = concat(Uint8Array.of(0x03, pub.length + 3, 0x00, 0x04, pub.length), pub);
  return concat(Uint8Array.of(0x30, algorithmIdentifier.length + bitString.length), algorithmIdentifier, bitString);
}
