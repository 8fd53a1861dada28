/**
 * @module mesh/profiles/profile-device
 * The device's ProfileDevice (docs/mesh-compatibility.md §5, §6.2 (a) 2): its four base keys derived
 * from a MeshProfileDevice seed (§2.1: BaseDevice{Profile,Encrypt,Sign,Authenticate}), in
 * an envelope self-signed by the ProfileSignature key with EnvelopeId = the profile UDF
 * (§4.1). Nothing time- or random-dependent goes in, so the same seed always gives the same
 * bytes: a stored profile (a DevicePreconfiguration, §6.2 (b) 2) can be checked against
 * its seed by regenerating it.
 */
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import { deriveKeyPair } from '../keys/derive-key.js';
import { keyDataOf } from '../keys/key-data.js';
import { MeshKeyNames } from '../keys/key-names.js';
import type { DareEnvelope } from '../dare/envelope.js';
import type { ProfileDevice } from '../objects/profile-device.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { keyOfRole } from './key-role.js';
import { requireSeedOfKind } from './seed-type.js';
import { openProfile, sealProfile, type CreatedProfile } from './self-signed-profile.js';
import type { EnvelopeInput } from './signed-object.js';

/** The private base keys of a device seed. */
export interface DeviceBaseKeyPairs {
  /** BaseDeviceProfile (Ed448): signs the ProfileDevice and the device's RequestConnection. */
  readonly profileSignature: KeyPair;
  /** BaseDeviceEncrypt (X448): RespondConnection and ActivationDevice are encrypted to it. */
  readonly encryption: KeyPair;
  /** BaseDeviceSign (Ed448): the base of the combined signature key. */
  readonly signature: KeyPair;
  /** BaseDeviceAuthenticate (X448): the base of the combined authentication key. */
  readonly authentication: KeyPair;
}

/** The public half of DeviceBaseKeyPairs, as read from a verified profile. */
export interface DeviceProfileKeys {
  readonly profileSignature: PublicKey;
  readonly encryption: PublicKey;
  readonly signature: PublicKey;
  readonly authentication: PublicKey;
}

// Re-exported for the modules that take them from here.
export { checkProfileEnvelopeId, type CreatedProfile } from './self-signed-profile.js';

export interface VerifiedProfileDevice {
  readonly profile: ProfileDevice;
  readonly envelope: DareEnvelope;
  /** The envelope's JSON form, for an `EnvelopedProfileDevice` field. */
  readonly json: EnvelopeJson;
  readonly udf: string;
  readonly keys: DeviceProfileKeys;
}

/** Base key pairs of a MeshProfileDevice (0x0100) seed. */
export function deviceBaseKeyPairs(deviceSeed: string): DeviceBaseKeyPairs {
  requireSeedOfKind(deviceSeed, 'MeshProfileDevice', 'deviceSeed');
  return {
    profileSignature: deriveKeyPair(deviceSeed, MeshKeyNames.BaseDeviceProfile),
    encryption: deriveKeyPair(deviceSeed, MeshKeyNames.BaseDeviceEncrypt),
    signature: deriveKeyPair(deviceSeed, MeshKeyNames.BaseDeviceSign),
    authentication: deriveKeyPair(deviceSeed, MeshKeyNames.BaseDeviceAuthenticate),
  };
}

export interface CreateProfileDeviceOptions {
  readonly description?: string;
  /** Keys already derived from the same seed, to spare deriving them twice. */
  readonly keys?: DeviceBaseKeyPairs;
}

/** The self-signed ProfileDevice of `deviceSeed`; deterministic for a seed and description. */
export function createProfileDevice(
  deviceSeed: string,
  options: CreateProfileDeviceOptions = {},
): CreatedProfile<ProfileDevice> {
  const keys = options.keys ?? deviceBaseKeyPairs(deviceSeed);
  const profile: ProfileDevice = {
    ProfileSignature: keyDataOf(keys.profileSignature),
    ...(options.description === undefined ? {} : { Description: options.description }),
    Encryption: keyDataOf(keys.encryption),
    Signature: keyDataOf(keys.signature),
    Authentication: keyDataOf(keys.authentication),
  };
  return sealProfile('ProfileDevice', profile, keys.profileSignature);
}

/**
 * Verifies a ProfileDevice envelope: every KeyData Udf is its key's fingerprint, and the
 * envelope is signed by the profile's own ProfileSignature key.
 * @throws InvalidEncodingError / SchemaError for malformed input, InvalidKeyError for a
 *   KeyData whose Udf is not its key's, UnsignedEnvelopeError / UnauthorizedSignerError
 *   for a missing or bad self-signature, ProfileMismatchError for a wrong EnvelopeId.
 */
export function verifyProfileDevice(input: EnvelopeInput, what = 'ProfileDevice'): VerifiedProfileDevice {
  const { profile, envelope, json, udf, profileSignature } = openProfile(input, 'ProfileDevice', what);
  const keys: DeviceProfileKeys = {
    profileSignature,
    encryption: keyOfRole(profile.Encryption, 'encrypt', `${what}.Encryption`),
    signature: keyOfRole(profile.Signature, 'sign', `${what}.Signature`),
    authentication: keyOfRole(profile.Authentication, 'encrypt', `${what}.Authentication`),
  };
  return { profile, envelope, json, udf, keys };
}
