/**
 * @module service/store/log-hash
 * The log's two hash structures, shared by both backends:
 * - a hash chain, chain_i = SHA-512(0x02 || chain_{i-1} || leaf_i) from 64 zero bytes, which
 *   makes every entry commit to its whole history (docs/decisions/0011-crash-safe-persistence.md);
 * - an RFC 6962 §2.1 Merkle tree over the entry payloads (leaf = H(0x00 || payload), node =
 *   H(0x01 || left || right), empty tree = H()), whose head is the checkpoint a Status
 *   response publishes and which admits inclusion and consistency proofs later.
 * The chain uses prefix 0x02 so a chain value can never be replayed as a tree node.
 * The tree is kept as its frontier (the roots of the perfect subtrees that make up the first
 * n leaves, one per set bit of n), so appending and computing the head are O(log n).
 */
import { concat, equalBytes } from '../../crypto/bytes.js';
import { sha512 } from '../../crypto/hash.js';
import { StoreCorruptionError } from './store-errors.js';
import type { Checkpoint } from './store.js';

export const HASH_BYTES = 64;
export const EMPTY_CHAIN: Uint8Array = new Uint8Array(HASH_BYTES);

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);
const CHAIN = Uint8Array.of(0x02);

export function leafHash(payload: Uint8Array): Uint8Array {
  return sha512(concat(LEAF, payload));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha512(concat(NODE, left, right));
}

export function chainHash(previous: Uint8Array, leaf: Uint8Array): Uint8Array {
  return sha512(concat(CHAIN, previous, leaf));
}

export class MerkleFrontier {
  /** Subtree roots, largest (leftmost) first; subtree sizes are the set bits of `size`. */
  #nodes: Uint8Array[];
  #size: number;

  private constructor(size: number, nodes: Uint8Array[]) {
    this.#size = size;
    this.#nodes = nodes;
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Restores a frontier saved with `serialise()` for a tree of `size` leaves. */
  static restore(size: number, bytes: Uint8Array): MerkleFrontier {
    const count = popcount(size);
    if (bytes.length !== count * HASH_BYTES) {
      throw new StoreCorruptionError(
        `saved Merkle frontier for ${size} entries expected ${count * HASH_BYTES} bytes, got ${bytes.length}`,
        { context: { what: 'frontier', size } },
      );
    }
    const nodes: Uint8Array[] = [];
    for (let i = 0; i < count; i++) nodes.push(bytes.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES));
    return new MerkleFrontier(size, nodes);
  }

  get size(): number {
    return this.#size;
  }

  append(leaf: Uint8Array): void {
    let node = leaf;
    // Merging one subtree per trailing one-bit of the old size keeps subtrees perfect.
    for (let n = this.#size; (n & 1) === 1; n = Math.floor(n / 2)) {
      node = nodeHash(this.#nodes.pop() as Uint8Array, node);
    }
    this.#nodes.push(node);
    this.#size += 1;
  }

  /** RFC 6962 MTH: the split at the largest power of two folds the subtrees right to left. */
  root(): Uint8Array {
    if (this.#nodes.length === 0) return sha512(new Uint8Array(0));
    let acc = this.#nodes[this.#nodes.length - 1] as Uint8Array;
    for (let i = this.#nodes.length - 2; i >= 0; i--) acc = nodeHash(this.#nodes[i] as Uint8Array, acc);
    return acc;
  }

  serialise(): Uint8Array {
    return concat(...this.#nodes);
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, [...this.#nodes]);
  }
}

function popcount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/** The running chain and tree of a log being written or replayed. */
export class LogHead {
  readonly frontier: MerkleFrontier;
  #chain: Uint8Array;

  constructor(chain: Uint8Array = EMPTY_CHAIN, frontier: MerkleFrontier = MerkleFrontier.empty()) {
    this.#chain = chain;
    this.frontier = frontier;
  }

  get index(): number {
    return this.frontier.size;
  }

  get chain(): Uint8Array {
    return this.#chain;
  }

  /** Appends a payload and returns its leaf hash and the new chain value. */
  append(payload: Uint8Array): { leaf: Uint8Array; chain: Uint8Array } {
    const next = this.next(payload);
    this.advance(next.leaf, next.chain);
    return next;
  }

  /** The leaf and chain value `payload` would get, without appending it (replay checks first). */
  next(payload: Uint8Array): { leaf: Uint8Array; chain: Uint8Array } {
    const leaf = leafHash(payload);
    return { leaf, chain: chainHash(this.#chain, leaf) };
  }

  /** Appends a leaf whose chain value `next` computed. */
  advance(leaf: Uint8Array, chain: Uint8Array): void {
    this.#chain = chain;
    this.frontier.append(leaf);
  }

  checkpoint(): Checkpoint {
    return { index: this.index, root: this.frontier.root(), chain: this.#chain };
  }

  clone(): LogHead {
    return new LogHead(this.#chain, this.frontier.clone());
  }
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b);
}
