/**
 * @module test/unit/mesh/merkle-proof
 * RFC 6962 §2.1.1 audit paths: every leaf of trees of 1..33 leaves verifies against the
 * root the service's own frontier computes; a tampered leaf, a wrong index, a wrong root,
 * a shortened or lengthened path are refused with InclusionProofError.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/crypto/bytes.js';
import {
  InclusionProofError,
  inclusionPath,
  merkleLeafHash,
  merkleRoot,
  verifyInclusion,
} from '../../../src/mesh/merkle-proof.js';
import { LogHead } from '../../../src/service/store/log-hash.js';

function tree(n: number): { leaves: Uint8Array[]; root: Uint8Array } {
  const head = new LogHead();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) leaves.push(head.append(utf8(`entry ${i}`)).leaf);
  return { leaves, root: head.checkpoint().root };
}

describe('Merkle inclusion proofs', () => {
  it('verify every leaf of trees of 1..33 leaves against the store frontier root', () => {
    for (let n = 1; n <= 33; n++) {
      const { leaves, root } = tree(n);
      expect(merkleRoot(leaves)).toEqual(root);
      for (let i = 0; i < n; i++) {
        verifyInclusion({ leaf: leaves[i] as Uint8Array, index: i, size: n, path: inclusionPath(leaves, i), root });
      }
    }
  });

  it('refuse a tampered leaf, a wrong index, a wrong root and a path of the wrong length', () => {
    const { leaves, root } = tree(13);
    const path = inclusionPath(leaves, 5);
    const good = { leaf: leaves[5] as Uint8Array, index: 5, size: 13, path, root };
    verifyInclusion(good);
    const cases = [
      { ...good, leaf: merkleLeafHash(utf8('entry 5 altered')) },
      { ...good, index: 4 },
      { ...good, index: 13 },
      { ...good, root: merkleRoot(leaves.slice(0, 12)) },
      { ...good, path: path.slice(1) },
      { ...good, path: [...path, root] },
      { ...good, size: 5 },
    ];
    for (const bad of cases) {
      expect(() => verifyInclusion(bad, 'LogEntries[0].Proof')).toThrow(InclusionProofError);
      expect(() => verifyInclusion(bad, 'LogEntries[0].Proof')).toThrow(/LogEntries\[0\]\.Proof/);
    }
  });
});
