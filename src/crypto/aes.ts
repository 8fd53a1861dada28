/**
 * @module crypto/aes
 * AES-256-CBC with PKCS#7 padding (DARE "A256CBC") and the RFC 3394 key wrap the reference
 * uses for recipient entries (docs/mesh-compatibility.md §4.3). Both come from node:crypto.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { assertBytes } from './bytes.js';
import { DecryptionError } from './errors.js';

/** RFC 3394 §2.2.3.1 default initial value. */
const KW_IV = Uint8Array.of(0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6);

export function aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  assertBytes(key, 'key', 32);
  assertBytes(iv, 'iv', 16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
}

/** Throws DecryptionError with no detail on any failure (padding oracles). */
export function aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  assertBytes(key, 'key', 32);
  assertBytes(iv, 'iv', 16);
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (cause) {
    throw new DecryptionError('decryption failed', { cause });
  }
}

/** RFC 3394 key wrap with a 256-bit KEK; the key to wrap is a multiple of 8 bytes. */
export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  assertBytes(kek, 'kek', 32);
  assertBytes(key, 'key');
  const cipher = createCipheriv('id-aes256-wrap', kek, KW_IV);
  return new Uint8Array(Buffer.concat([cipher.update(key), cipher.final()]));
}

/** RFC 3394 unwrap; the integrity check failing is reported as a uniform DecryptionError. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  assertBytes(kek, 'kek', 32);
  try {
    const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
    return new Uint8Array(Buffer.concat([decipher.update(wrapped), decipher.final()]));
  } catch (cause) {
    throw new DecryptionError('decryption failed', { cause });
  }
}
