/**
 * @module mesh/dare/create-envelope
 * Builds a DARE envelope: plain, signed, encrypted, or encrypted then signed (the order the
 * reference uses, docs/mesh-compatibility.md §4.2: the signature covers the ciphertext digest and
 * carries a witness). The Mesh signs and encrypts RespondConnection/ActivationDevice this way.
 */
import { aes256CbcEncrypt } from '../../crypto/aes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { generateKeyPair } from '../../crypto/keys.js';
import type { RandomSource } from '../../crypto/random.js';
import type { DareEnvelope, DareHeader, DareTrailer } from './envelope.js';
import {
  DIGEST_ALGORITHM,
  ENCRYPTION_ALGORITHM,
  MASTER_KEY_LENGTH,
  SALT_LENGTH,
  derivePayloadKeys,
  payloadMac,
} from './payload-keys.js';
import { wrapForRecipient, type KeyPairGenerator, type RecipientSpec } from './recipient.js';
import { makeSignature, payloadDigest, type Signer } from './signature.js';

export interface CreateEnvelopeOptions {
  readonly envelopeId?: string;
  /** JSON bytes of the ContentMeta object (not signed, docs/mesh-compatibility.md §4.1). */
  readonly contentMetaData?: Uint8Array;
  readonly signers?: readonly Signer[];
  /** Encrypt to these; at least one makes the envelope encrypted. */
  readonly recipients?: readonly RecipientSpec[];
  /** Source of the master key, Salt and ephemeral keys; required with `recipients`. */
  readonly random?: RandomSource;
  /** Ephemeral key maker for ECDH recipients (default: crypto/keys `generateKeyPair`). */
  readonly generateKeyPair?: KeyPairGenerator;
  /**
   * Header `kid` from the master key (the reference writes `SymetricKeyId(master)`,
   * docs/mesh-compatibility.md §4.3). Omitted when absent: readers treat it as opaque (§14.4).
   */
  readonly masterKeyId?: (master: Uint8Array) => string;
  /**
   * `"mac"` (default): add the trailer PayloadMac this project checks before decrypting.
   * `"reference"`: leave it out, for a reference reader (which rejects unknown tags); our
   * decryptEnvelope then needs a signature or an explicit opt-in (see decrypt-envelope).
   */
  readonly integrity?: 'mac' | 'reference';
}

/**
 * Wraps `payload` in an envelope per `options`.
 * @throws InvalidArgumentError for a missing RandomSource or unusable keys.
 */
export function createEnvelope(payload: Uint8Array, options: CreateEnvelopeOptions = {}): DareEnvelope {
  if (!(payload instanceof Uint8Array)) {
    throw new InvalidArgumentError(`"payload" expected Uint8Array, got type=${typeof payload}`, {
      context: { what: 'payload' },
    });
  }
  const signers = options.signers ?? [];
  const recipients = options.recipients ?? [];
  let header: DareHeader = {};
  if (options.envelopeId !== undefined) header = { ...header, envelopeId: options.envelopeId };
  let carried = payload;
  let secrets: { master: Uint8Array; salt: Uint8Array; mac: Uint8Array } | undefined;

  if (recipients.length > 0) {
    const random = options.random;
    if (typeof random !== 'function') {
      throw new InvalidArgumentError('"random" expected a RandomSource when encrypting', {
        context: { what: 'random' },
      });
    }
    const master = random(MASTER_KEY_LENGTH);
    const salt = random(SALT_LENGTH);
    const keys = derivePayloadKeys(master, salt);
    carried = aes256CbcEncrypt(keys.key, keys.iv, payload);
    const generate = options.generateKeyPair ?? generateKeyPair;
    header = {
      ...header,
      enc: ENCRYPTION_ALGORITHM,
      ...(signers.length > 0 ? { dig: DIGEST_ALGORITHM } : {}),
      ...(options.masterKeyId !== undefined ? { kid: options.masterKeyId(master) } : {}),
      salt,
      recipients: recipients.map((r) => wrapForRecipient(master, r, random, generate)),
    };
    secrets = { master, salt, mac: keys.mac };
  } else if (signers.length > 0) {
    header = { ...header, dig: DIGEST_ALGORITHM };
  }
  if (options.contentMetaData !== undefined) header = { ...header, contentMetaData: options.contentMetaData };

  let trailer: DareTrailer | undefined;
  if (signers.length > 0) {
    const digest = payloadDigest(carried);
    const witnessKeys = secrets === undefined ? undefined : { master: secrets.master, salt: secrets.salt };
    trailer = { signatures: signers.map((s) => makeSignature(s, digest, witnessKeys)), payloadDigest: digest };
  }
  if (secrets !== undefined && (options.integrity ?? 'mac') === 'mac') {
    trailer = { ...trailer, payloadMac: payloadMac(secrets.mac, carried) };
  }
  return trailer === undefined ? { header, payload: carried } : { header, payload: carried, trailer };
}
