/**
 * @module mesh/dare/recipient
 * Recipient entries: the master key wrapped for one reader (docs/mesh-compatibility.md §4.3).
 *
 * - ECDH: a fresh ephemeral key on the recipient's curve; KEK = HKDF-SHA512(salt none,
 *   IKM = agreement `u` bytes, info "", 32); `wmk` = RFC 3394 wrap of the master key
 *   (`KeyPairAdvanced.Encrypt`). The drafts say info "master"; the code uses "" (§11 item 5),
 *   so unwrapping tries "" and then "master", which RFC 3394's integrity check makes safe.
 * - Symmetric (EARL): KEK = HKDF-SHA512(IKM = key bytes, salt none, info "", 32); the entry's
 *   `kid` is the PublicationId the caller passes; there is no `epk`.
 */
import { utf8 } from '../../crypto/bytes.js';
import { aesKeyUnwrap, aesKeyWrap } from '../../crypto/aes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { hkdf } from '../../crypto/hash.js';
import type { KeyAlgorithm, KeyPair, PublicKey } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import type { DareRecipient } from './envelope.js';

/** Whom to encrypt to. */
export type RecipientSpec =
  | {
      readonly kind: 'ecdh';
      /** The recipient key's UDF, computed by the caller. */
      readonly kid: string;
      /** An X448 or X25519 encryption public key. */
      readonly publicKey: PublicKey;
    }
  | {
      readonly kind: 'symmetric';
      /** The PublicationId of the EARL. */
      readonly kid: string;
      /** The symmetric key bytes (the BDS of the EARL's encryption UDF). */
      readonly key: Uint8Array;
    };

/** A key that may open an envelope. `kid` narrows which recipient entries are tried first. */
export type DecryptionKey =
  | { readonly kind: 'ecdh'; readonly keyPair: KeyPair; readonly kid?: string }
  | { readonly kind: 'symmetric'; readonly key: Uint8Array; readonly kid?: string };

/** Makes a fresh key pair; `generateKeyPair` from crypto/keys by default. */
export type KeyPairGenerator = (alg: KeyAlgorithm, random: RandomSource) => KeyPair;

const EMPTY = new Uint8Array(0);
const INFO_MASTER = utf8('master');

function kek(ikm: Uint8Array, info: Uint8Array): Uint8Array {
  return hkdf('sha512', ikm, undefined, info, 32);
}

const AGREEMENT_CURVES: ReadonlySet<string> = new Set(['X448', 'X25519']);

/** Wraps `master` for one recipient. */
export function wrapForRecipient(
  master: Uint8Array,
  spec: RecipientSpec,
  random: RandomSource,
  generate: KeyPairGenerator,
): DareRecipient {
  if (spec.kind === 'symmetric') {
    return { kid: spec.kid, wmk: aesKeyWrap(kek(spec.key, EMPTY), master) };
  }
  const alg = spec.publicKey.alg;
  if (!AGREEMENT_CURVES.has(alg)) {
    throw new InvalidArgumentError(`"recipients[].publicKey" expected an X448 or X25519 key, got ${alg}`, {
      context: { what: 'recipients[].publicKey', actual: alg },
    });
  }
  const ephemeral = generate(alg, random);
  const agreement = ephemeral.agree(spec.publicKey.publicKey);
  return {
    kid: spec.kid,
    epk: { crv: ephemeral.alg, publicKey: ephemeral.publicKey },
    wmk: aesKeyWrap(kek(agreement, EMPTY), master),
  };
}

/** Whether `entry` is of the kind `key` can open (ECDH on the same curve, or symmetric). */
export function entryFits(entry: DareRecipient, key: DecryptionKey): boolean {
  if (entry.wmk === undefined) return false;
  if (key.kind === 'symmetric') return entry.epk === undefined;
  return entry.epk !== undefined && entry.epk.crv === key.keyPair.alg;
}

/**
 * Unwraps the master key from `entry` with `key`. Throws (any error) when it does not
 * open; the caller turns every failure into one uniform DecryptionError.
 */
export function unwrapFromRecipient(entry: DareRecipient, key: DecryptionKey): Uint8Array {
  const wmk = entry.wmk as Uint8Array;
  if (key.kind === 'symmetric') return aesKeyUnwrap(kek(key.key, EMPTY), wmk);
  const agreement = key.keyPair.agree((entry.epk as { publicKey: Uint8Array }).publicKey);
  try {
    return aesKeyUnwrap(kek(agreement, EMPTY), wmk);
  } catch {
    // Draft wording (info "master"); RFC 3394's check rejects the wrong KEK (§4.3).
    return aesKeyUnwrap(kek(agreement, INFO_MASTER), wmk);
  }
}
