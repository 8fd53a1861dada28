/**
 * @module mesh/profiles/self-signed-profile
 * What every Mesh profile shares (docs/mesh-compatibility.md §4.1, §5): it is sealed in an envelope signed
 * by its own ProfileSignature key, with EnvelopeId = the profile's UDF (that key's
 * fingerprint); and it is opened by reading the payload only to learn which key must have
 * signed, trusting nothing until that self-signature verifies.
 */
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import { envelopeToJson, type DareEnvelope } from '../dare/envelope.js';
import type { MeshObject, MeshObjectType } from '../objects/registry.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { keyFingerprint } from '../udf/key-fingerprint.js';
import { keyOfRole } from './key-role.js';
import { ProfileMismatchError } from './profile-errors.js';
import {
  decodePayload,
  openSignedObject,
  plaintextOf,
  sealObject,
  signerOf,
  toEnvelope,
  type EnvelopeInput,
} from './signed-object.js';

/** A profile just made: the object, its signed envelope (and JSON form) and its UDF. */
export interface CreatedProfile<P> {
  readonly profile: P;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  /** The profile UDF = ProfileSignature key fingerprint (docs/mesh-compatibility.md §5). */
  readonly udf: string;
}

/** A profile whose self-signature verified, with the key that made it. */
export interface OpenedProfile<P> extends CreatedProfile<P> {
  readonly profileSignature: PublicKey;
}

/** Seals `profile` under its own ProfileSignature key, EnvelopeId = its UDF. */
export function sealProfile<K extends MeshObjectType>(
  type: K,
  profile: MeshObject<K>,
  profileSignature: KeyPair,
): CreatedProfile<MeshObject<K>> {
  const signer = signerOf(profileSignature);
  const { envelope, json } = sealObject(type, profile, { envelopeId: signer.kid, signer });
  return { profile, envelope, json, udf: signer.kid };
}

/**
 * Checks the EnvelopeId, when present, is the profile's own UDF: the reference files
 * profiles under UniqueId = UDF (§4.1), so another value means the envelope was relabelled.
 */
export function checkProfileEnvelopeId(envelope: DareEnvelope, udf: string, what: string): void {
  const id = envelope.header.envelopeId;
  if (id !== undefined && id.toUpperCase() !== udf) {
    throw new ProfileMismatchError(`"${what}.EnvelopeId" is not the profile's UDF`, {
      context: { what: `${what}.EnvelopeId` },
    });
  }
}

/**
 * Opens a self-signed profile of one of `types`: its ProfileSignature KeyData must hold a
 * signing key whose fingerprint is its Udf, the envelope must be signed by that key, and the
 * EnvelopeId (if any) must be the UDF.
 * @throws InvalidEncodingError / SchemaError for malformed input, InvalidKeyError for a
 *   KeyData whose Udf is not its key's, UnsignedEnvelopeError / UnauthorizedSignerError for a
 *   missing or bad self-signature, ProfileMismatchError for a wrong EnvelopeId.
 */
export function openProfile<K extends MeshObjectType>(
  input: EnvelopeInput,
  types: K | readonly K[],
  what: string,
): OpenedProfile<MeshObject<K>> {
  const envelope = toEnvelope(input, what);
  // Read before the signature is checked only to learn which key must have signed.
  const claimed = decodePayload(plaintextOf(envelope, what), types, what) as { ProfileSignature?: unknown };
  const profileSignature = keyOfRole(
    claimed.ProfileSignature as Parameters<typeof keyOfRole>[0],
    'sign',
    `${what}.ProfileSignature`,
  );
  const profile = openSignedObject(
    envelope,
    types,
    profileSignature,
    what,
    'ProfileSignature key of the profile it carries',
  );
  const udf = keyFingerprint(profileSignature);
  checkProfileEnvelopeId(envelope, udf, what);
  return { profile, envelope, json: envelopeToJson(envelope), udf, profileSignature };
}
