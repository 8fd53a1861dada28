/**
 * @module mesh/profiles/profile-account
 * The owner's account profile (docs/mesh-compatibility.md §5 ProfileUser : ProfileAccount), derived from
 * a MeshProfileAccount (0x0102) seed with the CompleteAccount{Profile,AdminSign,Encrypt,
 * Authenticate,Sign} key names (§2.1), self-signed by ProfileSignature with EnvelopeId =
 * the profile UDF (§4.1). It is written with the `ProfileUser` tag, as the reference puts in
 * `EnvelopedProfileAccount` (§6.2 (c) ConnectResponse); a bare `ProfileAccount` is read too.
 *
 * AdministratorSignature is the key that authorises: it signs RespondConnection,
 * ActivationDevice, ConnectionDevice, MessagePin, MessageClaim and the owner's service
 * requests (design decision 4; docs/service-protocol.md).
 */
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import { checkAccountAddress } from '../connect/connect-uri.js';
import type { DareEnvelope } from '../dare/envelope.js';
import { deriveKeyPair } from '../keys/derive-key.js';
import { keyDataOf } from '../keys/key-data.js';
import { MeshKeyNames } from '../keys/key-names.js';
import type { ProfileAccount } from '../objects/profile-account.js';
import type { ProfileUser } from '../objects/profile-user.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';
import { keyOfRole } from './key-role.js';
import { openProfile, sealProfile, type CreatedProfile } from './self-signed-profile.js';
import { requireSeedOfKind } from './seed-type.js';
import type { EnvelopeInput } from './signed-object.js';

/** The private keys of an account seed. */
export interface AccountKeyPairs {
  /** CompleteAccountProfile (Ed448): signs the profile itself. */
  readonly profileSignature: KeyPair;
  /** CompleteAccountAdminSign (Ed448): authorises devices and service requests. */
  readonly administratorSignature: KeyPair;
  /** CompleteAccountEncrypt (X448). */
  readonly accountEncryption: KeyPair;
  /** CompleteAccountAuthenticate (X448). */
  readonly accountAuthentication: KeyPair;
  /** CompleteAccountSign (Ed448). */
  readonly accountSignature: KeyPair;
}

export interface AccountProfileKeys {
  readonly profileSignature: PublicKey;
  readonly administratorSignature: PublicKey;
  readonly accountEncryption: PublicKey;
  /** Present in a ProfileUser; a bare ProfileAccount has none. */
  readonly accountAuthentication?: PublicKey;
  readonly accountSignature?: PublicKey;
}

export interface VerifiedProfileAccount {
  /** The profile as read; `ProfileUser` fields are present when the tag was ProfileUser. */
  readonly profile: ProfileAccount | ProfileUser;
  readonly envelope: DareEnvelope;
  /** The envelope's JSON form, for an `EnvelopedProfileAccount` / `EnvelopedProfileUser` field. */
  readonly json: EnvelopeJson;
  readonly udf: string;
  readonly accountAddress: string;
  readonly keys: AccountProfileKeys;
}

/** Key pairs of a MeshProfileAccount (0x0102) seed. */
export function accountKeyPairs(accountSeed: string): AccountKeyPairs {
  requireSeedOfKind(accountSeed, 'MeshProfileAccount', 'accountSeed');
  return {
    profileSignature: deriveKeyPair(accountSeed, MeshKeyNames.CompleteAccountProfile),
    administratorSignature: deriveKeyPair(accountSeed, MeshKeyNames.CompleteAccountAdminSign),
    accountEncryption: deriveKeyPair(accountSeed, MeshKeyNames.CompleteAccountEncrypt),
    accountAuthentication: deriveKeyPair(accountSeed, MeshKeyNames.CompleteAccountAuthenticate),
    accountSignature: deriveKeyPair(accountSeed, MeshKeyNames.CompleteAccountSign),
  };
}

export interface CreateProfileAccountOptions {
  /** user@domain. */
  readonly accountAddress: string;
  /** UDF of the service's ProfileService, when known (from Hello). */
  readonly serviceUdf?: string;
  readonly keys?: AccountKeyPairs;
}

/** The self-signed ProfileUser of `accountSeed`; deterministic for the seed and options. */
export function createProfileAccount(
  accountSeed: string,
  options: CreateProfileAccountOptions,
): CreatedProfile<ProfileUser> {
  checkAccountAddress(options.accountAddress, 'accountAddress');
  const keys = options.keys ?? accountKeyPairs(accountSeed);
  const profile: ProfileUser = {
    ProfileSignature: keyDataOf(keys.profileSignature),
    AccountAddress: options.accountAddress,
    ...(options.serviceUdf === undefined ? {} : { ServiceUdf: options.serviceUdf }),
    AccountEncryption: keyDataOf(keys.accountEncryption),
    AdministratorSignature: keyDataOf(keys.administratorSignature),
    AccountAuthentication: keyDataOf(keys.accountAuthentication),
    AccountSignature: keyDataOf(keys.accountSignature),
  };
  return sealProfile('ProfileUser', profile, keys.profileSignature);
}

/**
 * Verifies an account profile envelope (tag ProfileUser or ProfileAccount): KeyData
 * fingerprints, key algorithms, the self-signature, the EnvelopeId and the AccountAddress.
 * @throws as verifyProfileDevice; InvalidArgumentError for an AccountAddress that is not
 *   user@domain.
 */
export function verifyProfileAccount(input: EnvelopeInput, what = 'ProfileAccount'): VerifiedProfileAccount {
  const { profile, envelope, json, udf, profileSignature } = openProfile(
    input,
    ['ProfileUser', 'ProfileAccount'] as const,
    what,
  );
  const user = profile as Partial<ProfileUser>;
  const keys: AccountProfileKeys = {
    profileSignature,
    administratorSignature: keyOfRole(profile.AdministratorSignature, 'sign', `${what}.AdministratorSignature`),
    accountEncryption: keyOfRole(profile.AccountEncryption, 'encrypt', `${what}.AccountEncryption`),
    ...(user.AccountAuthentication === undefined
      ? {}
      : { accountAuthentication: keyOfRole(user.AccountAuthentication, 'encrypt', `${what}.AccountAuthentication`) }),
    ...(user.AccountSignature === undefined
      ? {}
      : { accountSignature: keyOfRole(user.AccountSignature, 'sign', `${what}.AccountSignature`) }),
  };
  const accountAddress = checkAccountAddress(profile.AccountAddress, `${what}.AccountAddress`);
  return { profile, envelope, json, udf, accountAddress, keys };
}
