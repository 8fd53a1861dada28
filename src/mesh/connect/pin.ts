/**
 * @module mesh/connect/pin
 * PIN-authenticated connection values (docs/mesh-compatibility.md §6.1, §10 T8; protocol-09
 * MessagePin, RequestConnection): SaltedPin, PinId and PinWitness, and new PINs.
 */
import { assertBytes, concat, equalBytes, utf8 } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { hmacSha512 } from '../../crypto/hash.js';
import type { RandomSource } from '../../crypto/random.js';
import { DEFAULT_PIN_BITS, newAuthenticationKeyUdf } from '../udf/symmetric-key.js';
import { symmetricKeyMac } from '../udf/symmetric-mac.js';
import { UdfType, parseUdfOfType } from '../udf/udf.js';
import { checkAccountAddress } from './connect-uri.js';

/** MessagePin.Action values (MeshConstants.MessagePINAction*). */
export const PinAction = {
  Device: 'Device',
  Contact: 'Contact',
} as const;

/** Client nonce length: ClientNonce is "bin 16" in protocol-09 and GetBits(128) in the reference. */
export const CLIENT_NONCE_LENGTH = 16;
/** AuthenticatedData.Trailer.PayloadDigest is SHA-512 (docs/mesh-compatibility.md §4.2). */
export const PAYLOAD_DIGEST_LENGTH = 64;
/** PinWitness is a raw HMAC-SHA512 ("bin 64"). */
export const PIN_WITNESS_LENGTH = 64;

/** A fresh PIN: AuthenticationKey(bits), 120 bits = 26 characters by default (HEAD `account pin`). */
export function newPin(random: RandomSource, bits: number = DEFAULT_PIN_BITS): string {
  return newAuthenticationKeyUdf(random, bits);
}

/** SaltedPin = SymmetricKeyMac(UTF8(action), PIN): a 28-character 'A' UDF (MessagePin.SaltPIN). */
export function saltedPin(pin: string, action: string = PinAction.Device): string {
  if (typeof action !== 'string' || action.length === 0) {
    throw new InvalidArgumentError(`"action" expected a non-empty string such as "Device", got ${typeof action}`, {
      context: { what: 'action' },
    });
  }
  return symmetricKeyMac(utf8(action), pin, undefined, 'pin');
}

/**
 * PinId = SymmetricKeyMac(UTF8(lower(account)), SaltedPin), keyed by the 16-byte BDS of
 * the SaltedPin. This is the production value (protocol-09); schema-08 §6.3 prints one
 * keyed by the raw PIN, a documentation-generator bug (docs/mesh-compatibility.md §6.1, §11 item 4).
 */
export function pinId(saltedPinUdf: string, account: string): string {
  checkAccountAddress(account);
  return symmetricKeyMac(utf8(account.toLowerCase()), saltedPinUdf, undefined, 'saltedPin');
}

export interface PinWitnessInput {
  /** The SaltedPin (type 0x00), from MessagePin or computed by the device. */
  readonly saltedPin: string;
  /** The account the device asks to join; lower-cased before use. */
  readonly account: string;
  /** RequestConnection.ClientNonce, 16 bytes. */
  readonly clientNonce: Uint8Array;
  /** AuthenticatedData.Trailer.PayloadDigest (SHA-512 of the ProfileDevice payload), 64 bytes. */
  readonly payloadDigest: Uint8Array;
}

/**
 * PinWitness = HMAC-SHA512(BDS(SaltedPin), UTF8(lower(account)) ‖ ClientNonce ‖
 * PayloadDigest) (the reference's UDF.PinWitness). It binds the PIN to this device
 * profile and nonce, so a PIN seen in transit cannot vouch for another profile.
 */
export function pinWitness(input: PinWitnessInput): Uint8Array {
  const key = parseUdfOfType(input.saltedPin, [UdfType.HmacSha2], 'a SaltedPin (type 0x00)', 'saltedPin').bds;
  checkAccountAddress(input.account);
  assertBytes(input.clientNonce, 'clientNonce', CLIENT_NONCE_LENGTH);
  assertBytes(input.payloadDigest, 'payloadDigest', PAYLOAD_DIGEST_LENGTH);
  return hmacSha512(key, concat(utf8(input.account.toLowerCase()), input.clientNonce, input.payloadDigest));
}

/**
 * Constant-time check of a received PinWitness. A witness of the wrong length is simply
 * false: it comes from the peer, and its length is not secret.
 */
export function verifyPinWitness(witness: Uint8Array, input: PinWitnessInput): boolean {
  const expected = pinWitness(input);
  if (!(witness instanceof Uint8Array) || witness.length !== PIN_WITNESS_LENGTH) return false;
  return equalBytes(witness, expected);
}
