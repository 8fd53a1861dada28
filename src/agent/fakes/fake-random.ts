/**
 * @module agent/fakes/fake-random
 * Random sources for tests: a reproducible stream, and a constant one that pins the backoff
 * jitter (every 32-bit draw is the same, so `unitInterval` is a known value).
 */
import { seededRandom } from '../../crypto/random.js';
import type { Random } from '../ports.js';

export class SeededRandom implements Random {
  readonly #source;
  constructor(seed: number) {
    this.#source = seededRandom(seed);
  }
  bytes(length: number): Uint8Array {
    return this.#source(length);
  }
}

/**
 * Every byte is `byte` when asked for 4 bytes (the jitter draw), so the draw is
 * byte·(2^24+2^16+2^8+1)/2^32; other lengths come from a seeded stream, so nonces differ.
 */
export class PinnedJitterRandom implements Random {
  readonly #other = seededRandom(99);
  constructor(readonly byte: number) {}
  bytes(length: number): Uint8Array {
    return length === 4 ? new Uint8Array(4).fill(this.byte) : this.#other(length);
  }
}
