/**
 * @module mesh/profiles/signed-object
 * A Mesh object as a tagged payload inside a DARE envelope, signed (and optionally
 * encrypted) on the way out, and on the way in opened only after the one key allowed to
 * sign it has been checked (design decision 3; docs/mesh-compatibility.md §4.2, §12 item 8). Every
 * profile, connection message and activation record in src/mesh goes through here, so the
 * rule "signed by whom" is stated by the caller and enforced in one place.
 */
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import { createEnvelope } from '../dare/create-envelope.js';
import { decryptEnvelope } from '../dare/decrypt-envelope.js';
import { envelopeToJson, parseEnvelope, type DareEnvelope } from '../dare/envelope.js';
import type { RecipientSpec } from '../dare/recipient.js';
import { verifyEnvelope, type Signer, type SignerCandidate, type VerifiedSignature } from '../dare/signature.js';
import { parseJsonB } from '../encoding/jsonb-reader.js';
import { decodeTaggedValue, encodeTaggedBytes, type MeshObject, type MeshObjectType } from '../objects/registry.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { keyFingerprint } from '../udf/key-fingerprint.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from './profile-errors.js';

/** An envelope as parsed, or its JSON form `[header, payload, trailer?]` (tagged or not). */
export type EnvelopeInput = DareEnvelope | EnvelopeJson | { readonly DareEnvelope: unknown };

/** An envelope and its JSON form, as every create* function returns them. */
export interface SealedEnvelope {
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
}

/** A public key to encrypt to, with its UDF (the recipient `kid`). */
export interface EncryptionRecipient {
  readonly kid: string;
  readonly publicKey: PublicKey;
}

/** A Signer for `key`: the key and its 140-bit fingerprint as `kid` (docs/mesh-compatibility.md §4.2). */
export function signerOf(key: KeyPair): Signer {
  return { key, kid: keyFingerprint(key) };
}

/** The candidate form of a public key, kid = its fingerprint. */
export function candidateOf(key: PublicKey): SignerCandidate {
  return { publicKey: key, kid: keyFingerprint(key) };
}

/** An ECDH recipient for an encryption public key, kid = its fingerprint. */
export function recipientOf(key: PublicKey): EncryptionRecipient {
  return { kid: keyFingerprint(key), publicKey: key };
}

function isDareEnvelope(value: unknown): value is DareEnvelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'header' in value &&
    'payload' in value &&
    (value as { payload: unknown }).payload instanceof Uint8Array
  );
}

/** The envelope of `input`, parsing the JSON form; errors name `path`. */
export function toEnvelope(input: EnvelopeInput | unknown, path: string): DareEnvelope {
  return isDareEnvelope(input) ? input : parseEnvelope(input, path);
}

export interface SealOptions {
  /** Header EnvelopeId (profiles: the profile UDF; messages: EnvelopeId(MessageId), §4.1). */
  readonly envelopeId?: string;
  readonly signer: Signer;
  /** Encrypt to these (signed after encryption, as the reference does, §4.2). */
  readonly recipients?: readonly EncryptionRecipient[];
  /** Needed when `recipients` is not empty. */
  readonly random?: RandomSource;
}

/** `{"<type>": value}` as the payload of an envelope signed by `options.signer`. */
export function sealObject<K extends MeshObjectType>(
  type: K,
  value: MeshObject<K>,
  options: SealOptions,
): SealedEnvelope {
  const recipients: RecipientSpec[] = (options.recipients ?? []).map((r) => ({
    kind: 'ecdh',
    kid: r.kid,
    publicKey: r.publicKey,
  }));
  if (recipients.length > 0 && typeof options.random !== 'function') {
    throw new InvalidArgumentError('"random" expected a RandomSource when encrypting', { context: { what: 'random' } });
  }
  const envelope = createEnvelope(encodeTaggedBytes(type, value), {
    ...(options.envelopeId === undefined ? {} : { envelopeId: options.envelopeId }),
    signers: [options.signer],
    ...(recipients.length === 0 ? {} : { recipients, random: options.random as RandomSource }),
  });
  return { envelope, json: envelopeToJson(envelope) };
}

/**
 * Checks that `envelope` is signed by `signer` (the only key allowed to sign it).
 * @throws UnsignedEnvelopeError when it has no signature; UnauthorizedSignerError when no
 *   signature verifies under `signer` (including a payload changed after signing).
 */
export function requireSigner(
  envelope: DareEnvelope,
  signer: PublicKey,
  what: string,
  role: string,
): VerifiedSignature {
  const signatures = envelope.trailer?.signatures ?? [];
  if (signatures.length === 0) {
    throw new UnsignedEnvelopeError(`"${what}" is not signed; it must be signed by the ${role}`, {
      context: { what, role },
    });
  }
  try {
    return verifyEnvelope(envelope, [candidateOf(signer)]);
  } catch (cause) {
    throw new UnauthorizedSignerError(`"${what}" has no valid signature by the ${role}`, {
      context: { what, role, signatures: signatures.length },
      cause,
    });
  }
}

/**
 * Reads the tagged object of a plaintext payload (JSON, or JSON-B as the reference writes
 * ConnectionDevice, docs/mesh-compatibility.md §4.4) whose tag must be `type`.
 */
export function decodePayload<K extends MeshObjectType>(
  payload: Uint8Array,
  type: K | readonly K[],
  what: string,
): MeshObject<K> {
  return decodeTaggedValue(parseJsonB(payload, { what }), type).value as MeshObject<K>;
}

/**
 * The payload of a plaintext envelope, for reading which key must have signed it before
 * the signature is checked. Nothing read this way may be trusted until it is.
 */
export function plaintextOf(envelope: DareEnvelope, what: string): Uint8Array {
  if (envelope.header.enc !== undefined) {
    throw new InvalidEncodingError(`"${what}" is encrypted; expected a plaintext signed envelope`, {
      context: { what, field: 'header.enc' },
    });
  }
  return envelope.payload;
}

/** requireSigner, then the plaintext object; an encrypted envelope is refused here. */
export function openSignedObject<K extends MeshObjectType>(
  envelope: DareEnvelope,
  type: K | readonly K[],
  signer: PublicKey,
  what: string,
  role: string,
): MeshObject<K> {
  requireSigner(envelope, signer, what, role);
  return decodePayload(plaintextOf(envelope, what), type, what);
}

/**
 * requireSigner, then decryption with `key` (the signature is checked again by
 * decryptEnvelope so that a reference envelope without PayloadMac is authenticated by the
 * signature witness, §4.2), then the object.
 * @throws DecryptionError (uniform) when `key` cannot open it.
 */
export function openSignedEncryptedObject<K extends MeshObjectType>(
  envelope: DareEnvelope,
  type: K | readonly K[],
  signer: PublicKey,
  key: KeyPair,
  what: string,
  role: string,
): MeshObject<K> {
  requireSigner(envelope, signer, what, role);
  if (envelope.header.enc === undefined) {
    // A plaintext copy of something meant for one key has already been exposed on the way.
    throw new InvalidEncodingError(`"${what}" is not encrypted; expected an envelope encrypted to the recipient`, {
      context: { what, field: 'header.enc' },
    });
  }
  const { plaintext } = decryptEnvelope(
    envelope,
    { kind: 'ecdh', keyPair: key, kid: keyFingerprint(key) },
    {
      signers: [candidateOf(signer)],
    },
  );
  return decodePayload(plaintext, type, what);
}
