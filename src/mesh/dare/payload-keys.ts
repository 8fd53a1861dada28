/**
 * @module mesh/dare/payload-keys
 * Keys derived from the envelope master key ("base seed") and header Salt
 * (docs/mesh-compatibility.md §4.2, §4.3; the reference's `CryptoStack.CalculateParameters`):
 * PRK = HMAC-SHA256(Salt, master); key = Expand("encrypt", 32), IV = Expand("iv", 16),
 * MAC key = Expand("mac", 32). The drafts' "dare-encrypt"/"dare-iv" labels are not what
 * the code uses (§11 item 5).
 *
 * **The MAC.** The reference derives the "mac" key but never uses it: its MAC factory
 * returns no MAC for A256CBC (`CryptoStreamFromID.CreateMac`), so a reference envelope has
 * an unauthenticated CBC payload. This project adds `PayloadMac` = HMAC-SHA256(mac key,
 * ciphertext) to the trailer of the envelopes it writes and checks it before decrypting
 * (brief: "integrity-checked before any plaintext is used"). The key depends on master
 * and Salt, so a changed Salt or recipient entry fails the MAC too.
 */
import { utf8 } from '../../crypto/bytes.js';
import { hkdf, hkdfExpand, hmacSha256 } from '../../crypto/hash.js';

/** Master key length: 32 random bytes (docs/mesh-compatibility.md §4.3). */
export const MASTER_KEY_LENGTH = 32;
/** Header Salt length the reference writes. */
export const SALT_LENGTH = 16;
/** The only content cipher the Mesh uses. */
export const ENCRYPTION_ALGORITHM = 'A256CBC';
/** Digest id written as `dig` and as a signature's `alg` (docs/mesh-compatibility.md §4.2). */
export const DIGEST_ALGORITHM = 'S512';

const INFO_ENCRYPT = utf8('encrypt');
const INFO_IV = utf8('iv');
const INFO_MAC = utf8('mac');

export interface PayloadKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly mac: Uint8Array;
}

/** HKDF-SHA256 with salt = header Salt and IKM = master. */
export function derivePayloadKeys(master: Uint8Array, salt: Uint8Array): PayloadKeys {
  // RFC 5869 §2.2 Extract is HMAC(salt, IKM); the reference's KeyDeriveHKDF is the same.
  const prk = hmacSha256(salt, master);
  return {
    key: hkdfExpand('sha256', prk, INFO_ENCRYPT, 32),
    iv: hkdfExpand('sha256', prk, INFO_IV, 16),
    mac: hkdfExpand('sha256', prk, INFO_MAC, 32),
  };
}

/** This project's payload MAC: HMAC-SHA256 over the ciphertext as carried. */
export function payloadMac(macKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return hmacSha256(macKey, ciphertext);
}

/**
 * Signature witness on an encrypted envelope: HKDF-SHA256(IKM = master, salt = Salt,
 * info = signature bytes, 32) (docs/mesh-compatibility.md §4.2, `DareSignature` constructor). It shows
 * the signer knew the master key of this envelope.
 */
export function signatureWitness(master: Uint8Array, salt: Uint8Array, signature: Uint8Array): Uint8Array {
  return hkdf('sha256', master, salt, signature, 32);
}
