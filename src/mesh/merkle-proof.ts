/**
 * @module mesh/merkle-proof
 * RFC 6962 §2.1 Merkle audit paths over the service log's tree (SHA-512; leaf = H(0x00 ||
 * payload), node = H(0x01 || left || right); docs/service-protocol.md "Signed checkpoints"):
 * building the path of one leaf from all the leaves (RFC 6962 §2.1.1), and checking a path
 * against a tree head with the verification of RFC 9162 §2.1.3.2. Pure: no I/O.
 */
import { concat, equalBytes } from '../crypto/bytes.js';
import { InvalidArgumentError, VerificationError } from '../crypto/errors.js';
import { sha512 } from '../crypto/hash.js';

export const MERKLE_HASH_BYTES = 64;

/** An audit path that does not lead from the leaf to the tree head it is checked against. */
export class InclusionProofError extends VerificationError {}

export function merkleLeafHash(payload: Uint8Array): Uint8Array {
  return sha512(concat(Uint8Array.of(0x00), payload));
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha512(concat(Uint8Array.of(0x01), left, right));
}

/** Largest power of two strictly below `n` (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) of RFC 6962 §2.1 over leaf hashes; the empty tree is H(). */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha512(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const k = split(leaves.length);
  return merkleNodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf `index` (0-based), leaf side first. */
export function inclusionPath(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) {
    throw new InvalidArgumentError(`"index" expected a leaf index below ${leaves.length}, got ${index}`, {
      context: { what: 'index' },
    });
  }
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionPath(leaves.slice(0, k), index), merkleRoot(leaves.slice(k))]
    : [...inclusionPath(leaves.slice(k), index - k), merkleRoot(leaves.slice(0, k))];
}

export interface InclusionClaim {
  /** The leaf hash (H(0x00 || payload)). */
  readonly leaf: Uint8Array;
  /** 0-based leaf index (the service log's entry index minus one). */
  readonly index: number;
  /** Number of leaves of the tree whose head is `root`. */
  readonly size: number;
  readonly path: readonly Uint8Array[];
  readonly root: Uint8Array;
}

/**
 * Checks an audit path (RFC 9162 §2.1.3.2).
 * @throws InclusionProofError naming `what` when the path does not lead to `root`, is too
 *   long or short for the index and size, or the index lies outside the tree.
 */
export function verifyInclusion(claim: InclusionClaim, what = 'inclusion proof'): void {
  const fail = (detail: string): InclusionProofError =>
    new InclusionProofError(`"${what}" ${detail}`, { context: { what, index: claim.index, size: claim.size } });
  if (!Number.isSafeInteger(claim.size) || claim.size < 1) throw fail(`names a tree of ${claim.size} leaves`);
  if (!Number.isSafeInteger(claim.index) || claim.index < 0 || claim.index >= claim.size) {
    throw fail(`names leaf ${claim.index}, outside a tree of ${claim.size} leaves`);
  }
  for (const node of [claim.leaf, claim.root, ...claim.path]) {
    if (node.length !== MERKLE_HASH_BYTES) throw fail(`carries a hash of ${node.length} bytes, expected 64`);
  }
  let fn = claim.index;
  let sn = claim.size - 1;
  let r = claim.leaf;
  for (const p of claim.path) {
    if (sn === 0) throw fail('is longer than the tree allows');
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw fail('is shorter than the tree needs');
  if (!equalBytes(r, claim.root)) throw fail('does not lead to the checkpoint root');
}
