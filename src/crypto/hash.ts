/**
 * @module crypto/hash
 * Digests, MACs and HKDF. node:crypto gives the same bytes as @noble/hashes and is
 * several times faster, so this is the one place that uses it for these primitives.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { assertBytes, concat } from './bytes.js';
import { InvalidArgumentError } from './errors.js';

export type HashName = 'sha256' | 'sha512' | 'sha3-512';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha512(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(data).digest());
}

export function sha3_512(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha3-512').update(data).digest());
}

/** SHAKE256 with an explicit output length (RFC 8032 Ed448 uses 114 bytes). */
export function shake256(data: Uint8Array, outputLength: number): Uint8Array {
  return new Uint8Array(createHash('shake256', { outputLength }).update(data).digest());
}

export function hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}

export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac('sha512', key, data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac('sha256', key, data);
}

const HASH_LENGTH: Record<HashName, number> = { sha256: 32, sha512: 64, 'sha3-512': 64 };

/**
 * HKDF (RFC 5869). An absent or empty salt means HashLen zero bytes (RFC 5869 §2.2),
 * which is what the reference's "null salt" produces.
 */
export function hkdf(
  hash: 'sha256' | 'sha512',
  ikm: Uint8Array,
  salt: Uint8Array | undefined,
  info: Uint8Array,
  length: number,
): Uint8Array {
  assertBytes(ikm, 'ikm');
  if (!Number.isInteger(length) || length < 1 || length > 255 * HASH_LENGTH[hash]) {
    throw new InvalidArgumentError(`"length" out of range for HKDF-${hash}: ${length}`, {
      context: { what: 'length', actual: length },
    });
  }
  return new Uint8Array(hkdfSync(hash, ikm, salt ?? new Uint8Array(0), info, length));
}

/** HKDF-Expand alone (RFC 5869 §2.3), for callers that already hold the PRK. */
export function hkdfExpand(hash: 'sha256' | 'sha512', prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLength = HASH_LENGTH[hash];
  // RFC 5869 §2.3: L <= 255*HashLen.
  if (!Number.isInteger(length) || length < 1 || length > 255 * hashLength) {
    throw new InvalidArgumentError(`"length" out of range for HKDF-Expand: ${length}`, {
      context: { what: 'length', actual: length },
    });
  }
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 0, offset = 0; offset < length; i++) {
    previous = hmac(hash, prk, concat(previous, info, Uint8Array.of(i + 1)));
    out.set(previous.subarray(0, Math.min(hashLength, length - offset)), offset);
    offset += hashLength;
  }
  return out;
}
