/**
 * @module mesh/udf/udf
 * UDF binary form, presentation and parsing (draft-hallambaker-mesh-udf §3,
 * docs/mesh-compatibility.md §1.1). A UDF is typeByte ‖ BDS; its presentation is the first
 * (bits+4)/5 Base32 characters, with a dash after every four.
 */
import { InvalidArgumentError, InvalidEncodingError } from '../../crypto/errors.js';
import { concat } from '../../crypto/bytes.js';
import { base32Decode, base32Encode } from '../encoding/base32.js';

/** Type bytes (the reference's UDFConstants). */
export const UdfType = {
  HmacSha2: 0x00,
  HmacSha3: 0x01,
  EncryptionKey: 0x20,
  EncryptionSignature: 0x21,
  DigestSha3: 0x50,
  DigestSha2: 0x60,
  Nonce: 0x68,
  Oid: 0x70,
  ShamirShare: 0x90,
  DerivedKeySeed: 0xc8,
} as const;

/** Default precision, unchanged in the reference since 2019 (docs/mesh-compatibility.md §1.1). */
export const DEFAULT_UDF_BITS = 140;
/** Largest precision the drafts allow for digests. */
export const MAX_UDF_BITS = 440;

/** Dashes every four characters. */
export function dashed(chars: string): string {
  return chars.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * Presents `typeByte ‖ bds` at `bits` precision (bits counts the type byte too).
 * Precision is capped at the bits available, as TypeBDSToBinary does.
 */
export function presentUdf(typeByte: number, bds: Uint8Array, bits = DEFAULT_UDF_BITS): string {
  if (!Number.isInteger(bits) || bits < 8) {
    throw new InvalidArgumentError(`"bits" expected an integer >= 8, got ${bits}`, {
      context: { what: 'bits', actual: bits },
    });
  }
  const binary = concat(Uint8Array.of(typeByte), bds);
  const usable = Math.min(bits, binary.length * 8);
  return dashed(base32Encode(binary, usable));
}

/** Presents a complete binary UDF (type byte included) at full length. */
export function presentBinary(binary: Uint8Array): string {
  return dashed(base32Encode(binary));
}

export interface ParsedUdf {
  readonly type: number;
  /** Everything after the type byte; a trailing partial byte is dropped. */
  readonly bds: Uint8Array;
  /** The parsed bytes, type byte first. */
  readonly binary: Uint8Array;
}

/**
 * Parses a UDF string: case-insensitive, dashes and white space ignored, trailing partial
 * byte dropped (the reference's FromBase32). Other characters are an error naming the
 * position, so a mistyped fingerprint is reported rather than silently shortened.
 */
export function parseUdf(text: string, what = 'udf'): ParsedUdf {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidEncodingError(
      `"${what}" expected a UDF string, got ${text === '' ? 'an empty string' : typeof text}`,
      {
        context: { what },
      },
    );
  }
  const binary = base32Decode(text, what);
  if (binary.length < 2) {
    throw new InvalidEncodingError(`"${what}" is too short to be a UDF (${binary.length} bytes)`, {
      context: { what, length: binary.length },
    });
  }
  return { type: binary[0] as number, bds: binary.subarray(1), binary };
}

/** Parses a UDF and checks its type byte, naming the expected kind in the error. */
export function parseUdfOfType(text: string, types: readonly number[], kind: string, what = 'udf'): ParsedUdf {
  const parsed = parseUdf(text, what);
  if (!types.includes(parsed.type)) {
    throw new InvalidEncodingError(
      `"${what}" expected ${kind} (type ${types.map((t) => '0x' + t.toString(16)).join('|')}), got type 0x${parsed.type.toString(16)}`,
      { context: { what, expected: kind, type: parsed.type } },
    );
  }
  return parsed;
}
