/**
 * @module mesh/dare/decrypt-envelope
 * Opens an encrypted envelope (docs/mesh-compatibility.md §4.3) so that its payload is
 * integrity-checked before any plaintext exists, and every failure looks the same.
 *
 * Order: structural checks (typed errors naming the field; nothing secret involved) →
 * signature check when the caller names signers → unwrap the master key from a recipient
 * entry → check the authentication (PayloadMac, or the signature's witness) → AES-256-CBC.
 * From the unwrap on, any failure — wrong key, bad wrap, tampered epk/Salt/wmk, bad MAC,
 * bad witness, bad padding — throws one DecryptionError with one message and no cause, so
 * the caller cannot serve as a padding or key oracle. Nothing is returned on failure.
 * One recipient bit is not covered and need not be: the sign-of-v byte of a signed
 * Montgomery `epk` (docs/mesh-compatibility.md §2.3) does not enter the u-only agreement, so flipping it
 * yields the same master key and the sender's own, MAC-checked plaintext.
 * What the MAC proves is that the ciphertext was made by a holder of the master key; who
 * that is, only a signature says (pass `signers`).
 *
 * **Reference-made envelopes** carry no PayloadMac (the reference derives a MAC key but
 * never uses it). They are accepted only when (a) `signers` is given and a signature by one
 * of them verifies over the ciphertext digest *and* carries a valid witness (which binds
 * the master key and Salt, so the key material cannot be swapped either), or (b) the caller
 * sets `allowUnauthenticated`, e.g. for an EARL publication whose content is checked by
 * other means. Otherwise they are refused with the same DecryptionError.
 */
import { aes256CbcDecrypt } from '../../crypto/aes.js';
import { equalBytes } from '../../crypto/bytes.js';
import {
  DecryptionError,
  InvalidArgumentError,
  InvalidEncodingError,
  UnsupportedAlgorithmError,
} from '../../crypto/errors.js';
import type { DareEnvelope, DareRecipient } from './envelope.js';
import { ENCRYPTION_ALGORITHM, derivePayloadKeys, payloadMac, signatureWitness } from './payload-keys.js';
import { entryFits, unwrapFromRecipient, type DecryptionKey } from './recipient.js';
import { verifyEnvelope, type SignerCandidate, type VerifiedSignature } from './signature.js';

export interface DecryptOptions {
  /**
   * Require a signature by one of these keys (checked before decryption). For an envelope
   * without PayloadMac the signature must also carry a valid witness.
   */
  readonly signers?: readonly SignerCandidate[];
  /**
   * Decrypt an envelope that has neither a PayloadMac nor a verified, witnessed signature.
   * The payload is then unauthenticated CBC: use only when the plaintext is verified
   * afterwards (e.g. it holds signed objects).
   */
  readonly allowUnauthenticated?: boolean;
}

export interface DecryptResult {
  readonly plaintext: Uint8Array;
  /** What authenticated the ciphertext before it was decrypted. */
  readonly authenticatedBy: 'mac' | 'signature' | 'none';
  /** The verified signer, when `signers` was given. */
  readonly signer?: VerifiedSignature;
}

/** The single failure every decryption problem becomes. */
function failure(): DecryptionError {
  return new DecryptionError('decryption failed');
}

/** Entries to try for `key`: those whose kid matches first, then every other that fits. */
function candidatesFor(recipients: readonly DareRecipient[], key: DecryptionKey): DareRecipient[] {
  const fitting = recipients.filter((r) => entryFits(r, key));
  const byKid = key.kid === undefined ? [] : fitting.filter((r) => r.kid === key.kid);
  return [...byKid, ...fitting.filter((r) => !byKid.includes(r))];
}

/**
 * Decrypts `envelope` with the first of `keys` that opens a recipient entry.
 * @throws InvalidEncodingError / UnsupportedAlgorithmError for a structurally unusable
 *   envelope (not encrypted, no Salt, unknown `enc`), naming the field;
 *   DecryptionError("decryption failed") for every cryptographic failure.
 */
export function decryptEnvelope(
  envelope: DareEnvelope,
  keys: DecryptionKey | readonly DecryptionKey[],
  options: DecryptOptions = {},
): DecryptResult {
  const keyList: readonly DecryptionKey[] = Array.isArray(keys) ? keys : [keys as DecryptionKey];
  if (keyList.length === 0) {
    throw new InvalidArgumentError('"keys" expected at least one decryption key', { context: { what: 'keys' } });
  }
  const { header } = envelope;
  if (header.enc === undefined) {
    throw new InvalidEncodingError('"header.enc" is absent: the envelope is not encrypted', {
      context: { field: 'header.enc' },
    });
  }
  if (header.enc !== ENCRYPTION_ALGORITHM) {
    throw new UnsupportedAlgorithmError(
      `"header.enc" expected ${ENCRYPTION_ALGORITHM}, got ${JSON.stringify(header.enc)}`,
      {
        context: { field: 'header.enc', actual: header.enc },
      },
    );
  }
  const salt = header.salt;
  if (salt === undefined) {
    throw new InvalidEncodingError('"header.Salt" is absent from an encrypted envelope', {
      context: { field: 'header.Salt' },
    });
  }
  const recipients = header.recipients ?? [];
  if (recipients.length === 0) {
    throw new InvalidEncodingError('"header.recipients" is absent or empty', {
      context: { field: 'header.recipients' },
    });
  }
  const mac = envelope.trailer?.payloadMac;

  // Public checks first: they need no key, so their outcome reveals nothing secret, but
  // they still fail uniformly.
  let signer: VerifiedSignature | undefined;
  if (options.signers !== undefined) {
    try {
      signer = verifyEnvelope(envelope, options.signers);
    } catch {
      throw failure();
    }
    if (mac === undefined && signer.signature.witness === undefined) throw failure();
  } else if (mac === undefined && options.allowUnauthenticated !== true) {
    throw failure();
  }

  let master: Uint8Array | undefined;
  for (const key of keyList) {
    for (const entry of candidatesFor(recipients, key)) {
      try {
        master = unwrapFromRecipient(entry, key);
        break;
      } catch {
        // Try the next entry; the failure is reported once, uniformly, below.
      }
    }
    if (master !== undefined) break;
  }
  if (master === undefined) throw failure();

  try {
    const payloadKeys = derivePayloadKeys(master, salt);
    let authenticatedBy: DecryptResult['authenticatedBy'] = 'none';
    if (mac !== undefined) {
      if (!equalBytes(payloadMac(payloadKeys.mac, envelope.payload), mac)) throw failure();
      authenticatedBy = 'mac';
    }
    const witness = signer?.signature.witness;
    if (witness !== undefined) {
      if (!equalBytes(signatureWitness(master, salt, signer!.signature.signature), witness)) throw failure();
      if (authenticatedBy === 'none') authenticatedBy = 'signature';
    }
    const plaintext = aes256CbcDecrypt(payloadKeys.key, payloadKeys.iv, envelope.payload);
    return signer === undefined ? { plaintext, authenticatedBy } : { plaintext, authenticatedBy, signer };
  } catch {
    throw failure();
  }
}
