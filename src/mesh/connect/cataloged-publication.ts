/**
 * @module mesh/connect/cataloged-publication
 * The static-QR publication (docs/mesh-compatibility.md §5, §6.1 "Static-QR material", §6.2 (b) 1):
 * CatalogedPublication {Id = PublicationId, Authenticator = ServiceAuthenticator,
 * EnvelopedData = the tagged ProfileDevice envelope encrypted under the ConnectKey as a
 * symmetric recipient whose kid is the PublicationId (§4.3)}. Whoever scans the device's
 * QR code (mcu://maker/ConnectKey) can open it; the service, holding only the
 * Authenticator, cannot.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import type { RandomSource } from '../../crypto/random.js';
import { createEnvelope } from '../dare/create-envelope.js';
import { decryptEnvelope } from '../dare/decrypt-envelope.js';
import { decodeEnvelope, encodeEnvelope, envelopeToJson } from '../dare/envelope.js';
import type { CatalogedPublication } from '../objects/cataloged-publication.js';
import type { ProfileDevice } from '../objects/profile-device.js';
import { deriveKeyPair } from '../keys/derive-key.js';
import { MeshKeyNames } from '../keys/key-names.js';
import {
  createProfileDevice,
  verifyProfileDevice,
  type CreatedProfile,
  type DeviceBaseKeyPairs,
  type VerifiedProfileDevice,
} from '../profiles/profile-device.js';
import { keyFingerprint } from '../udf/key-fingerprint.js';
import { toEnvelope } from '../profiles/signed-object.js';
import { symmetricKeyData } from '../udf/symmetric-key.js';
import { connectUri as makeConnectUri, parseConnectUri } from './connect-uri.js';
import { PublicationMismatchError } from './connection-errors.js';
import { DEFAULT_CONNECT_KEY_BITS, connectKey, publicationId, serviceAuthenticator } from './static-qr.js';

export interface CreatePublicationInput {
  readonly deviceSeed: string;
  /** The publisher (maker) account whose service holds the publication. */
  readonly makerAccount: string;
  /** ConnectKey size; 120 by default (HEAD `device preconfig`). */
  readonly bits?: number;
  readonly random: RandomSource;
  /** The seed's profile, when the caller already made it. */
  readonly profile?: CreatedProfile<ProfileDevice>;
  /** The seed's base keys, when the caller already derived them: the profile check then costs nothing. */
  readonly keys?: DeviceBaseKeyPairs;
}

export interface CreatedPublication {
  readonly publication: CatalogedPublication;
  readonly connectUri: string;
  /** A secret: whoever holds it can open the publication and claim the device. */
  readonly connectKey: string;
  readonly publicationId: string;
  readonly profile: CreatedProfile<ProfileDevice>;
}

/** The maker's publication of a device (§6.2 (b) 1). */
export function createPublication(input: CreatePublicationInput): CreatedPublication {
  const key = connectKey(input.deviceSeed, input.makerAccount, input.bits ?? DEFAULT_CONNECT_KEY_BITS);
  const id = publicationId(key);
  const profile =
    input.profile ?? createProfileDevice(input.deviceSeed, input.keys === undefined ? {} : { keys: input.keys });
  if (input.profile !== undefined) {
    // The profile UDF is the fingerprint of its ProfileSignature key (docs/mesh-compatibility.md §5):
    // deriving that one key from the seed is enough to tell the profile belongs to it.
    const signing = input.keys?.profileSignature ?? deriveKeyPair(input.deviceSeed, MeshKeyNames.BaseDeviceProfile);
    if (input.profile.udf !== keyFingerprint(signing)) {
      throw new InvalidArgumentError('"profile" is not the ProfileDevice of "deviceSeed"', {
        context: { what: 'profile' },
      });
    }
  }
  const payload = encodeEnvelope(profile.envelope, 'json', { tagged: true });
  const envelope = createEnvelope(payload, {
    recipients: [{ kind: 'symmetric', kid: id, key: symmetricKeyData(key, 'connectKey') }],
    random: input.random,
  });
  const publication: CatalogedPublication = {
    Id: id,
    Authenticator: serviceAuthenticator(key),
    EnvelopedData: envelopeToJson(envelope),
  };
  return {
    publication,
    connectUri: makeConnectUri(input.makerAccount, key),
    connectKey: key,
    publicationId: id,
    profile,
  };
}

/**
 * Opens a publication with the ConnectKey of `connectUri` and verifies the ProfileDevice
 * inside (its self-signature: a reference publication carries no PayloadMac, so the
 * decrypted content is what is authenticated, decrypt-envelope option (b)).
 * @throws InvalidEncodingError for a URI that is not mcu://…/E…, PublicationMismatchError
 *   when the publication is not the one the URI names, DecryptionError, profile errors.
 */
export function openPublication(publication: CatalogedPublication, connectUri: string): VerifiedProfileDevice {
  const uri = parseConnectUri(connectUri);
  if (uri.kind !== 'ConnectKey') {
    throw new InvalidArgumentError('"connectUri" expected a static-QR ConnectKey (E…), got a PIN', {
      context: { what: 'connectUri' },
    });
  }
  const id = publicationId(uri.key);
  if (publication.Id.toUpperCase() !== id) {
    throw new PublicationMismatchError('"CatalogedPublication.Id" is not the PublicationId of the ConnectUri', {
      context: { what: 'CatalogedPublication.Id' },
    });
  }
  if (publication.Authenticator.toUpperCase() !== serviceAuthenticator(uri.key)) {
    throw new PublicationMismatchError(
      '"CatalogedPublication.Authenticator" is not the ServiceAuthenticator of the ConnectUri',
      {
        context: { what: 'CatalogedPublication.Authenticator' },
      },
    );
  }
  const envelope = toEnvelope(publication.EnvelopedData, 'CatalogedPublication.EnvelopedData');
  const { plaintext } = decryptEnvelope(
    envelope,
    { kind: 'symmetric', key: uri.keyBytes, kid: id },
    { allowUnauthenticated: true },
  );
  const inner = decodeEnvelope(plaintext, { path: 'CatalogedPublication.EnvelopedData.payload' });
  return verifyProfileDevice(inner, 'CatalogedPublication.EnvelopedData.ProfileDevice');
}
