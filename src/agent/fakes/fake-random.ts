/**
 * @module agent/fakes/fake-random
 * A random source for tests that pins the backoff jitter (every 32-bit draw is the same, so
 * `unitInterval` is a known value). A plain reproducible stream is crypto/random's
 * `seededRandom`.
 */
import { seededRandom, type RandomSource } from '../../crypto/random.js';

/**
 * Every byte is `byte` when asked for 4 bytes (the jitter draw), so the draw is
 * byte·(2^24+2^16+2^8+1)/2^32; other lengths come from a seeded stream, so nonces differ.
 */
export function pinnedJitterRandom(byte: number): RandomSource {
  const other = seededRandom(99);
  return (length) => (length === 4 ? new Uint8Array(4).fill(byte) : other(length));
}
