/**
 * @module mesh/connect/witness
 * The connection witness the service computes for a Connect request and both the device
 * and the administrator display (docs/mesh-compatibility.md §6.1, §10 T9; the reference's
 * MeshPersist.Connect and UDF.MakeWitness). The reference's device and admin do not
 * recompute it; this implementation does, on both ends (docs/mesh-compatibility.md §13).
 */
import { assertBytes, concat, equalBytes, utf8 } from '../../crypto/bytes.js';
import { sha512 } from '../../crypto/hash.js';
import type { PublicKey } from '../../crypto/key-pair.js';
import { base32Encode } from '../encoding/base32.js';
import { canonicalUdfString } from '../udf/canonical.js';
import { keyFingerprintBytes } from '../udf/key-fingerprint.js';
import { checkPublicKey } from '../udf/spki-der.js';
import { DEFAULT_UDF_BITS, dashed } from '../udf/udf.js';

/** ServerNonce and ClientNonce are both "bin 16" (GetBits(128) in the reference). */
export const WITNESS_NONCE_LENGTH = 16;

export interface ConnectionWitnessInput {
  /** ProfileAccount.ProfileSignature public key. */
  readonly accountProfileSignature: PublicKey;
  /** ProfileDevice.ProfileSignature public key (of the requesting device). */
  readonly deviceProfileSignature: PublicKey;
  /** AcknowledgeConnection.ServerNonce, 16 bytes. */
  readonly serverNonce: Uint8Array;
  /** RequestConnection.ClientNonce, 16 bytes. */
  readonly clientNonce: Uint8Array;
}

/**
 * W = SHA512(SHA512(UDFBytes512(account) ‖ ServerNonce) ‖ SHA512(UDFBytes512(device) ‖
 * ClientNonce)), with UDFBytes512 the 64-byte binary key fingerprint (type byte included).
 */
export function connectionWitnessBytes(input: ConnectionWitnessInput): Uint8Array {
  assertBytes(input.serverNonce, 'serverNonce', WITNESS_NONCE_LENGTH);
  assertBytes(input.clientNonce, 'clientNonce', WITNESS_NONCE_LENGTH);
  // Checked here so that an error names which of the two keys is wrong.
  checkPublicKey(input.accountProfileSignature, 'accountProfileSignature');
  checkPublicKey(input.deviceProfileSignature, 'deviceProfileSignature');
  const account = keyFingerprintBytes(input.accountProfileSignature);
  const device = keyFingerprintBytes(input.deviceProfileSignature);
  return sha512(concat(sha512(concat(account, input.serverNonce)), sha512(concat(device, input.clientNonce))));
}

/**
 * The witness string: the first 140 bits of W in Base32, dashed (28 characters). There
 * is no type byte: the reference presents the raw hash (UDF.MakeWitnessString).
 */
export function connectionWitness(input: ConnectionWitnessInput): string {
  return dashed(base32Encode(connectionWitnessBytes(input), DEFAULT_UDF_BITS));
}

/**
 * Constant-time check of a displayed or received witness against the recomputed one.
 * Case, dashes and spacing are ignored; any other difference, including a shorter
 * string, is a mismatch.
 */
export function verifyConnectionWitness(witness: string, input: ConnectionWitnessInput): boolean {
  const expected = utf8(connectionWitness(input));
  let given: Uint8Array;
  try {
    given = utf8(canonicalUdfString(witness, 'witness'));
  } catch {
    return false;
  }
  return equalBytes(given, expected);
}
