/**
 * @module mesh/dare/signature
 * DARE signatures (docs/mesh-compatibility.md §4.2): PayloadDigest = SHA-512 of the payload *as carried*
 * (the ciphertext when encrypted), signature = pure EdDSA over those 64 bytes, `alg` =
 * "S512", `kid` = the signer key UDF the caller passes. Only the payload is signed, so
 * re-encoding an envelope JSON ↔ JSON-B keeps signatures valid.
 *
 * Verification recomputes the digest from the payload (a declared PayloadDigest that
 * differs is rejected, never trusted), then looks for a signature that verifies under one
 * of the caller's keys: entries whose `kid` matches are tried first, every other pairing
 * after, and a `kid` alone never counts. An Ed25519 signature is also accepted as
 * Ed25519ctx with the empty context, the form of dare-12 §13.4/§13.5's examples
 * (docs/mesh-compatibility.md §14.2); an entry whose `alg` is not the SHA-512 digest id is
 * never verified, and when every entry is such, the error says so.
 */
import { equalBytes } from '../../crypto/bytes.js';
import { verifyEd25519ctx } from '../../crypto/edwards-signing.js';
import { InvalidArgumentError, VerificationError } from '../../crypto/errors.js';
import { sha512 } from '../../crypto/hash.js';
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import { verifySignature } from '../../crypto/keys.js';
import type { DareEnvelope, DareSignature } from './envelope.js';
import { DIGEST_ALGORITHM, signatureWitness } from './payload-keys.js';

/** A signing key and its UDF (the caller computes the UDF). */
export interface Signer {
  readonly key: KeyPair;
  readonly kid: string;
}

/** A public key the caller trusts for this envelope, with its UDF if known. */
export interface SignerCandidate {
  readonly publicKey: PublicKey;
  readonly kid?: string;
}

export interface VerifiedSignature {
  /** The caller's candidate whose key verified. */
  readonly signer: SignerCandidate;
  /** Index of the verifying entry in `trailer.signatures`. */
  readonly index: number;
  readonly signature: DareSignature;
  /**
   * The EdDSA variant that verified: pure Ed448 or Ed25519 (what Mesh keys sign), or
   * Ed25519ctx with the empty context (the DARE draft's examples, docs/mesh-compatibility.md §4.2).
   */
  readonly scheme: SignatureScheme;
}

export type SignatureScheme = 'Ed448' | 'Ed25519' | 'Ed25519ctx';

/**
 * No signature verified and every entry names a signature `alg` this implementation does not
 * know. A VerificationError, so a caller that refuses unverified envelopes still refuses it;
 * the class names the cause.
 */
export class UnsupportedSignatureAlgorithmError extends VerificationError {}

/** The Ed25519ctx context of the DARE draft's Ed25519 examples: empty (docs/mesh-compatibility.md §14.2). */
const DARE_ED25519CTX_CONTEXT = new Uint8Array(0);

const SIGNING_ALGORITHMS: ReadonlySet<string> = new Set(['Ed448', 'Ed25519']);

/** SHA-512 of the payload bytes as carried. */
export function payloadDigest(payload: Uint8Array): Uint8Array {
  return sha512(payload);
}

/**
 * Signs `digest` with `signer`. With `witnessKeys` (the envelope's master key and Salt) it
 * adds the witness the reference writes on encrypted envelopes.
 */
export function makeSignature(
  signer: Signer,
  digest: Uint8Array,
  witnessKeys?: { readonly master: Uint8Array; readonly salt: Uint8Array },
): DareSignature {
  if (!SIGNING_ALGORITHMS.has(signer.key.alg)) {
    throw new InvalidArgumentError(`"signers[].key" expected an Ed448 or Ed25519 key, got ${signer.key.alg}`, {
      context: { what: 'signers[].key', actual: signer.key.alg },
    });
  }
  const signature = signer.key.sign(digest);
  const base = { alg: DIGEST_ALGORITHM, kid: signer.kid, signature };
  return witnessKeys === undefined
    ? base
    : { ...base, witness: signatureWitness(witnessKeys.master, witnessKeys.salt, signature) };
}

/**
 * Adds a signature by `signer` to an envelope (encrypted or not) without its master key, so
 * without a witness: a counter-signature. The trailer's PayloadDigest is set or checked.
 * @throws VerificationError if the envelope declares a PayloadDigest that is not its payload's.
 */
export function addSignature(envelope: DareEnvelope, signer: Signer): DareEnvelope {
  const digest = checkedDigest(envelope);
  const trailer = envelope.trailer ?? {};
  return {
    header: envelope.header.dig === undefined ? { ...envelope.header, dig: DIGEST_ALGORITHM } : envelope.header,
    payload: envelope.payload,
    trailer: {
      ...trailer,
      signatures: [...(trailer.signatures ?? []), makeSignature(signer, digest)],
      payloadDigest: digest,
    },
  };
}

/**
 * Which EdDSA variant `signature` verifies under, if any. An envelope names only the digest
 * (`S512`) and the key its curve, so an Ed25519 key is tried as pure Ed25519 (what this
 * implementation and the Mesh sign) and then as Ed25519ctx with the empty context (what the
 * DARE draft's examples carry, docs/mesh-compatibility.md §14.2). The two hash inputs differ
 * by RFC 8032's dom2 prefix, so accepting both gives a forger nothing.
 */
function verifiedScheme(key: PublicKey, digest: Uint8Array, signature: Uint8Array): SignatureScheme | undefined {
  if (verifySignature(key.alg, key.publicKey, digest, signature)) return key.alg === 'Ed448' ? 'Ed448' : 'Ed25519';
  if (key.alg === 'Ed25519' && verifyEd25519ctx(key.publicKey, digest, signature, DARE_ED25519CTX_CONTEXT)) {
    return 'Ed25519ctx';
  }
  return undefined;
}

/** The recomputed payload digest, after checking any declared one against it. */
function checkedDigest(envelope: DareEnvelope): Uint8Array {
  const digest = payloadDigest(envelope.payload);
  for (const [where, declared] of [
    ['trailer.PayloadDigest', envelope.trailer?.payloadDigest],
    ['header.PayloadDigest', envelope.header.payloadDigest],
  ] as const) {
    if (declared !== undefined && !equalBytes(declared, digest)) {
      throw new VerificationError(`"${where}" does not match the SHA-512 of the payload`, {
        context: { field: where },
      });
    }
  }
  return digest;
}

/**
 * Finds a signature on `envelope` made by one of `candidates` and reports which.
 * @throws VerificationError when the declared PayloadDigest is wrong, the envelope has no
 *   signatures, or none verifies under the given keys.
 */
export function verifyEnvelope(envelope: DareEnvelope, candidates: readonly SignerCandidate[]): VerifiedSignature {
  const usable = candidates.filter((c) => SIGNING_ALGORITHMS.has(c.publicKey.alg));
  if (usable.length === 0) {
    throw new InvalidArgumentError('"candidates" expected at least one Ed448 or Ed25519 public key', {
      context: { what: 'candidates' },
    });
  }
  const digest = checkedDigest(envelope);
  const signatures = envelope.trailer?.signatures ?? [];
  if (signatures.length === 0) {
    throw new VerificationError('"trailer.signatures" is absent: the envelope is not signed', {
      context: { field: 'trailer.signatures' },
    });
  }
  const pairs: Array<[number, SignerCandidate]> = [];
  const later: Array<[number, SignerCandidate]> = [];
  signatures.forEach((s, index) => {
    for (const c of usable) {
      (c.kid !== undefined && s.kid === c.kid ? pairs : later).push([index, c]);
    }
  });
  for (const [index, candidate] of [...pairs, ...later]) {
    const entry = signatures[index] as DareSignature;
    // The reference writes the digest id; anything else is not a signature over SHA-512.
    if (entry.alg !== undefined && entry.alg !== DIGEST_ALGORITHM) continue;
    const scheme = verifiedScheme(candidate.publicKey, digest, entry.signature);
    if (scheme !== undefined) return { signer: candidate, index, signature: entry, scheme };
  }
  const unknown = signatures.findIndex((s) => s.alg !== undefined && s.alg !== DIGEST_ALGORITHM);
  if (unknown >= 0 && signatures.every((s) => s.alg !== undefined && s.alg !== DIGEST_ALGORITHM)) {
    throw new UnsupportedSignatureAlgorithmError(
      `"trailer.signatures[${unknown}].alg" expected ${DIGEST_ALGORITHM} (SHA-512 payload digest), got ${JSON.stringify(signatures[unknown]?.alg)}`,
      { context: { field: `trailer.signatures[${unknown}].alg`, actual: signatures[unknown]?.alg } },
    );
  }
  throw new VerificationError(
    `"trailer.signatures" has no signature that verifies under the ${usable.length} given key(s)`,
    { context: { field: 'trailer.signatures', signatures: signatures.length, candidates: usable.length } },
  );
}
