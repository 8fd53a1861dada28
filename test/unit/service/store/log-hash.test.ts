/**
 * @module test/unit/service/store/log-hash.test
 * The incremental Merkle frontier against RFC 6962 §2.1 computed recursively, and the chain's
 * construction, so both backends' checkpoints rest on a checked primitive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, utf8 } from '../../../../src/crypto/bytes.js';
import { sha512 } from '../../../../src/crypto/hash.js';
import { EMPTY_CHAIN, LogHead, MerkleFrontier, leafHash } from '../../../../src/service/store/log-hash.js';
import { StoreCorruptionError } from '../../../../src/service/store/store-errors.js';
import { referenceMerkleRoot } from '../../../contract/store/store-contract.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('MerkleFrontier', () => {
  it('matches the recursive RFC 6962 MTH for every size up to 130', () => {
    const leaves: Uint8Array[] = [];
    const frontier = MerkleFrontier.empty();
    expect(hex(frontier.root())).toBe(hex(referenceMerkleRoot([])));
    for (let n = 1; n <= 130; n++) {
      const d = utf8(`entry ${n}`);
      leaves.push(d);
      frontier.append(leafHash(d));
      expect(hex(frontier.root()), `n=${n}`).toBe(hex(referenceMerkleRoot(leaves)));
    }
  });

  it('builds the tree shape RFC 6962 §2.1 specifies for three leaves', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => utf8(s)) as [Uint8Array, Uint8Array, Uint8Array];
    const leaf = (d: Uint8Array): Uint8Array => sha512(concat(Uint8Array.of(0), d));
    const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha512(concat(Uint8Array.of(1), l, r));
    const f = MerkleFrontier.empty();
    for (const d of [a, b, c]) f.append(leafHash(d));
    expect(hex(f.root())).toBe(hex(node(node(leaf(a), leaf(b)), leaf(c))));
  });

  it('restores from its serialised form to the same root and keeps growing identically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 10 }), (n, more) => {
        const f = MerkleFrontier.empty();
        for (let i = 0; i < n; i++) f.append(leafHash(Uint8Array.of(i)));
        const g = MerkleFrontier.restore(n, f.serialise());
        expect(hex(g.root())).toBe(hex(f.root()));
        for (let i = 0; i < more; i++) {
          f.append(leafHash(Uint8Array.of(200 + i)));
          g.append(leafHash(Uint8Array.of(200 + i)));
        }
        expect(hex(g.root())).toBe(hex(f.root()));
      }),
    );
  });

  it('refuses a saved frontier of the wrong length for its size', () => {
    expect(() => MerkleFrontier.restore(3, new Uint8Array(64))).toThrow(StoreCorruptionError);
    expect(() => MerkleFrontier.restore(3, new Uint8Array(64))).toThrow(/for 3 entries expected 128 bytes, got 64/);
  });
});

describe('LogHead', () => {
  it('chains each entry to its predecessor with a prefix distinct from tree nodes', () => {
    const head = new LogHead();
    const p1 = utf8('{"index":1}');
    const p2 = utf8('{"index":2}');
    const c1 = head.append(p1).chain;
    const c2 = head.append(p2).chain;
    expect(hex(c1)).toBe(hex(sha512(concat(Uint8Array.of(2), EMPTY_CHAIN, leafHash(p1)))));
    expect(hex(c2)).toBe(hex(sha512(concat(Uint8Array.of(2), c1, leafHash(p2)))));
    expect(head.checkpoint().index).toBe(2);
    // A clone advances independently (the file store stages a group on a clone).
    const staged = head.clone();
    staged.append(utf8('{"index":3}'));
    expect(head.index).toBe(2);
    expect(staged.index).toBe(3);
  });
});
