/**
 * @module crypto/co-generation
 * Key co-generation arithmetic (docs/mesh-compatibility.md §3 step 3): the effective public key is the
 * point sum of the base and contribution public keys, the effective private scalar is
 * (s_base + s_contribution) mod q. This module works on public encodings and bare
 * scalars; keys.ts applies it to KeyPairs without letting private values out.
 */
import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { KeyAlgorithm } from './key-pair.js';
import { KEY_ALGORITHMS } from './key-pair.js';
import { InvalidKeyError, UnsupportedAlgorithmError } from './errors.js';
import { assertEdwardsPublicKey, edwardsCurve } from './edwards-signing.js';
import { addPoints, decodeSigned, encodeSigned, montgomeryCurve } from './montgomery.js';

function assertAlgorithm(alg: unknown): asserts alg is KeyAlgorithm {
  if (!KEY_ALGORITHMS.includes(alg as KeyAlgorithm)) {
    throw new UnsupportedAlgorithmError(`"alg" expected one of ${KEY_ALGORITHMS.join('|')}, got ${String(alg)}`, {
      context: { what: 'alg', actual: String(alg) },
    });
  }
}

/** Order of the prime subgroup, the modulus of combined scalars. */
export function groupOrder(alg: KeyAlgorithm): bigint {
  assertAlgorithm(alg);
  return alg === 'Ed448' || alg === 'Ed25519' ? edwardsCurve(alg).q : montgomeryCurve(alg).q;
}

/** (a + b) mod q, the reference's CurveEdwards448Private.Combine / CurveX448Private.Combine. */
export function combineScalars(alg: KeyAlgorithm, a: bigint, b: bigint): bigint {
  const q = groupOrder(alg);
  const sum = (a + b) % q;
  if (sum === 0n) {
    // Only a contribution of exactly −s_base does this; the result would have no public key.
    throw new InvalidKeyError(`the combined ${alg} scalar is 0 mod q`, { context: { alg } });
  }
  return sum;
}

/**
 * Sum of two public keys in their wire encodings (PUBLIC_KEY_LENGTH[alg] bytes each):
 * Edwards addition for Ed448/Ed25519, affine Montgomery addition on (u, v) for
 * X448/X25519 with v recovered from the sign bit (docs/mesh-compatibility.md §2.3, §3).
 */
export function combinePublicKeys(alg: KeyAlgorithm, a: Uint8Array, b: Uint8Array): Uint8Array {
  assertAlgorithm(alg);
  if (alg === 'Ed448' || alg === 'Ed25519') {
    assertEdwardsPublicKey(alg, a, 'a');
    assertEdwardsPublicKey(alg, b, 'b');
    const Point = alg === 'Ed448' ? ed448.Point : ed25519.Point;
    const sum = Point.fromBytes(a).add(Point.fromBytes(b));
    if (sum.is0()) {
      throw new InvalidKeyError(`the combined ${alg} public key is the identity`, { context: { alg } });
    }
    return sum.toBytes();
  }
  const P = decodeSigned(alg, a, 'a');
  const Q = decodeSigned(alg, b, 'b');
  return encodeSigned(alg, addPoints(alg, P, Q));
}
