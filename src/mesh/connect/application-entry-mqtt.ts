/**
 * @module mesh/connect/application-entry-mqtt
 * An owner's MQTT broker configuration for one device, made and opened the way
 * every other admin-to-device object is (docs/mesh-compatibility.md §4.2; design decision 4):
 *
 * - the owner signs it with the account's AdministratorSignature key and encrypts it to the
 *   device's COMBINED Encryption key for that account, read from the ConnectionDevice the
 *   owner itself signed when it accepted the device. Another owner's connection of the same
 *   device has other combined keys (§6.2 (d)), so owner B cannot read owner A's entry, and
 *   the service, which is not a recipient, cannot either;
 * - the device accepts it only when it is signed by THAT account's admin key, opens with its
 *   combined key for that account, and names that account and this device.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { KeyPair, PublicKey } from '../../crypto/key-pair.js';
import type { RandomSource } from '../../crypto/random.js';
import { publicKeyOf } from '../keys/key-data.js';
import type { ApplicationEntryMqtt } from '../objects/application-entry-mqtt.js';
import type { CatalogedDevice } from '../objects/cataloged-device.js';
import type { VerifiedProfileAccount } from '../profiles/profile-account.js';
import { ProfileMismatchError } from '../profiles/profile-errors.js';
import {
  openSignedEncryptedObject,
  openSignedObject,
  recipientOf,
  sealObject,
  toEnvelope,
  type EnvelopeInput,
  type SealedEnvelope,
} from '../profiles/signed-object.js';
import { checkAdminKey } from './cataloged-device.js';
import { AccountMismatchError } from './connection-errors.js';
import { sameAccount } from './request-connection.js';
import type { Signer } from '../dare/signature.js';

const ROLE = 'AdministratorSignature key of the account';

/**
 * The device's combined Encryption key for the account, from the owner's CatalogedDevice:
 * its EnvelopedConnectionDevice must be signed by the account's admin key (it is the owner's
 * own record, but a devices.json edited by someone else must not redirect the entry).
 */
export function deviceEncryptionKey(
  catalogedDevice: CatalogedDevice,
  accountProfile: VerifiedProfileAccount,
): PublicKey {
  const at = 'CatalogedDevice.EnvelopedConnectionDevice';
  if (catalogedDevice.EnvelopedConnectionDevice === undefined) {
    throw new InvalidArgumentError(`"${at}" expected the ConnectionDevice of an accepted device, got absent`, {
      context: { what: at },
    });
  }
  const connection = openSignedObject(
    toEnvelope(catalogedDevice.EnvelopedConnectionDevice, at),
    'ConnectionDevice',
    accountProfile.keys.administratorSignature,
    at,
    ROLE,
  );
  if (
    connection.Subject !== undefined &&
    connection.Subject.toUpperCase() !== catalogedDevice.DeviceUdf.toUpperCase()
  ) {
    throw new ProfileMismatchError(`"${at}.Subject" is not the device "CatalogedDevice.DeviceUdf" names`, {
      context: { what: `${at}.Subject` },
    });
  }
  return publicKeyOf(connection.Encryption, `${at}.Encryption`);
}

export interface CreateApplicationEntryMqttInput {
  readonly accountProfile: VerifiedProfileAccount;
  readonly adminKey: Signer;
  /** The owner's record of the accepted device (its own catalog). */
  readonly catalogedDevice: CatalogedDevice;
  /** The broker; undefined = remove the configuration (a signed removal). */
  readonly mqtt?: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
    readonly topicPrefix?: string;
  };
  readonly now: Date;
  readonly random: RandomSource;
}

/** The owner's half: the entry, signed and encrypted to the device's combined key for this account. */
export function createApplicationEntryMqtt(
  input: CreateApplicationEntryMqttInput,
): SealedEnvelope & { readonly entry: ApplicationEntryMqtt } {
  checkAdminKey(input.adminKey, input.accountProfile);
  const key = deviceEncryptionKey(input.catalogedDevice, input.accountProfile);
  const m = input.mqtt;
  const entry: ApplicationEntryMqtt = {
    Account: input.accountProfile.accountAddress,
    DeviceUdf: input.catalogedDevice.DeviceUdf.toUpperCase(),
    Created: input.now,
    ...(m === undefined
      ? {}
      : {
          Url: m.url,
          ...(m.username === undefined ? {} : { Username: m.username }),
          ...(m.password === undefined ? {} : { Password: m.password }),
          ...(m.topicPrefix === undefined ? {} : { TopicPrefix: m.topicPrefix }),
        }),
  };
  const sealed = sealObject('ApplicationEntryMqtt', entry, {
    signer: input.adminKey,
    recipients: [recipientOf(key)],
    random: input.random,
  });
  return { ...sealed, entry };
}

export interface OpenApplicationEntryMqttOptions {
  /** The profile of the account the device is connected to (the one whose admin answered it). */
  readonly accountProfile: VerifiedProfileAccount;
  /** The device's combined Encryption key pair for that account. */
  readonly decryptionKey: KeyPair;
  readonly deviceUdf: string;
}

/**
 * The device's half: verified and opened, or an error naming what failed.
 * @throws UnsignedEnvelopeError / UnauthorizedSignerError (not that account's admin),
 *   DecryptionError (not for this connection), AccountMismatchError, ProfileMismatchError.
 */
export function openApplicationEntryMqtt(
  input: EnvelopeInput,
  options: OpenApplicationEntryMqttOptions,
): ApplicationEntryMqtt {
  const what = 'EnvelopedApplicationEntry';
  const entry = openSignedEncryptedObject(
    toEnvelope(input, what),
    'ApplicationEntryMqtt',
    options.accountProfile.keys.administratorSignature,
    options.decryptionKey,
    what,
    ROLE,
  );
  if (!sameAccount(entry.Account, options.accountProfile.accountAddress)) {
    throw new AccountMismatchError(`"${what}.Account" is not the account the entry was fetched for`, {
      context: { what: `${what}.Account` },
    });
  }
  if (entry.DeviceUdf.toUpperCase() !== options.deviceUdf.toUpperCase()) {
    throw new ProfileMismatchError(`"${what}.DeviceUdf" is another device`, { context: { what: `${what}.DeviceUdf` } });
  }
  return entry;
}
