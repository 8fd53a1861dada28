/**
 * @module crypto/key-pair
 * The contract every key in the project meets, whatever made it (seed derivation,
 * co-generation, a keystore). Keys are "closeable signers": callers get operations,
 * never private bytes (docs/decisions/0002-seed-based-secret-store.md).
 */

/** The curves of the Mesh (docs/mesh-compatibility.md §2); 448 is the default. */
export type KeyAlgorithm = 'Ed448' | 'X448' | 'Ed25519' | 'X25519';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['Ed448', 'X448', 'Ed25519', 'X25519'];

/**
 * Public key wire lengths (docs/mesh-compatibility.md §2.3): Ed448 57, Ed25519 32, and the signed
 * Montgomery encodings u ‖ sign(v): X448 57, X25519 33.
 */
export const PUBLIC_KEY_LENGTH: Readonly<Record<KeyAlgorithm, number>> = {
  Ed448: 57,
  X448: 57,
  Ed25519: 32,
  X25519: 33,
};

export interface PublicKey {
  readonly alg: KeyAlgorithm;
  /** Wire encoding, length PUBLIC_KEY_LENGTH[alg]. */
  readonly publicKey: Uint8Array;
}

export interface KeyPair extends PublicKey {
  /**
   * Pure EdDSA (RFC 8032, empty context) over `message`. Ed448/Ed25519 only; a Montgomery
   * key throws UnsupportedAlgorithmError.
   */
  sign(message: Uint8Array): Uint8Array;
  /**
   * Key agreement with a peer public key of the same algorithm. X448/X25519 only.
   * Returns the agreement IKM the reference feeds to HKDF: the unsigned `u` of s·P
   * (56 bytes for X448, 32 for X25519), computed with the *unclamped* scalar so that
   * co-generated keys agree correctly (docs/mesh-compatibility.md §3 (a)).
   */
  agree(peerPublicKey: Uint8Array): Uint8Array;
}
