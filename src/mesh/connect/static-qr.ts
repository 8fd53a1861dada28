/**
 * @module mesh/connect/static-qr
 * Static-QR (preconfigured device) material: ConnectKey and ConnectUri from the device
 * seed, the PublicationId the encrypted profile is published under, and the claim
 * authenticators (docs/mesh-compatibility.md §6.1 "Static-QR material", §6.2 (b), §10 T11/T12; the
 * reference's MeshUri.GetConnectPin, CatalogedPublication, MessageClaim).
 */
import { utf8 } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { hkdf } from '../../crypto/hash.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { parseDerivedKeySeed } from '../udf/derived-key-seed.js';
import { encryptionKeyUdf, symmetricKeyData } from '../udf/symmetric-key.js';
import { symmetricKeyId } from '../udf/symmetric-key-id.js';
import { symmetricKeyMac, symmetricKeyVerifyMac } from '../udf/symmetric-mac.js';
import { checkAccountAddress, connectUri } from './connect-uri.js';

/** HEAD `device preconfig` default: 24 characters = 120 bits (the 2021 code used 256). */
export const DEFAULT_CONNECT_KEY_BITS = 120;
/** HKDF info of the service authenticator (MeshConstants.ServiceAuthenticatorInfo). */
export const SERVICE_AUTHENTICATOR_INFO = 'mmm/key/authenticate/service';
/** HKDF info of the device authenticator (MeshConstants.DeviceAuthenticatorInfo). */
export const DEVICE_AUTHENTICATOR_INFO = 'mmm/key/authenticate/device';
/** Authenticator key size: KeyDeriveHKDF's default 256 bits. */
export const AUTHENTICATOR_KEY_BYTES = 32;
/** The service checks ServiceAuthenticate at 125 bits (CatalogedPublication.VerifyService). */
export const SERVICE_VERIFY_BITS = 125;
/** The device checks both claim values at 100 bits (MessageClaim.Verify). */
export const DEVICE_VERIFY_BITS = 100;
/** ConnectKey must keep at least 64 bits so the 8-byte minimum of parseConnectUri holds. */
const MIN_CONNECT_KEY_BITS = 64;

/**
 * ConnectKey = EncryptionKey(HKDF-SHA512(salt = "", IKM = UTF8(seed UDF string, dashes
 * included), info = UTF8(publisherAccount), L = bits/8)). The reference hashes its own
 * canonical seed string, so the seed is canonicalised (upper case, dashed) first; it
 * must be a derived-key seed (type 0xC8).
 */
export function connectKey(
  deviceSeed: string,
  publisherAccount: string,
  bits: number = DEFAULT_CONNECT_KEY_BITS,
): string {
  parseDerivedKeySeed(deviceSeed, 'deviceSeed');
  checkAccountAddress(publisherAccount, 'publisherAccount');
  if (!Number.isInteger(bits) || bits % 8 !== 0 || bits < MIN_CONNECT_KEY_BITS || bits > 512) {
    throw new InvalidArgumentError(`"bits" expected a multiple of 8 from ${MIN_CONNECT_KEY_BITS} to 512, got ${bits}`, {
      context: { what: 'bits', actual: bits },
    });
  }
  const ikm = utf8(canonicalUdfString(deviceSeed, 'deviceSeed'));
  return encryptionKeyUdf(hkdf('sha512', ikm, undefined, utf8(publisherAccount), bits / 8));
}

/** mcu://<publisher>/<ConnectKey>: what the QR code on the device carries. */
export function staticConnectUri(
  deviceSeed: string,
  publisherAccount: string,
  bits: number = DEFAULT_CONNECT_KEY_BITS,
): string {
  return connectUri(publisherAccount, connectKey(deviceSeed, publisherAccount, bits));
}

/** ConnectKey bytes; the whole static-QR chain runs on the BDS of the key string. */
function connectKeyBytes(key: string): Uint8Array {
  return symmetricKeyData(key, 'connectKey', 8);
}

/** PublicationId = SymetricKeyId(BDS(ConnectKey)): "EBQ…", the CatalogedPublication Id. */
export function publicationId(key: string): string {
  return symmetricKeyId(connectKeyBytes(key));
}

function authenticator(key: string, info: string): string {
  return encryptionKeyUdf(hkdf('sha512', connectKeyBytes(key), undefined, utf8(info), AUTHENTICATOR_KEY_BYTES));
}

/**
 * ServiceAuthenticator = EncryptionKey(HKDF-SHA512(BDS(ConnectKey), salt none,
 * "mmm/key/authenticate/service", 32)): stored with the publication so the service can
 * check claims without knowing ConnectKey.
 */
export function serviceAuthenticator(key: string): string {
  return authenticator(key, SERVICE_AUTHENTICATOR_INFO);
}

/** DeviceAuthenticator: as ServiceAuthenticator with info "mmm/key/authenticate/device"; kept by the device. */
export function deviceAuthenticator(key: string): string {
  return authenticator(key, DEVICE_AUTHENTICATOR_INFO);
}

function claimant(account: string): Uint8Array {
  // The reference MACs the claimant exactly as written (no lower-casing, unlike PinId).
  return utf8(checkAccountAddress(account, 'claimant'));
}

/** ServiceAuthenticate = SymmetricKeyMac(UTF8(claimant), ServiceAuthenticator), for MessageClaim. */
export function serviceAuthenticate(claimantAccount: string, key: string): string {
  return symmetricKeyMac(claimant(claimantAccount), serviceAuthenticator(key));
}

/** DeviceAuthenticate = SymmetricKeyMac(UTF8(claimant), DeviceAuthenticator), for MessageClaim. */
export function deviceAuthenticate(claimantAccount: string, key: string): string {
  return symmetricKeyMac(claimant(claimantAccount), deviceAuthenticator(key));
}

/** Service side: ServiceAuthenticate checked against the stored Authenticator, 125 bits by default. */
export function verifyServiceAuthenticate(
  value: string,
  claimantAccount: string,
  serviceAuthenticatorUdf: string,
  minBits: number = SERVICE_VERIFY_BITS,
): boolean {
  return symmetricKeyVerifyMac(value, claimant(claimantAccount), serviceAuthenticatorUdf, minBits);
}

/** Device side: DeviceAuthenticate checked against the device's DeviceAuthenticator, 100 bits by default. */
export function verifyDeviceAuthenticate(
  value: string,
  claimantAccount: string,
  deviceAuthenticatorUdf: string,
  minBits: number = DEVICE_VERIFY_BITS,
): boolean {
  return symmetricKeyVerifyMac(value, claimant(claimantAccount), deviceAuthenticatorUdf, minBits);
}

export interface ClaimValues {
  /** MessageClaim.Sender. */
  readonly claimant: string;
  readonly serviceAuthenticate: string;
  readonly deviceAuthenticate: string;
}

export interface DeviceAuthenticators {
  readonly serviceAuthenticator: string;
  readonly deviceAuthenticator: string;
}

/**
 * The authenticator half of what the device does with a polled claim (MessageClaim.Verify; message-claim.ts adds the signature and expiry): both values must
 * verify for the claimant, at 100 bits by default. Both are always computed, so the
 * time taken does not say which one failed.
 */
export function claimAuthenticatorsValid(
  claim: ClaimValues,
  authenticators: DeviceAuthenticators,
  minBits: number = DEVICE_VERIFY_BITS,
): boolean {
  const device = verifyDeviceAuthenticate(
    claim.deviceAuthenticate,
    claim.claimant,
    authenticators.deviceAuthenticator,
    minBits,
  );
  const service = verifyServiceAuthenticate(
    claim.serviceAuthenticate,
    claim.claimant,
    authenticators.serviceAuthenticator,
    minBits,
  );
  return device && service;
}
