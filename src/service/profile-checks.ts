/**
 * @module service/profile-checks
 * Reading the signed objects a client hands the service: an envelope must parse, be signed by
 * the key the protocol names, and hold the tagged object it should. Every failure becomes a
 * 400 whose StatusDescription names the field; a signature that does not verify
 * names the signer the protocol requires.
 */
import { MeshError } from '../crypto/errors.js';
import type { PublicKey } from '../crypto/key-pair.js';
import { parseEnvelope, type DareEnvelope } from '../mesh/dare/envelope.js';
import type { ProfileAccount } from '../mesh/objects/profile-account.js';
import type { ProfileUser } from '../mesh/objects/profile-user.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../mesh/profiles/profile-account.js';
import { decodeTagged, type MeshObject, type MeshObjectType } from '../mesh/objects/registry.js';
import type { EnvelopeJson } from '../mesh/schema/index.js';
import { keyFingerprint } from '../mesh/udf/key-fingerprint.js';
import { badRequest } from './service-errors.js';

/** Runs `read`, turning any library failure into a 400 that names `path`. */
export function asBadRequest<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    if (cause instanceof MeshError && cause.code !== 'ERR_SERVICE_REQUEST') {
      const message = cause.message.includes(path) ? cause.message : `"${path}": ${cause.message}`;
      throw badRequest(message, { cause });
    }
    throw cause;
  }
}

export function envelopeOf(json: unknown, path: string): DareEnvelope {
  return asBadRequest(path, () => parseEnvelope(json, path));
}

/** The tagged object in an envelope's plaintext payload. */
export function payloadOf<K extends MeshObjectType>(envelope: DareEnvelope, type: K, path: string): MeshObject<K> {
  if (envelope.header.enc !== undefined) {
    throw badRequest(`"${path}" expected a plaintext ${type} envelope, got an encrypted one`);
  }
  return asBadRequest(path, () => decodeTagged(envelope.payload, type).value as MeshObject<K>);
}

export interface VerifiedAccount {
  /** As profiles/profile-account returned it (what the connect functions take). */
  readonly verified: VerifiedProfileAccount;
  readonly profile: ProfileAccount | ProfileUser;
  readonly envelopeJson: EnvelopeJson;
  readonly accountAddress: string;
  readonly adminKey: PublicKey;
  readonly adminKid: string;
  readonly profileKey: PublicKey;
  readonly profileUdf: string;
}

/** A ProfileAccount/ProfileUser envelope, self-signed by its ProfileSignature (profiles/profile-account). */
export function readProfileAccount(json: unknown, path: string): VerifiedAccount {
  const verified = asBadRequest(path, () => verifyProfileAccount(envelopeOf(json, path), path));
  return {
    verified,
    profile: verified.profile,
    envelopeJson: verified.json,
    accountAddress: verified.accountAddress,
    adminKey: verified.keys.administratorSignature,
    adminKid: keyFingerprint(verified.keys.administratorSignature),
    profileKey: verified.keys.profileSignature,
    profileUdf: verified.udf,
  };
}
