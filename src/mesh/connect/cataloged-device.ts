/**
 * @module mesh/connect/cataloged-device
 * The CatalogedDevice an owner builds on accepting a device, and the device's check of it
 * (docs/mesh-compatibility.md §3, §5, §6.2 (a) 6-7; the reference's ActivationAccount.CreateCataloguedDevice):
 *
 * - a fresh activation seed (MeshActivationAccount 0x0103, §3 step 1) per connection, so two
 *   accounts connecting one device get independent, unlinkable device keys (§6.2 (d));
 * - ActivationDevice {ActivationKey, AccountUdf = the ProfileDevice UDF}, signed by the
 *   AdministratorSignature and encrypted to the device's base Encryption key: the seed
 *   never travels readable to the service;
 * - ConnectionDevice {Signature, Encryption, Authentication} = base + ActivationDevice*
 *   contributions as point sums (§3 step 3), with Roles, signed by the admin key;
 * - CatalogedDevice {DeviceUdf, EnvelopedProfileUser, EnvelopedProfileDevice,
 *   EnvelopedConnectionDevice, EnvelopedActivationDevice}.
 *
 * The device accepts it only when every admin-signed part verifies under the account's
 * AdministratorSignature, names this device, and the ConnectionDevice keys are the ones it
 * derives itself from its base keys and the activation seed (design decision 4).
 */
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import { equalBytes } from '../../crypto/bytes.js';
import { combinePublicKeys } from '../../crypto/co-generation.js';
import { combineKeyPairs } from '../../crypto/keys.js';
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import type { Signer } from '../dare/signature.js';
import { deriveContributionKeyPair } from '../keys/activation-keys.js';
import { keyDataOf } from '../keys/key-data.js';
import type { KeyOperation } from '../keys/key-names.js';
import type { ActivationDevice } from '../objects/activation-device.js';
import type { CatalogedDevice } from '../objects/cataloged-device.js';
import type { ConnectionDevice } from '../objects/connection-device.js';
import { keyOfRole } from '../profiles/key-role.js';
import { verifyProfileAccount, type VerifiedProfileAccount } from '../profiles/profile-account.js';
import {
  verifyProfileDevice,
  type DeviceBaseKeyPairs,
  type DeviceProfileKeys,
  type VerifiedProfileDevice,
} from '../profiles/profile-device.js';
import { ProfileMismatchError } from '../profiles/profile-errors.js';
import { requireSeedOfKind } from '../profiles/seed-type.js';
import {
  openSignedEncryptedObject,
  openSignedObject,
  recipientOf,
  sealObject,
  toEnvelope,
} from '../profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../udf/derived-key-seed.js';
import { AccountMismatchError, ConnectionKeyMismatchError } from './connection-errors.js';

/** The three co-generated device keys of one connection (§3 step 3). */
export interface CombinedPublicKeys {
  readonly signature: PublicKey;
  readonly encryption: PublicKey;
  readonly authentication: PublicKey;
}

export interface CombinedKeyPairs {
  readonly signature: KeyPair;
  readonly encryption: KeyPair;
  readonly authentication: KeyPair;
}

type Slot = keyof CombinedPublicKeys;

const SLOT_OPERATION: Readonly<Record<Slot, KeyOperation>> = {
  signature: 'Sign',
  encryption: 'Encrypt',
  authentication: 'Authenticate',
};

const SLOT_FIELD: Readonly<Record<Slot, 'Signature' | 'Encryption' | 'Authentication'>> = {
  signature: 'Signature',
  encryption: 'Encryption',
  authentication: 'Authentication',
};

const SLOTS: readonly Slot[] = ['signature', 'encryption', 'authentication'];

/** Base public key + ActivationDevice<op> contribution of `activationSeed`, for each slot. */
export function combinedPublicKeys(base: DeviceProfileKeys, activationSeed: string): CombinedPublicKeys {
  const out = {} as Record<Slot, PublicKey>;
  for (const slot of SLOTS) {
    const contribution = deriveContributionKeyPair(activationSeed, SLOT_OPERATION[slot]);
    const alg = base[slot].alg;
    if (contribution.alg !== alg) {
      throw new InvalidArgumentError(`"base.${slot}" is ${alg}, but the activation contributes ${contribution.alg}`, {
        context: { what: `base.${slot}`, expected: contribution.alg, actual: alg },
      });
    }
    out[slot] = { alg, publicKey: combinePublicKeys(alg, base[slot].publicKey, contribution.publicKey) };
  }
  return out;
}

/**
 * The device's own combined private keys (§3: scalar sum mod q). `random`, if given, hedges
 * the combined key's signature nonces (crypto/keys combineKeyPairs).
 */
export function combinedKeyPairs(
  base: DeviceBaseKeyPairs,
  activationSeed: string,
  random?: RandomSource,
): CombinedKeyPairs {
  const out = {} as Record<Slot, KeyPair>;
  for (const slot of SLOTS) {
    const contribution = deriveContributionKeyPair(activationSeed, SLOT_OPERATION[slot]);
    out[slot] = combineKeyPairs(base[slot], contribution, random === undefined ? {} : { random });
  }
  return out;
}

export interface CreateCatalogedDeviceInput {
  readonly device: VerifiedProfileDevice;
  readonly accountProfile: VerifiedProfileAccount;
  /** The account's AdministratorSignature key and UDF. */
  readonly adminKey: Signer;
  readonly roles?: readonly string[];
  readonly random: RandomSource;
  readonly now: Date;
}

export interface CreatedCatalogedDevice {
  readonly catalogedDevice: CatalogedDevice;
  /** The activation seed: a secret, kept by the owner only if it must re-derive (never logged). */
  readonly activationSeed: string;
  readonly activation: ActivationDevice;
  readonly connection: ConnectionDevice;
  readonly combined: CombinedPublicKeys;
}

/** Checks `adminKey` is the AdministratorSignature of `accountProfile`: a device would refuse anything else. */
export function checkAdminKey(adminKey: Signer, accountProfile: VerifiedProfileAccount): void {
  const expected = accountProfile.keys.administratorSignature;
  if (adminKey.key.alg !== expected.alg || !equalBytes(adminKey.key.publicKey, expected.publicKey)) {
    throw new InvalidArgumentError('"adminKey" is not the AdministratorSignature key of "accountProfile"', {
      context: { what: 'adminKey' },
    });
  }
}

/** The admin's half of §6.2 (a) 6: activation, connection and the catalog record. */
export function createCatalogedDevice(input: CreateCatalogedDeviceInput): CreatedCatalogedDevice {
  const { device, accountProfile, adminKey } = input;
  checkAdminKey(adminKey, accountProfile);
  if (!(input.now instanceof Date) || !Number.isFinite(input.now.getTime())) {
    throw new InvalidArgumentError('"now" expected a valid Date', { context: { what: 'now' } });
  }
  const activationSeed = newDerivedKeySeedUdf(KeySpecifier.MeshActivationAccount, input.random);
  const combined = combinedPublicKeys(device.keys, activationSeed);
  const activation: ActivationDevice = { ActivationKey: activationSeed, AccountUdf: device.udf };
  const connection: ConnectionDevice = {
    Subject: device.udf,
    Authentication: keyDataOf(combined.authentication),
    ProfileUdf: accountProfile.udf,
    Account: accountProfile.accountAddress,
    Roles: [...(input.roles ?? [])],
    Signature: keyDataOf(combined.signature),
    Encryption: keyDataOf(combined.encryption),
  };
  const enveloped = {
    activation: sealObject('ActivationDevice', activation, {
      signer: adminKey,
      recipients: [recipientOf(device.keys.encryption)],
      random: input.random,
    }),
    connection: sealObject('ConnectionDevice', connection, { signer: adminKey }),
  };
  const catalogedDevice: CatalogedDevice = {
    Updated: input.now,
    DeviceUdf: device.udf,
    EnvelopedProfileUser: accountProfile.json,
    EnvelopedProfileDevice: device.json,
    EnvelopedConnectionDevice: enveloped.connection.json,
    EnvelopedActivationDevice: enveloped.activation.json,
  };
  return { catalogedDevice, activationSeed, activation, connection, combined };
}

export interface OpenCatalogedDeviceInput {
  readonly catalogedDevice: CatalogedDevice;
  /** The device's base keys (from its seed). */
  readonly baseKeys: DeviceBaseKeyPairs;
  /** The device's own profile UDF. */
  readonly deviceUdf: string;
  /** The account the device asked to join, as it verified it. */
  readonly accountProfile: VerifiedProfileAccount;
  /** Hedging for the combined keys' signature nonces. */
  readonly random?: RandomSource;
}

export interface OpenedCatalogedDevice {
  readonly activationSeed: string;
  readonly activation: ActivationDevice;
  readonly connection: ConnectionDevice;
  readonly keys: CombinedKeyPairs;
  readonly combined: CombinedPublicKeys;
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) {
    throw new InvalidEncodingError(`"${field}" is absent; an accepted connection must carry it`, {
      context: { what: field },
    });
  }
  return value;
}

/**
 * The device's half of §6.2 (a) 7.
 * @throws ProfileMismatchError (record for another device), AccountMismatchError (another
 *   account's profile), UnsignedEnvelopeError / UnauthorizedSignerError (a part not signed
 *   by the AdministratorSignature), DecryptionError (activation not for this device's base
 *   key), ConnectionKeyMismatchError (keys that are not base + activation).
 */
export function openCatalogedDevice(input: OpenCatalogedDeviceInput): OpenedCatalogedDevice {
  const { catalogedDevice: cd, accountProfile, deviceUdf } = input;
  const at = 'CatalogedDevice';
  const admin = accountProfile.keys.administratorSignature;
  const role = 'AdministratorSignature key of the account';
  if (cd.DeviceUdf.toUpperCase() !== deviceUdf) {
    throw new ProfileMismatchError(`"${at}.DeviceUdf" is not this device's profile UDF`, {
      context: { what: `${at}.DeviceUdf` },
    });
  }
  const profile = verifyProfileDevice(cd.EnvelopedProfileDevice, `${at}.EnvelopedProfileDevice`);
  if (profile.udf !== deviceUdf) {
    throw new ProfileMismatchError(`"${at}.EnvelopedProfileDevice" is not this device's profile`, {
      context: { what: `${at}.EnvelopedProfileDevice` },
    });
  }
  if (cd.EnvelopedProfileUser !== undefined) {
    const user = verifyProfileAccount(cd.EnvelopedProfileUser, `${at}.EnvelopedProfileUser`);
    if (user.udf !== accountProfile.udf) {
      throw new AccountMismatchError(`"${at}.EnvelopedProfileUser" is not the account the device asked to join`, {
        context: { what: `${at}.EnvelopedProfileUser` },
      });
    }
  }
  const activationEnvelope = toEnvelope(
    required(cd.EnvelopedActivationDevice, `${at}.EnvelopedActivationDevice`),
    `${at}.EnvelopedActivationDevice`,
  );
  const activation = openSignedEncryptedObject(
    activationEnvelope,
    'ActivationDevice',
    admin,
    input.baseKeys.encryption,
    `${at}.EnvelopedActivationDevice`,
    role,
  );
  if (activation.AccountUdf.toUpperCase() !== deviceUdf) {
    throw new ProfileMismatchError(`"ActivationDevice.AccountUdf" is not this device's profile UDF`, {
      context: { what: 'ActivationDevice.AccountUdf' },
    });
  }
  const activationSeed = requireSeedOfKind(
    activation.ActivationKey,
    'MeshActivationAccount',
    'ActivationDevice.ActivationKey',
  );
  const connectionEnvelope = toEnvelope(
    required(cd.EnvelopedConnectionDevice, `${at}.EnvelopedConnectionDevice`),
    `${at}.EnvelopedConnectionDevice`,
  );
  const connection = openSignedObject(
    connectionEnvelope,
    'ConnectionDevice',
    admin,
    `${at}.EnvelopedConnectionDevice`,
    role,
  );
  const keys = combinedKeyPairs(input.baseKeys, activationSeed, input.random);
  const combined = {} as Record<Slot, PublicKey>;
  for (const slot of SLOTS) {
    const field = SLOT_FIELD[slot];
    const stated = keyOfRole(connection[field], slot === 'signature' ? 'sign' : 'encrypt', `ConnectionDevice.${field}`);
    const own = keys[slot];
    if (stated.alg !== own.alg || !equalBytes(stated.publicKey, own.publicKey)) {
      throw new ConnectionKeyMismatchError(
        `"ConnectionDevice.${field}" is not the key the device derives from its base key and the activation`,
        {
          context: { what: `ConnectionDevice.${field}` },
        },
      );
    }
    combined[slot] = stated;
  }
  return { activationSeed, activation, connection, keys, combined };
}
