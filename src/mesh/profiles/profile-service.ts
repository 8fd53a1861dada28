/**
 * @module mesh/profiles/profile-service
 * The Mesh service's own profile (objects/profile-service), derived from a
 * MeshProfileService (0x0104) seed and self-signed like every profile (docs/mesh-compatibility.md §2.1,
 * §4.1). Its ServiceSignature key signs AcknowledgeConnection (docs/service-protocol.md
 * ConnectStart); its ServiceEncryption key lets an owner address to the service what only
 * the service should read (e.g. a RespondConnection's Result, see connect/respond-connection).
 *
 * Key names: the reference's service key names are not in docs/mesh-compatibility.md §2.1; these use the
 * account's pattern with the Service actor (CompleteService{Profile,Sign,Encrypt}).
 */
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import type { DareEnvelope } from '../dare/envelope.js';
import { deriveKeyPair } from '../keys/derive-key.js';
import { keyDataOf } from '../keys/key-data.js';
import { keyName } from '../keys/key-names.js';
import type { ProfileService } from '../objects/profile-service.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { keyOfRole } from './key-role.js';
import { openProfile, sealProfile, type CreatedProfile } from './self-signed-profile.js';
import { requireSeedOfKind } from './seed-type.js';
import type { EnvelopeInput } from './signed-object.js';

export const ServiceKeyNames = {
  Profile: keyName('Complete', 'Service', 'Profile'),
  Sign: keyName('Complete', 'Service', 'Sign'),
  Encrypt: keyName('Complete', 'Service', 'Encrypt'),
} as const;

export interface ServiceKeyPairs {
  readonly profileSignature: KeyPair;
  /** Signs AcknowledgeConnection. */
  readonly serviceSignature: KeyPair;
  readonly serviceEncryption: KeyPair;
}

export interface ServiceProfileKeys {
  readonly profileSignature: PublicKey;
  readonly serviceSignature: PublicKey;
  readonly serviceEncryption?: PublicKey;
}

export interface VerifiedProfileService {
  readonly profile: ProfileService;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
  readonly udf: string;
  readonly keys: ServiceProfileKeys;
}

/** Key pairs of a MeshProfileService (0x0104) seed. */
export function serviceKeyPairs(serviceSeed: string): ServiceKeyPairs {
  requireSeedOfKind(serviceSeed, 'MeshProfileService', 'serviceSeed');
  return {
    profileSignature: deriveKeyPair(serviceSeed, ServiceKeyNames.Profile),
    serviceSignature: deriveKeyPair(serviceSeed, ServiceKeyNames.Sign),
    serviceEncryption: deriveKeyPair(serviceSeed, ServiceKeyNames.Encrypt),
  };
}

export interface CreateProfileServiceOptions {
  readonly description?: string;
  readonly keys?: ServiceKeyPairs;
}

/** The self-signed ProfileService of `serviceSeed`; deterministic. */
export function createProfileService(
  serviceSeed: string,
  options: CreateProfileServiceOptions = {},
): CreatedProfile<ProfileService> {
  const keys = options.keys ?? serviceKeyPairs(serviceSeed);
  const profile: ProfileService = {
    ProfileSignature: keyDataOf(keys.profileSignature),
    ...(options.description === undefined ? {} : { Description: options.description }),
    ServiceSignature: keyDataOf(keys.serviceSignature),
    ServiceEncryption: keyDataOf(keys.serviceEncryption),
  };
  return sealProfile('ProfileService', profile, keys.profileSignature);
}

/** Verifies a ProfileService envelope as verifyProfileDevice does a device's. */
export function verifyProfileService(input: EnvelopeInput, what = 'ProfileService'): VerifiedProfileService {
  const { profile, envelope, json, udf, profileSignature } = openProfile(input, 'ProfileService', what);
  const keys: ServiceProfileKeys = {
    profileSignature,
    serviceSignature: keyOfRole(profile.ServiceSignature, 'sign', `${what}.ServiceSignature`),
    ...(profile.ServiceEncryption === undefined
      ? {}
      : { serviceEncryption: keyOfRole(profile.ServiceEncryption, 'encrypt', `${what}.ServiceEncryption`) }),
  };
  return { profile, envelope, json, udf, keys };
}
