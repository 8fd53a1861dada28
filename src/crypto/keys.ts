/**
 * @module crypto/keys
 * KeyPair objects for the four Mesh curves (docs/mesh-compatibility.md §2, §3): generation, construction
 * from a derived secret, co-generation, signature verification and agreement.
 * Private values live in a module-private WeakMap, so no caller, JSON.stringify or
 * util.inspect can reach them (keys are closeable signers: docs/decisions/0002-seed-based-secret-store.md).
 * node:crypto does every standard operation it can (about 10x faster than BigInt code and
 * byte-identical); the BigInt paths cover what it cannot: 56-byte Ed448 seed secrets,
 * co-generated scalars, and the signed Montgomery encoding.
 */
import { createPrivateKey, createPublicKey, diffieHellman, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assertBytes, bigIntToBytesLE, concat, toHex, utf8 } from './bytes.js';
import { combinePublicKeys, combineScalars } from './co-generation.js';
import {
  assertEdwardsPublicKey,
  expandSecret,
  isWellFormedSignature,
  publicFromScalar,
  signWithScalar,
  type EdwardsAlgorithm,
} from './edwards-signing.js';
import { InvalidArgumentError, InvalidKeyError, UnsupportedAlgorithmError } from './errors.js';
import { sha512, shake256 } from './hash.js';
import type { KeyAlgorithm, KeyPair } from './key-pair.js';
import { KEY_ALGORITHMS } from './key-pair.js';
import {
  baseMultiply,
  clampScalar,
  decodeU,
  encodeSigned,
  rawScalarMultU,
  type MontgomeryAlgorithm,
} from './montgomery.js';
import type { RandomSource } from './random.js';

/** Secret length each algorithm takes from a seed or a random source (docs/mesh-compatibility.md §2.1). */
export const SECRET_LENGTH: Readonly<Record<KeyAlgorithm, number>> = {
  Ed448: 56,
  X448: 56,
  Ed25519: 32,
  X25519: 32,
};

interface PrivateMaterial {
  /** The signing / agreement scalar (clamped, or a combined scalar mod q). */
  readonly scalar: bigint;
  /** Edwards only: the secret nonce key hashed with each message. */
  readonly prefix?: Uint8Array;
  /** A node:crypto key when the key is in standard form; absent for combined keys. */
  readonly node?: KeyObject;
  /** Hedging randomness for combined-key nonces, if the caller supplied one. */
  readonly random?: RandomSource;
}

const privateMaterial = new WeakMap<MeshKeyPair, PrivateMaterial>();

const isEdwards = (alg: KeyAlgorithm): alg is EdwardsAlgorithm => alg === 'Ed448' || alg === 'Ed25519';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

class MeshKeyPair implements KeyPair {
  readonly alg: KeyAlgorithm;
  readonly #publicKey: Uint8Array;

  constructor(alg: KeyAlgorithm, publicKey: Uint8Array, material: PrivateMaterial) {
    this.alg = alg;
    this.#publicKey = publicKey;
    privateMaterial.set(this, material);
    Object.freeze(this);
  }

  /** A copy, so a caller cannot alter the key the pair signs under. */
  get publicKey(): Uint8Array {
    return Uint8Array.from(this.#publicKey);
  }

  sign(message: Uint8Array): Uint8Array {
    const alg = this.alg;
    if (!isEdwards(alg)) {
      throw new UnsupportedAlgorithmError(`a ${alg} key cannot sign; use an Ed448 or Ed25519 key`, {
        context: { alg, operation: 'sign' },
      });
    }
    assertBytes(message, 'message');
    const m = materialOf(this);
    if (m.node !== undefined) return new Uint8Array(nodeSign(null, message, m.node));
    const extra = m.random === undefined ? undefined : m.random(32);
    return signWithScalar(alg, m.scalar, m.prefix as Uint8Array, this.#publicKey, message, extra);
  }

  agree(peerPublicKey: Uint8Array): Uint8Array {
    const alg = this.alg;
    if (isEdwards(alg)) {
      throw new UnsupportedAlgorithmError(`a ${alg} key cannot agree; use an X448 or X25519 key`, {
        context: { alg, operation: 'agree' },
      });
    }
    const { u } = decodeU(alg, peerPublicKey, 'peerPublicKey');
    const m = materialOf(this);
    if (m.node === undefined) return rawScalarMultU(alg, m.scalar, u);
    const uLength = SECRET_LENGTH[alg];
    try {
      const publicKey = createPublicKey({
        key: { kty: 'OKP', crv: alg, x: b64url(bigIntToBytesLE(u, uLength)) },
        format: 'jwk',
      });
      const shared = new Uint8Array(diffieHellman({ privateKey: m.node, publicKey }));
      if (shared.every((b) => b === 0)) throw new RangeError('all-zero shared secret');
      return shared;
    } catch (cause) {
      throw new InvalidKeyError(`"peerPublicKey" is a small-order ${alg} point: the agreement would be all zeros`, {
        context: { what: 'peerPublicKey', alg },
        cause,
      });
    }
  }

  /** Only public values: JSON of a key pair never carries its private half. */
  toJSON(): { alg: KeyAlgorithm; publicKey: string } {
    return { alg: this.alg, publicKey: b64url(this.#publicKey) };
  }

  [INSPECT](): string {
    return `KeyPair { alg: '${this.alg}', publicKey: '${b64url(this.#publicKey)}' }`;
  }
}

function materialOf(pair: unknown, what = 'keyPair'): PrivateMaterial {
  const m = pair instanceof MeshKeyPair ? privateMaterial.get(pair) : undefined;
  if (m === undefined) {
    throw new InvalidArgumentError(`"${what}" expected a KeyPair made by crypto/keys`, {
      context: { what },
    });
  }
  return m;
}

function assertAlgorithm(alg: unknown): asserts alg is KeyAlgorithm {
  if (!KEY_ALGORITHMS.includes(alg as KeyAlgorithm)) {
    throw new UnsupportedAlgorithmError(`"alg" expected one of ${KEY_ALGORITHMS.join('|')}, got ${String(alg)}`, {
      context: { what: 'alg', actual: String(alg) },
    });
  }
}

function nodePrivateKey(alg: KeyAlgorithm, secret: Uint8Array, x: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: alg, d: b64url(secret), x: b64url(x) }, format: 'jwk' });
}

/**
 * A KeyPair from secret bytes in the form the algorithm's derivation produces
 * (docs/mesh-compatibility.md §2.1): X448 56 / X25519 32 bytes, clamped per RFC 7748; Ed25519 32
 * bytes per RFC 8032; Ed448 56 bytes (a Mesh seed's OKM) or 57 (an RFC 8032 secret),
 * both expanded with SHAKE256(secret, 114).
 */
export function keyPairFromSecret(alg: KeyAlgorithm, secret: Uint8Array): KeyPair {
  assertAlgorithm(alg);
  assertBytes(secret, 'secret');
  const lengthOk = secret.length === SECRET_LENGTH[alg] || (alg === 'Ed448' && secret.length === 57);
  if (!lengthOk) {
    throw new InvalidKeyError(
      `"secret" expected ${SECRET_LENGTH[alg]}${alg === 'Ed448' ? ' or 57' : ''} bytes for ${alg}, got length=${secret.length}`,
      { context: { what: 'secret', alg, expected: SECRET_LENGTH[alg], actual: secret.length } },
    );
  }
  if (isEdwards(alg)) {
    const { scalar, prefix } = expandSecret(alg, secret);
    const publicKey = publicFromScalar(alg, scalar);
    // node:crypto takes RFC 8032 secrets only: 32-byte Ed25519 and 57-byte Ed448.
    const standard = alg === 'Ed25519' || secret.length === 57;
    const node = standard ? nodePrivateKey(alg, secret, publicKey) : undefined;
    return new MeshKeyPair(alg, publicKey, node === undefined ? { scalar, prefix } : { scalar, prefix, node });
  }
  const scalar = clampScalar(alg, secret);
  const publicKey = encodeSigned(alg, baseMultiply(alg, scalar));
  // node:crypto clamps d itself, so the raw secret gives the same agreement as the scalar.
  const node = nodePrivateKey(alg, secret, publicKey.subarray(0, SECRET_LENGTH[alg]));
  return new MeshKeyPair(alg, publicKey, { scalar, node });
}

/**
 * A fresh key pair from `random`. Ed448 takes a 57-byte RFC 8032 secret (so node:crypto can
 * sign with it); the others take SECRET_LENGTH bytes.
 */
export function generateKeyPair(alg: KeyAlgorithm, random: RandomSource): KeyPair {
  assertAlgorithm(alg);
  if (typeof random !== 'function') {
    throw new InvalidArgumentError('"random" expected a RandomSource function', { context: { what: 'random' } });
  }
  const length = alg === 'Ed448' ? 57 : SECRET_LENGTH[alg];
  const secret = random(length);
  assertBytes(secret, 'random(length)', length);
  return keyPairFromSecret(alg, secret);
}

/** Cache of node:crypto public keys by encoding, to spare re-importing a signer's key. */
const verifyKeys = new Map<string, KeyObject>();
const VERIFY_KEYS_MAX = 256;

/**
 * Pure EdDSA verification (RFC 8032, empty context; docs/mesh-compatibility.md §4.2) via node:crypto.
 * Before node sees it: the public key must be a canonical, non-small-order point
 * (InvalidKeyError naming "publicKey" otherwise), and a signature of the wrong length,
 * with S ≥ L, a non-canonical R or a small-order R returns false. A malformed signature is
 * a failed verification, not an argument error, because signatures arrive from peers.
 */
export function verifySignature(
  alg: KeyAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  assertAlgorithm(alg);
  if (!isEdwards(alg)) {
    throw new UnsupportedAlgorithmError(`"alg" ${alg} is not a signature algorithm; expected Ed448 or Ed25519`, {
      context: { what: 'alg', actual: alg },
    });
  }
  assertBytes(message, 'message');
  assertBytes(signature, 'signature');
  assertEdwardsPublicKey(alg, publicKey, 'publicKey');
  if (!isWellFormedSignature(alg, signature)) return false;
  const id = alg + toHex(publicKey);
  let key = verifyKeys.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: { kty: 'OKP', crv: alg, x: b64url(publicKey) }, format: 'jwk' });
    if (verifyKeys.size >= VERIFY_KEYS_MAX) verifyKeys.clear();
    verifyKeys.set(id, key);
  }
  return nodeVerify(null, message, key, signature);
}

/** Domain label of the combined-key nonce key (docs/mesh-compatibility.md §3 (b), §13). */
const COMBINED_NONCE_LABEL = 'mesh-ts combined-key nonce v1 ';

export interface CombineOptions {
  /**
   * If given, each signature hashes 32 fresh bytes from it into the nonce (hedged EdDSA),
   * so a fault or a repeated scalar cannot repeat a nonce. Without it, signing is
   * deterministic, like RFC 8032.
   */
  readonly random?: RandomSource;
}

/**
 * The co-generated key of docs/mesh-compatibility.md §3: private scalar (s_base + s_contribution) mod q,
 * public key the point sum. Both inputs must be KeyPairs made by this module, of the
 * same algorithm.
 *
 * Nonces: the reference signs combined keys with r = H(dom ‖ M), a public nonce that
 * reveals the scalar from any signature. Here the nonce key is secret:
 * prefix = SHAKE256(label ‖ scalar, 57) (SHA-512 truncated to 32 for Ed25519), and
 * r = H(dom ‖ prefix ‖ [random32] ‖ M) as in RFC 8032. Verifiers cannot tell the difference.
 */
export function combineKeyPairs(base: KeyPair, contribution: KeyPair, options: CombineOptions = {}): KeyPair {
  const mBase = materialOf(base, 'base');
  const mContribution = materialOf(contribution, 'contribution');
  const alg = base.alg;
  if (contribution.alg !== alg) {
    throw new InvalidArgumentError(`"contribution" expected a ${alg} key to match "base", got ${contribution.alg}`, {
      context: { what: 'contribution', expected: alg, actual: contribution.alg },
    });
  }
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw new InvalidArgumentError('"options.random" expected a RandomSource function', {
      context: { what: 'options.random' },
    });
  }
  const scalar = combineScalars(alg, mBase.scalar, mContribution.scalar);
  const publicKey = combinePublicKeys(alg, base.publicKey, contribution.publicKey);
  if (!isEdwards(alg)) return new MeshKeyPair(alg, publicKey, { scalar });
  const label = utf8(COMBINED_NONCE_LABEL + alg);
  const prefix =
    alg === 'Ed448'
      ? shake256(concat(label, bigIntToBytesLE(scalar, 57)), 57)
      : sha512(concat(label, bigIntToBytesLE(scalar, 32))).slice(0, 32);
  const material: PrivateMaterial =
    options.random === undefined ? { scalar, prefix } : { scalar, prefix, random: options.random };
  return new MeshKeyPair(alg, publicKey, material);
}

/**
 * Public key of s·B for the pair's own scalar, recomputed from the private value. Tests use
 * it to check that a combined pair's public key (a point sum) matches its scalar; it
 * returns only public bytes.
 */
export function recomputePublicKey(pair: KeyPair): Uint8Array {
  const m = materialOf(pair);
  return isEdwards(pair.alg)
    ? publicFromScalar(pair.alg, m.scalar)
    : encodeSigned(pair.alg, baseMultiply(pair.alg as MontgomeryAlgorithm, m.scalar));
}
