/**
 * @module crypto/edwards-signing
 * Pure EdDSA (RFC 8032, empty context) from an explicit (scalar, nonce prefix) pair, plus
 * the public-input checks applied before node:crypto verifies. Standard libraries insist
 * on a 57-byte Ed448 secret, but Mesh seeds give 56 bytes (docs/mesh-compatibility.md §2.1) and
 * co-generated keys give a bare scalar (§3), so expansion and signing are done here.
 */
import { ED448_TORSION_SUBGROUP, ed448 } from '@noble/curves/ed448.js';
import { ED25519_TORSION_SUBGROUP, ed25519, ed25519ctx } from '@noble/curves/ed25519.js';
import { assertBytes, bigIntToBytesLE, bytesToBigIntLE, concat, toHex, utf8 } from './bytes.js';
import { InvalidArgumentError, InvalidKeyError } from './errors.js';
import { sha512, shake256 } from './hash.js';

export type EdwardsAlgorithm = 'Ed448' | 'Ed25519';

type EdPoint = InstanceType<typeof ed448.Point> | InstanceType<typeof ed25519.Point>;

interface EdwardsCurve {
  readonly alg: EdwardsAlgorithm;
  /** Group order L. */
  readonly q: bigint;
  readonly p: bigint;
  /** Encoded point / scalar length (57 or 32). */
  readonly length: number;
  base(k: bigint): EdPoint;
  fromBytes(bytes: Uint8Array): EdPoint;
  /** H(x) reduced mod L, with RFC 8032's domain separation for Ed448. */
  hashModQ(...parts: Uint8Array[]): bigint;
}

// RFC 8032 §5.2: dom4(phflag = 0, context = "") for pure Ed448.
const DOM4_PURE = concat(utf8('SigEd448'), Uint8Array.of(0, 0));

const ED448: EdwardsCurve = {
  alg: 'Ed448',
  q: ed448.Point.CURVE().n,
  p: ed448.Point.CURVE().p,
  length: 57,
  base: (k) => ed448.Point.BASE.multiply(k),
  fromBytes: (b) => ed448.Point.fromBytes(b),
  hashModQ: (...parts) => bytesToBigIntLE(shake256(concat(DOM4_PURE, ...parts), 114)) % ed448.Point.CURVE().n,
};

const ED25519: EdwardsCurve = {
  alg: 'Ed25519',
  q: ed25519.Point.CURVE().n,
  p: ed25519.Point.CURVE().p,
  length: 32,
  base: (k) => ed25519.Point.BASE.multiply(k),
  fromBytes: (b) => ed25519.Point.fromBytes(b),
  hashModQ: (...parts) => bytesToBigIntLE(sha512(concat(...parts))) % ed25519.Point.CURVE().n,
};

export function edwardsCurve(alg: EdwardsAlgorithm): EdwardsCurve {
  return alg === 'Ed448' ? ED448 : ED25519;
}

/** The scalar and nonce prefix RFC 8032 derives from a secret. */
export interface ExpandedSecret {
  readonly scalar: bigint;
  readonly prefix: Uint8Array;
}

/**
 * Ed448: SHAKE256(secret, 114), clamp the first 57 bytes, bytes 57..113 are the prefix.
 * Mesh seeds pass a 56-byte secret here (docs/mesh-compatibility.md §2.1: "Ed448 uses 56, not 57");
 * RFC 8032 keys pass 57. Ed25519: SHA-512(secret32) per RFC 8032 §5.1.5.
 */
export function expandSecret(alg: EdwardsAlgorithm, secret: Uint8Array): ExpandedSecret {
  if (alg === 'Ed448') {
    assertBytes(secret, 'secret');
    if (secret.length !== 56 && secret.length !== 57) {
      throw new InvalidKeyError(
        `"secret" expected 56 (Mesh seed) or 57 (RFC 8032) bytes for Ed448, got length=${secret.length}`,
        {
          context: { what: 'secret', alg, actual: secret.length },
        },
      );
    }
    const h = shake256(secret, 114);
    const a = h.slice(0, 57);
    a[0] = (a[0] as number) & 0xfc;
    a[55] = (a[55] as number) | 0x80;
    a[56] = 0;
    return { scalar: bytesToBigIntLE(a), prefix: h.slice(57) };
  }
  assertBytes(secret, 'secret', 32);
  const h = sha512(secret);
  const a = h.slice(0, 32);
  a[0] = (a[0] as number) & 0xf8;
  a[31] = ((a[31] as number) & 0x7f) | 0x40;
  return { scalar: bytesToBigIntLE(a), prefix: h.slice(32) };
}

/** A = s·B, encoded. */
export function publicFromScalar(alg: EdwardsAlgorithm, scalar: bigint): Uint8Array {
  const c = edwardsCurve(alg);
  const s = scalar % c.q;
  if (s === 0n) {
    throw new InvalidKeyError(`the ${alg} scalar is 0 mod L: no usable public key`, { context: { alg } });
  }
  return c.base(s).toBytes();
}

/**
 * RFC 8032 §5.1.6 / §5.2.6 signing. `prefix` is the secret nonce key: the RFC 8032
 * prefix for expanded secrets, or a secret derived by the caller for co-generated
 * scalars (docs/mesh-compatibility.md §3 (b): the reference's public nonce must not be copied).
 * `extra` (optional fresh randomness) is hashed in with the prefix, hedging the nonce.
 */
export function signWithScalar(
  alg: EdwardsAlgorithm,
  scalar: bigint,
  prefix: Uint8Array,
  publicKey: Uint8Array,
  message: Uint8Array,
  extra: Uint8Array = new Uint8Array(0),
): Uint8Array {
  assertBytes(message, 'message');
  const c = edwardsCurve(alg);
  const s = scalar % c.q;
  const r = c.hashModQ(prefix, extra, message);
  // r = 0 has probability ~2^-446; fall back to 1 rather than produce an identity R.
  const R = c.base(r === 0n ? 1n : r).toBytes();
  const k = c.hashModQ(R, publicKey, message);
  const S = ((r === 0n ? 1n : r) + k * s) % c.q;
  return concat(R, bigIntToBytesLE(S, c.length));
}

/**
 * Canonical encodings of the small-order points (noble's torsion lists). Comparing bytes
 * avoids a square root per signature; callers check canonicity first.
 */
const SMALL_ORDER: Readonly<Record<EdwardsAlgorithm, ReadonlySet<string>>> = {
  Ed448: new Set(ED448_TORSION_SUBGROUP),
  Ed25519: new Set(ED25519_TORSION_SUBGROUP),
};

function isSmallOrderEncoding(alg: EdwardsAlgorithm, bytes: Uint8Array): boolean {
  return SMALL_ORDER[alg].has(toHex(bytes));
}

/**
 * y < p and (for Ed448) the seven spare bits of the last byte clear: RFC 8032 §5.1.3 /
 * §5.2.3 reject anything else, and checking it here means node:crypto and noble never
 * get the chance to disagree.
 */
function isCanonicalPointEncoding(alg: EdwardsAlgorithm, bytes: Uint8Array): boolean {
  const c = edwardsCurve(alg);
  const y = Uint8Array.from(bytes);
  if (alg === 'Ed448') {
    if (((y[56] as number) & 0x7f) !== 0) return false;
    y[56] = 0;
  } else {
    y[31] = (y[31] as number) & 0x7f;
  }
  return bytesToBigIntLE(y) < c.p;
}

/** Per-key validation is costly (a square root), so remember recent verdicts. */
const validatedKeys = new Map<string, true>();
const VALIDATED_KEYS_MAX = 256;

/**
 * Refuses a public key that does not decode, is not canonical or has small order, with an
 * InvalidKeyError naming `what`. Results are cached by encoding.
 */
export function assertEdwardsPublicKey(alg: EdwardsAlgorithm, publicKey: Uint8Array, what: string): void {
  const c = edwardsCurve(alg);
  assertBytes(publicKey, what);
  if (publicKey.length !== c.length) {
    throw new InvalidKeyError(
      `"${what}" expected an ${alg} public key of ${c.length} bytes, got length=${publicKey.length}`,
      {
        context: { what, alg, expected: c.length, actual: publicKey.length },
      },
    );
  }
  const id = alg + toHex(publicKey);
  if (validatedKeys.has(id)) return;
  if (!isCanonicalPointEncoding(alg, publicKey)) {
    throw new InvalidKeyError(`"${what}" is not a canonical ${alg} point encoding`, { context: { what, alg } });
  }
  let point: EdPoint;
  try {
    point = c.fromBytes(publicKey);
  } catch (cause) {
    throw new InvalidKeyError(`"${what}" is not a point on the ${alg} curve`, { context: { what, alg }, cause });
  }
  if (point.isSmallOrder()) {
    throw new InvalidKeyError(`"${what}" is a small-order ${alg} point`, { context: { what, alg } });
  }
  if (validatedKeys.size >= VALIDATED_KEYS_MAX) validatedKeys.clear();
  validatedKeys.set(id, true);
}

/**
 * The signature-side checks RFC 8032 leaves to implementations, applied identically to
 * every signature so that the result never depends on which library verifies:
 * length, S < L (non-malleability), canonical R, R not of small order.
 */
export function isWellFormedSignature(alg: EdwardsAlgorithm, signature: Uint8Array): boolean {
  const c = edwardsCurve(alg);
  if (!(signature instanceof Uint8Array) || signature.length !== 2 * c.length) return false;
  const R = signature.subarray(0, c.length);
  const S = bytesToBigIntLE(signature.subarray(c.length));
  if (S >= c.q) return false;
  if (!isCanonicalPointEncoding(alg, R)) return false;
  return !isSmallOrderEncoding(alg, R);
}

/** Pure EdDSA verification in BigInt arithmetic (noble), used to cross-check node:crypto. */
export function verifyWithNoble(
  alg: EdwardsAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const lib = alg === 'Ed448' ? ed448 : ed25519;
  try {
    return lib.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** RFC 8032 §5.1: a context is at most 255 bytes (it is length-prefixed by one byte in dom2). */
const MAX_CONTEXT = 255;

/**
 * Ed25519ctx verification (RFC 8032 §5.1, dom2(0, context) prefixed to every hash), with the
 * same public-key and signature checks as pure verification. The DARE draft's Ed25519
 * examples are Ed25519ctx with an empty context (docs/mesh-compatibility.md §4.2, §14.2),
 * which RFC 8032 discourages but does not forbid, so the empty context is accepted here.
 * @throws InvalidKeyError naming "publicKey" for an unusable key, InvalidArgumentError
 *   naming "context" for a context longer than 255 bytes.
 */
export function verifyEd25519ctx(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
): boolean {
  assertBytes(message, 'message');
  assertBytes(signature, 'signature');
  assertBytes(context, 'context');
  if (context.length > MAX_CONTEXT) {
    throw new InvalidArgumentError(`"context" expected at most ${MAX_CONTEXT} bytes, got length=${context.length}`, {
      context: { what: 'context', actual: context.length },
    });
  }
  assertEdwardsPublicKey('Ed25519', publicKey, 'publicKey');
  if (!isWellFormedSignature('Ed25519', signature)) return false;
  try {
    return ed25519ctx.verify(signature, message, publicKey, { context, zip215: false });
  } catch {
    return false;
  }
}

/**
 * Ed25519ctx signing of `message` under the RFC 8032 32-byte `secret`, for making test
 * envelopes of the DARE draft's form; Mesh keys themselves sign pure EdDSA.
 */
export function signEd25519ctx(secret: Uint8Array, message: Uint8Array, context: Uint8Array): Uint8Array {
  assertBytes(secret, 'secret', 32);
  assertBytes(message, 'message');
  assertBytes(context, 'context');
  if (context.length > MAX_CONTEXT) {
    throw new InvalidArgumentError(`"context" expected at most ${MAX_CONTEXT} bytes, got length=${context.length}`, {
      context: { what: 'context', actual: context.length },
    });
  }
  return ed25519ctx.sign(message, secret, { context });
}
