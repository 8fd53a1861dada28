/**
 * @module crypto/random
 * Randomness is a value passed in, so tests can pin nonces and keys. The system source
 * uses the platform CSPRNG (Web Crypto, a Node 20 global: no node: import needed).
 */

/** Returns `length` fresh random bytes. */
export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
};

/**
 * A deterministic source for tests and vectors: an expanding counter-mode stream from a
 * seed. Never use it for real keys.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0 || 1;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      // xorshift32: cheap, reproducible, good enough to make distinct test values.
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
