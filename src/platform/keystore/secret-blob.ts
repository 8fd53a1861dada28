/**
 * @module platform/keystore/secret-blob
 * The at-rest form of one secret under a wrapping key: AES-256-GCM with a fresh 96-bit
 * nonce per write and the secret's name in the associated data, so a blob copied onto
 * another name's file fails to authenticate instead of handing one secret out as another.
 * Layout: version (1 byte, 0x01) | nonce (12) | tag (16) | ciphertext (as long as the secret).
 * A random nonce is safe here: a device writes a handful of secrets in its life, far from
 * GCM's 2^32-messages bound for random nonces under one key (NIST SP 800-38D §8.3).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeystoreIntegrityError } from './keystore-errors.js';

const VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

function associatedData(name: string): Buffer {
  return Buffer.from(`mesh-agent secret v1\0${name}`, 'utf8');
}

export function sealSecretBlob(wrappingKey: Uint8Array, name: string, secret: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(name));
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  const blob = new Uint8Array(HEADER_BYTES + ciphertext.length);
  blob[0] = VERSION;
  blob.set(nonce, 1);
  blob.set(cipher.getAuthTag(), 1 + NONCE_BYTES);
  blob.set(ciphertext, HEADER_BYTES);
  return blob;
}

/** The secret, or KeystoreIntegrityError naming `where` (a path) and nothing of the content. */
export function openSecretBlob(wrappingKey: Uint8Array, name: string, blob: Uint8Array, where: string): Uint8Array {
  if (blob.length < HEADER_BYTES || blob[0] !== VERSION) {
    throw new KeystoreIntegrityError(
      `secret blob ${where} is not a version-1 sealed secret (${blob.length} bytes, expected at least ${HEADER_BYTES} starting with 0x01)`,
      { context: { path: where, length: blob.length } },
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey, blob.subarray(1, 1 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(name));
    decipher.setAuthTag(blob.subarray(1 + NONCE_BYTES, HEADER_BYTES));
    const plain = Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]);
    // A small Buffer may sit in Node's shared pool; hand out an exact copy and wipe the pooled one.
    const secret = new Uint8Array(plain);
    plain.fill(0);
    return secret;
  } catch (cause) {
    // Uniform on purpose (crypto/errors DecryptionError): which check failed is not told.
    throw new KeystoreIntegrityError(
      `secret blob ${where} does not authenticate under this device's wrapping key: tampered, truncated, or sealed by another TPM`,
      { context: { path: where }, cause },
    );
  }
}
