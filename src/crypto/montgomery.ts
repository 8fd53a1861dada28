/**
 * @module crypto/montgomery
 * Curve448 / Curve25519 arithmetic the Mesh needs beyond RFC 7748's X448()/X25519():
 * the signed public encoding u ‖ sign(v), an *unclamped* ladder for co-generated scalars,
 * Okeya–Sakurai y-recovery, and affine point addition (docs/mesh-compatibility.md §2.3, §3).
 * BigInt arithmetic is not constant time; node:crypto is used instead wherever the key is a
 * standard clamped one (see keys.ts), so only co-generated scalars take this path.
 */
import { Field, FpIsSquare } from '@noble/curves/abstract/modular.js';
import { ed448 } from '@noble/curves/ed448.js';
import { assertBytes, bigIntToBytesLE, bytesToBigIntLE } from './bytes.js';
import { InvalidKeyError } from './errors.js';

export type MontgomeryAlgorithm = 'X448' | 'X25519';

type Fp = ReturnType<typeof Field>;

export interface MontgomeryCurve {
  readonly alg: MontgomeryAlgorithm;
  readonly Fp: Fp;
  readonly p: bigint;
  /** Order of the prime subgroup the base point generates. */
  readonly q: bigint;
  /** Curve coefficient A of v² = u³ + A·u² + u. */
  readonly A: bigint;
  /** (A − 2) / 4, the ladder constant of RFC 7748 §5. */
  readonly a24: bigint;
  /** RFC 7748 §4.1/§4.2 base point (u, v). */
  readonly u0: bigint;
  readonly v0: bigint;
  /** Length of the bare u encoding (RFC 7748). */
  readonly uLength: number;
  /** Ladder length: every scalar is processed over this many bits, whatever its size. */
  readonly bits: number;
}

const P448 = 2n ** 448n - 2n ** 224n - 1n;
const P25519 = 2n ** 255n - 19n;

/** RFC 7748 §4.2 (curve448) and §4.1 (curve25519). */
export const CURVE448: MontgomeryCurve = {
  alg: 'X448',
  Fp: Field(P448),
  p: P448,
  q: 2n ** 446n - 13818066809895115352007386748515426880336692474882178609894547503885n,
  A: 156326n,
  a24: 39081n,
  u0: 5n,
  v0: 355293926785568175264127502063783334808976399387714271831880898435169088786967410002932673765864550910142774147268105838985595290606362n,
  uLength: 56,
  bits: 448,
};

export const CURVE25519: MontgomeryCurve = {
  alg: 'X25519',
  Fp: Field(P25519),
  p: P25519,
  q: 2n ** 252n + 27742317777372353535851937790883648493n,
  A: 486662n,
  a24: 121665n,
  u0: 9n,
  v0: 14781619447589544791020593568409986887264606134616475288964881837755586237401n,
  uLength: 32,
  bits: 256,
};

export function montgomeryCurve(alg: MontgomeryAlgorithm): MontgomeryCurve {
  return alg === 'X448' ? CURVE448 : CURVE25519;
}

/** An affine point; `null` is the point at infinity. */
export type MontgomeryPoint = { readonly u: bigint; readonly v: bigint } | null;

/** Sign byte of the signed encoding (docs/mesh-compatibility.md §2.3): 0x80 when v is odd. */
const SIGN_ODD = 0x80;

/** RFC 7748 §5 clamping; `secret` is the OKM / private key bytes (56 or 32). */
export function clampScalar(alg: MontgomeryAlgorithm, secret: Uint8Array): bigint {
  const c = montgomeryCurve(alg);
  assertBytes(secret, 'secret', c.uLength);
  const k = Uint8Array.from(secret);
  if (alg === 'X448') {
    k[0] = (k[0] as number) & 0xfc;
    k[55] = (k[55] as number) | 0x80;
  } else {
    k[0] = (k[0] as number) & 0xf8;
    k[31] = ((k[31] as number) & 0x7f) | 0x40;
  }
  return bytesToBigIntLE(k);
}

/**
 * The x-only ladder of RFC 7748 §5 *without* clamping (docs/mesh-compatibility.md §3 (a): a combined
 * scalar is not of the clamped form). Returns projective x(k·P) and x((k+1)·P).
 */
function ladder(c: MontgomeryCurve, k: bigint, u: bigint) {
  const { Fp, a24 } = c;
  const x1 = u;
  let x2 = 1n;
  let z2 = 0n;
  let x3 = u;
  let z3 = 1n;
  let swap = 0n;
  for (let t = BigInt(c.bits - 1); t >= 0n; t--) {
    const kt = (k >> t) & 1n;
    swap ^= kt;
    if (swap === 1n) {
      [x2, x3] = [x3, x2];
      [z2, z3] = [z3, z2];
    }
    swap = kt;
    const A = Fp.add(x2, z2);
    const AA = Fp.sqr(A);
    const B = Fp.sub(x2, z2);
    const BB = Fp.sqr(B);
    const E = Fp.sub(AA, BB);
    const C = Fp.add(x3, z3);
    const D = Fp.sub(x3, z3);
    const DA = Fp.mul(D, A);
    const CB = Fp.mul(C, B);
    x3 = Fp.sqr(Fp.add(DA, CB));
    z3 = Fp.mul(x1, Fp.sqr(Fp.sub(DA, CB)));
    x2 = Fp.mul(AA, BB);
    z2 = Fp.mul(E, Fp.add(AA, Fp.mul(a24, E)));
  }
  if (swap === 1n) {
    [x2, x3] = [x3, x2];
    [z2, z3] = [z3, z2];
  }
  return { x2, z2, x3, z3 };
}

/**
 * u(k·P) for an arbitrary (unclamped) scalar, the agreement IKM of docs/mesh-compatibility.md §3 (a).
 * An all-zero result (a small-order peer point) is refused, as RFC 7748 §6 recommends.
 */
export function rawScalarMultU(alg: MontgomeryAlgorithm, k: bigint, u: bigint): Uint8Array {
  const c = montgomeryCurve(alg);
  const { x2, z2 } = ladder(c, k, u);
  const result = c.Fp.mul(x2, c.Fp.inv(z2 === 0n ? 1n : z2));
  if (z2 === 0n || result === 0n) {
    throw new InvalidKeyError(`"peerPublicKey" is a small-order ${alg} point: the agreement would be all zeros`, {
      context: { what: 'peerPublicKey', alg },
    });
  }
  return bigIntToBytesLE(result, c.uLength);
}

/**
 * k·B with its v coordinate: the ladder from the base point, then Okeya–Sakurai
 * y-recovery (one inversion), because the signed encoding needs the parity of v
 * (docs/mesh-compatibility.md §2.3).
 */
export function baseMultiply(alg: MontgomeryAlgorithm, k: bigint): MontgomeryPoint {
  const c = montgomeryCurve(alg);
  const { Fp, A, u0, v0 } = c;
  const kq = k % c.q;
  if (kq === 0n) return null;
  if (alg === 'X448') return baseMultiply448(kq);
  const { x2: X1, z2: Z1, x3: X2, z3: Z2 } = ladder(c, kq, u0);
  // k·B + B = O means k·B = −B.
  if (Z2 === 0n) return { u: u0, v: Fp.neg(v0) };
  // Okeya–Sakurai (CHES 2001, Algorithm 1) with B = 1, P = (u0, v0), Q = (X1:Z1), Q+P = (X2:Z2).
  let t1 = Fp.mul(u0, Z1);
  let t2 = Fp.add(X1, t1);
  let t3 = Fp.sqr(Fp.sub(X1, t1));
  t3 = Fp.mul(t3, X2);
  t1 = Fp.mul(Fp.mul(2n, A), Z1);
  t2 = Fp.add(t2, t1);
  const t4 = Fp.add(Fp.mul(u0, X1), Z1);
  t2 = Fp.mul(t2, t4);
  t1 = Fp.mul(t1, Z1);
  t2 = Fp.sub(t2, t1);
  t2 = Fp.mul(t2, Z2);
  const Y = Fp.sub(t2, t3);
  t1 = Fp.mul(Fp.mul(Fp.mul(2n, v0), Z1), Z2);
  const X = Fp.mul(t1, X1);
  const Z = Fp.mul(t1, Z1);
  const zInv = Fp.inv(Z);
  return { u: Fp.mul(X, zInv), v: Fp.mul(Y, zInv) };
}

/**
 * k·B on curve448 through Ed448: RFC 7748 §4.2's 4-isogeny φ(x, y) = (y²/x², (2 − x² − y²)·y/x³)
 * maps the Ed448 base point exactly onto (u0, v0), and an isogeny is a group homomorphism, so
 * k·B_mont = φ(k·B_ed). noble's precomputed Edwards base multiplication makes this several
 * times faster than the ladder. In projective coordinates u = Y²/X², v = (2Z² − X² − Y²)·Y/X³,
 * one inversion in all.
 */
function baseMultiply448(kq: bigint): MontgomeryPoint {
  const { Fp } = CURVE448;
  const point = ed448.Point.BASE.multiply(kq);
  const X = point.X;
  const Y = point.Y;
  const Z = point.Z;
  const X2 = Fp.sqr(X);
  const Y2 = Fp.sqr(Y);
  const invX3 = Fp.inv(Fp.mul(X2, X));
  const u = Fp.mul(Fp.mul(Y2, X), invX3);
  const v = Fp.mul(Fp.mul(Fp.sub(Fp.sub(Fp.mul(2n, Fp.sqr(Z)), X2), Y2), Y), invX3);
  return { u, v };
}

/** Affine addition on v² = u³ + A·u² + u, including doubling and the identity. */
export function addPoints(alg: MontgomeryAlgorithm, P: MontgomeryPoint, Q: MontgomeryPoint): MontgomeryPoint {
  const { Fp, A } = montgomeryCurve(alg);
  if (P === null) return Q;
  if (Q === null) return P;
  let lambda: bigint;
  if (P.u === Q.u) {
    if (Fp.add(P.v, Q.v) === 0n) return null;
    // Doubling: λ = (3u² + 2Au + 1) / 2v.
    lambda = Fp.div(Fp.add(Fp.add(Fp.mul(3n, Fp.sqr(P.u)), Fp.mul(Fp.mul(2n, A), P.u)), 1n), Fp.mul(2n, P.v));
  } else {
    lambda = Fp.div(Fp.sub(Q.v, P.v), Fp.sub(Q.u, P.u));
  }
  const u = Fp.sub(Fp.sub(Fp.sub(Fp.sqr(lambda), A), P.u), Q.u);
  const v = Fp.sub(Fp.mul(lambda, Fp.sub(P.u, u)), P.v);
  return { u, v };
}

/** The signed encoding u ‖ (0x80 if v odd), docs/mesh-compatibility.md §2.3. */
export function encodeSigned(alg: MontgomeryAlgorithm, point: MontgomeryPoint): Uint8Array {
  const c = montgomeryCurve(alg);
  if (point === null) {
    throw new InvalidKeyError(`the ${alg} public key would be the point at infinity`, { context: { alg } });
  }
  const out = new Uint8Array(c.uLength + 1);
  out.set(bigIntToBytesLE(point.u, c.uLength));
  out[c.uLength] = (point.v & 1n) === 1n ? SIGN_ODD : 0x00;
  return out;
}

/** Right-hand side u³ + A·u² + u. */
function rhs(c: MontgomeryCurve, u: bigint): bigint {
  const { Fp } = c;
  return Fp.add(Fp.mul(Fp.sqr(u), Fp.add(u, c.A)), u);
}

/**
 * Twist check (a Legendre symbol, ~0.8 ms for curve448): peers reuse keys, so recent
 * verdicts on valid u values are remembered.
 */
const onCurveCache = new Set<string>();
const ON_CURVE_CACHE_MAX = 256;

function isOnCurve(c: MontgomeryCurve, u: bigint): boolean {
  const id = `${c.alg}:${u.toString(16)}`;
  if (onCurveCache.has(id)) return true;
  if (!FpIsSquare(c.Fp, rhs(c, u))) return false;
  if (onCurveCache.size >= ON_CURVE_CACHE_MAX) onCurveCache.clear();
  onCurveCache.add(id);
  return true;
}

/**
 * Reads the u coordinate of a public key given either signed (u ‖ sign, the wire form)
 * or bare (RFC 7748), and refuses values a correct peer never sends: u ≥ p, a sign byte
 * other than 0x00/0x80, and u on the twist rather than the curve (docs/mesh-compatibility.md §2.3).
 */
export function decodeU(
  alg: MontgomeryAlgorithm,
  bytes: Uint8Array,
  what: string,
): { u: bigint; sign: number | undefined } {
  const c = montgomeryCurve(alg);
  assertBytes(bytes, what);
  if (bytes.length !== c.uLength && bytes.length !== c.uLength + 1) {
    throw new InvalidKeyError(
      `"${what}" expected a ${alg} public key of ${c.uLength + 1} bytes (or ${c.uLength} bare), got length=${bytes.length}`,
      { context: { what, alg, expected: c.uLength + 1, actual: bytes.length } },
    );
  }
  let sign: number | undefined;
  if (bytes.length === c.uLength + 1) {
    sign = bytes[c.uLength] as number;
    if (sign !== 0x00 && sign !== SIGN_ODD) {
      throw new InvalidKeyError(`"${what}" sign byte expected 0x00 or 0x80, got 0x${sign.toString(16)}`, {
        context: { what, alg, signByte: sign },
      });
    }
  }
  const uBytes = bytes.subarray(0, c.uLength);
  // RFC 7748 masks the top bit of a Curve25519 u; a Mesh key never sets it, so refuse it.
  const u = bytesToBigIntLE(uBytes);
  if (u >= c.p) {
    throw new InvalidKeyError(`"${what}" u coordinate is not reduced modulo p`, { context: { what, alg } });
  }
  if (!isOnCurve(c, u)) {
    throw new InvalidKeyError(
      `"${what}" u coordinate is not on ${alg === 'X448' ? 'curve448' : 'curve25519'} (it is on the twist)`,
      {
        context: { what, alg },
      },
    );
  }
  return { u, sign };
}

/** Decodes the signed encoding to a full point, recovering v from the sign bit (docs/mesh-compatibility.md §3). */
export function decodeSigned(alg: MontgomeryAlgorithm, bytes: Uint8Array, what: string): MontgomeryPoint {
  const c = montgomeryCurve(alg);
  if (bytes instanceof Uint8Array && bytes.length !== c.uLength + 1) {
    throw new InvalidKeyError(
      `"${what}" expected a signed ${alg} public key of ${c.uLength + 1} bytes, got length=${bytes.length}`,
      {
        context: { what, alg, expected: c.uLength + 1, actual: bytes.length },
      },
    );
  }
  const { u, sign } = decodeU(alg, bytes, what);
  let v = c.Fp.sqrt(rhs(c, u));
  const wantOdd = sign === SIGN_ODD;
  if (v === 0n && wantOdd) {
    throw new InvalidKeyError(`"${what}" sign byte says v is odd but v = 0`, { context: { what, alg } });
  }
  if (((v & 1n) === 1n) !== wantOdd) v = c.Fp.neg(v);
  return { u, v };
}
