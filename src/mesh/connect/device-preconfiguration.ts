/**
 * @module mesh/connect/device-preconfiguration
 * The factory's DevicePreconfiguration (`.medk`, docs/mesh-compatibility.md §5, §6.2 (b) 1-2):
 * {EnvelopedProfileDevice, PrivateKey {PrivateKeyUDF {PrivateValue: seed, KeyType:
 * "MeshProfileDevice"}}, ConnectUri}, and its public-only form (no PrivateKey) for the
 * maker's records and the label printer. At install the device checks the file holds
 * together before trusting any of it: the seed regenerates the enveloped ProfileDevice
 * byte-for-byte in its keys and UDF, the profile is validly self-signed, and the ConnectUri
 * is the one the seed gives for its maker account. It then needs only the PublicationId and
 * the two authenticators (§6.2 (b) 2), which verification returns.
 */
import { equalBytes } from '../../crypto/bytes.js';
import { MeshError } from '../../crypto/errors.js';
import { DevicePreconfigurationSchema, type DevicePreconfiguration } from '../objects/device-preconfiguration.js';
import { decodeTaggedValue } from '../objects/registry.js';
import { createProfileDevice, verifyProfileDevice, type VerifiedProfileDevice } from '../profiles/profile-device.js';
import { requireSeedOfKind } from '../profiles/seed-type.js';
import { isPlainObject } from '../schema/index.js';
import { parseConnectUri } from './connect-uri.js';
import { PreconfigurationMismatchError } from './connection-errors.js';
import {
  DEFAULT_CONNECT_KEY_BITS,
  connectKey,
  deviceAuthenticator,
  publicationId,
  serviceAuthenticator,
  staticConnectUri,
} from './static-qr.js';

/** The file without its secret (HEAD's DevicePreconfigurationPublic shape). */
export type DevicePreconfigurationPublic = Omit<DevicePreconfiguration, 'PrivateKey'>;

export interface CreateDevicePreconfigurationInput {
  readonly deviceSeed: string;
  readonly makerAccount: string;
  /** ConnectKey size, 120 by default. */
  readonly bits?: number;
  readonly description?: string;
}

export interface CreatedDevicePreconfiguration {
  /** The private form, for the device only. */
  readonly preconfiguration: DevicePreconfiguration;
  /** The same without PrivateKey. */
  readonly publicForm: DevicePreconfigurationPublic;
  readonly connectUri: string;
  readonly deviceUdf: string;
}

/** The factory's record of one device (§6.2 (b) 1). */
export function createDevicePreconfiguration(input: CreateDevicePreconfigurationInput): CreatedDevicePreconfiguration {
  const seed = requireSeedOfKind(input.deviceSeed, 'MeshProfileDevice', 'deviceSeed');
  const profile = createProfileDevice(seed, input.description === undefined ? {} : { description: input.description });
  const connectUri = staticConnectUri(seed, input.makerAccount, input.bits ?? DEFAULT_CONNECT_KEY_BITS);
  const publicForm: DevicePreconfigurationPublic = { EnvelopedProfileDevice: profile.json, ConnectUri: connectUri };
  const preconfiguration: DevicePreconfiguration = {
    EnvelopedProfileDevice: profile.json,
    PrivateKey: { PrivateKeyUDF: { PrivateValue: seed, KeyType: 'MeshProfileDevice' } },
    ConnectUri: connectUri,
  };
  return { preconfiguration, publicForm, connectUri, deviceUdf: profile.udf };
}

export interface VerifiedDevicePreconfiguration {
  readonly preconfiguration: DevicePreconfiguration;
  /** A secret: goes to the keystore. */
  readonly deviceSeed: string;
  readonly profile: VerifiedProfileDevice;
  readonly connectUri: string;
  readonly makerAccount: string;
  readonly publicationId: string;
  readonly serviceAuthenticator: string;
  readonly deviceAuthenticator: string;
}

function mismatch(field: string, message: string, cause?: unknown): PreconfigurationMismatchError {
  return new PreconfigurationMismatchError(`"DevicePreconfiguration.${field}" ${message}`, {
    context: { what: `DevicePreconfiguration.${field}` },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The parsed object: a DevicePreconfiguration value, its JSON, or the tagged JSON form. */
function parsePreconfiguration(input: DevicePreconfiguration | unknown): DevicePreconfiguration {
  if (isPlainObject(input) && Object.keys(input).length === 1) {
    const [tag] = Object.keys(input);
    if (tag === 'DevicePreconfiguration' || tag === 'DevicePreconfigurationPrivate') {
      return decodeTaggedValue(input, ['DevicePreconfiguration', 'DevicePreconfigurationPrivate']).value;
    }
  }
  // The schema's parse reads the JSON form; toJson first lets a value built in memory (with
  // Uint8Array fields, none here today) be checked exactly as a file read from disk.
  return DevicePreconfigurationSchema.parse(JSON.parse(JSON.stringify(input)), 'DevicePreconfiguration');
}

/**
 * Checks a DevicePreconfiguration at install (§6.2 (b) 2).
 * @throws SchemaError for a malformed file; PreconfigurationMismatchError naming the field
 *   for a seed that is not a MeshProfileDevice seed or does not regenerate the profile
 *   (`PrivateKey`), a profile that is not validly self-signed (`EnvelopedProfileDevice`),
 *   or a ConnectUri the seed does not give (`ConnectUri`).
 */
export function verifyDevicePreconfiguration(input: DevicePreconfiguration | unknown): VerifiedDevicePreconfiguration {
  const preconfiguration = parsePreconfiguration(input);
  const privateKey = preconfiguration.PrivateKey;
  if (!('PrivateKeyUDF' in privateKey) || privateKey.PrivateKeyUDF === undefined) {
    throw mismatch('PrivateKey', 'expected a PrivateKeyUDF holding the device seed');
  }
  const { PrivateValue, KeyType } = privateKey.PrivateKeyUDF;
  if (KeyType !== 'MeshProfileDevice')
    throw mismatch('PrivateKey.PrivateKeyUDF.KeyType', `expected MeshProfileDevice, got ${KeyType}`);
  let seed: string;
  try {
    seed = requireSeedOfKind(PrivateValue, 'MeshProfileDevice', 'PrivateKey.PrivateKeyUDF.PrivateValue');
  } catch (cause) {
    throw mismatch('PrivateKey.PrivateKeyUDF.PrivateValue', 'is not a MeshProfileDevice seed', cause);
  }
  let profile: VerifiedProfileDevice;
  try {
    profile = verifyProfileDevice(
      preconfiguration.EnvelopedProfileDevice,
      'DevicePreconfiguration.EnvelopedProfileDevice',
    );
  } catch (cause) {
    if (!(cause instanceof MeshError)) throw cause;
    throw mismatch('EnvelopedProfileDevice', `is not a valid self-signed ProfileDevice: ${cause.message}`, cause);
  }
  const regenerated = createProfileDevice(
    seed,
    profile.profile.Description === undefined ? {} : { description: profile.profile.Description },
  );
  const keysEqual = (['ProfileSignature', 'Encryption', 'Signature', 'Authentication'] as const).every((field) =>
    equalBytes(
      regenerated.profile[field].PublicParameters.PublicKeyECDH?.Public ?? new Uint8Array(0),
      profile.profile[field].PublicParameters.PublicKeyECDH?.Public ?? new Uint8Array(1),
    ),
  );
  if (regenerated.udf !== profile.udf || !keysEqual) {
    throw mismatch('PrivateKey', 'does not regenerate the enveloped ProfileDevice (wrong seed for this profile)');
  }
  let uri: ReturnType<typeof parseConnectUri>;
  try {
    uri = parseConnectUri(preconfiguration.ConnectUri);
  } catch (cause) {
    throw mismatch('ConnectUri', 'is not an mcu:// URI', cause);
  }
  if (uri.kind !== 'ConnectKey') throw mismatch('ConnectUri', 'expected a ConnectKey (E…), got a PIN');
  let expectedKey: string;
  try {
    expectedKey = connectKey(seed, uri.account, uri.keyBytes.length * 8);
  } catch (cause) {
    throw mismatch('ConnectUri', 'has a key size the seed cannot give', cause);
  }
  if (expectedKey !== uri.key)
    throw mismatch('ConnectUri', 'is not the ConnectUri the seed gives for its maker account');
  return {
    preconfiguration,
    deviceSeed: seed,
    profile,
    connectUri: preconfiguration.ConnectUri,
    makerAccount: uri.account,
    publicationId: publicationId(uri.key),
    serviceAuthenticator: serviceAuthenticator(uri.key),
    deviceAuthenticator: deviceAuthenticator(uri.key),
  };
}
