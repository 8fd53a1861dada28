/**
 * @module mesh/udf/content-digest
 * Content digest UDFs, SHA-2-512 (type 0x60) and SHA-3-512 (type 0x50), with the
 * reference's tail-zero "compression" typing (docs/mesh-compatibility.md §1.2, udf-13 §5.1).
 * Compression is only signalled in the type byte; no bytes are ever stripped.
 */
import { assertBytes, concat, utf8 } from '../../crypto/bytes.js';
import { InvalidArgumentError } from '../../crypto/errors.js';
import { sha3_512, sha512 } from '../../crypto/hash.js';
import { DEFAULT_UDF_BITS, MAX_UDF_BITS, UdfType, presentUdf } from './udf.js';

/** The two digests a content UDF can be built on. */
export type UdfDigestAlgorithm = 'SHA2-512' | 'SHA3-512';

/** Length of every digest the UDF drafts use (both are 512-bit). */
export const UDF_DIGEST_LENGTH = 64;

/** Smallest presentation a digest UDF accepts: the type byte alone. */
export const MIN_DIGEST_UDF_BITS = 8;

/** Content-type label strings the reference hashes (docs/mesh-compatibility.md §1.2: labels, not MIME). */
export const UdfContentType = {
  PkixKey: 'PKIXKey',
  UdfEncryption: 'UDFEncryption',
  EnvelopeId: 'application/mmm/envelopeid',
  ResponseId: 'application/mmm/responseid',
} as const;

export interface ContentDigestOptions {
  /** Presentation precision including the type byte; 8..440, default 140. */
  readonly bits?: number;
  /** Default SHA2-512, as in the reference. */
  readonly algorithm?: UdfDigestAlgorithm;
}

/** The digest function behind an algorithm name. */
export function udfDigest(algorithm: UdfDigestAlgorithm, data: Uint8Array, what = 'data'): Uint8Array {
  assertBytes(data, what);
  switch (algorithm) {
    case 'SHA2-512':
      return sha512(data);
    case 'SHA3-512':
      return sha3_512(data);
    default:
      throw new InvalidArgumentError(`"algorithm" expected SHA2-512 or SHA3-512, got ${String(algorithm)}`, {
        context: { what: 'algorithm', actual: String(algorithm) },
      });
  }
}

/** The uncompressed type byte of a digest algorithm. */
export function digestBaseType(algorithm: UdfDigestAlgorithm): number {
  return algorithm === 'SHA3-512' ? UdfType.DigestSha3 : UdfType.DigestSha2;
}

/**
 * Tail-zero compression level of a 64-byte TCDV, exactly as the reference's
 * UDF.GetCompression computes it (docs/mesh-compatibility.md §1.2): the udf-13 prose ("first 8
 * bytes") is wrong and the published compressed vector follows the code. Level 3 needs
 * 48 zero bits, and level 4 keeps the reference's inverted test (b57 == 0 and
 * (b56 & 3) != 0) so that type bytes stay byte-identical with reference-made UDFs;
 * only digests with >= 48 trailing zero bits are affected.
 */
export function udfCompression(tcdv: Uint8Array): 0 | 1 | 2 | 3 | 4 {
  if (!(tcdv instanceof Uint8Array) || tcdv.length !== UDF_DIGEST_LENGTH) {
    throw new InvalidArgumentError(
      `"tcdv" expected a ${UDF_DIGEST_LENGTH}-byte digest, got ${tcdv instanceof Uint8Array ? `length=${tcdv.length}` : typeof tcdv}`,
      { context: { what: 'tcdv', expected: UDF_DIGEST_LENGTH } },
    );
  }
  const b = (i: number): number => tcdv[i] as number;
  if (b(63) !== 0 || b(62) !== 0 || (b(61) & 0x0f) !== 0) return 0;
  if (b(61) !== 0 || (b(60) & 0x3f) !== 0) return 1;
  if (b(60) !== 0 || b(59) !== 0 || b(58) !== 0) return 2;
  if (b(57) !== 0 || (b(56) & 0x03) === 0) return 3;
  return 4;
}

/**
 * TCDV = H(UTF8(contentType) ‖ ':' ‖ digest) (udf-13 §5.1). `digest` is whatever the
 * caller already hashed; SymetricKeyId passes raw key bytes here (docs/mesh-compatibility.md §1.4).
 */
export function typedContentDigest(
  digest: Uint8Array,
  contentType: string,
  algorithm: UdfDigestAlgorithm = 'SHA2-512',
): Uint8Array {
  if (typeof contentType !== 'string') {
    throw new InvalidArgumentError(`"contentType" expected a string, got ${typeof contentType}`, {
      context: { what: 'contentType' },
    });
  }
  assertBytes(digest, 'digest');
  return udfDigest(algorithm, concat(utf8(contentType), Uint8Array.of(0x3a), digest));
}

/**
 * The reference's 512-bit binary UDF ("UDFBytes"): (base+c) ‖ TCDV[0..62], 64 bytes.
 * TypeBDSToBinary keeps 64 bytes in all, so the last TCDV byte is dropped
 * (docs/mesh-compatibility.md §2.3); the witness of §6.1 hashes exactly these bytes.
 */
export function udfBinaryOfDigest(
  digest: Uint8Array,
  contentType: string,
  algorithm: UdfDigestAlgorithm = 'SHA2-512',
): Uint8Array {
  const tcdv = typedContentDigest(digest, contentType, algorithm);
  return concat(
    Uint8Array.of(digestBaseType(algorithm) + udfCompression(tcdv)),
    tcdv.subarray(0, UDF_DIGEST_LENGTH - 1),
  );
}

/** UDFBytes of `data`: the digest is taken first (udf-13 §5.1 CDV = H(data)). */
export function contentDigestUdfBytes(
  data: Uint8Array,
  contentType: string,
  algorithm: UdfDigestAlgorithm = 'SHA2-512',
): Uint8Array {
  return udfBinaryOfDigest(udfDigest(algorithm, data), contentType, algorithm);
}

/** Checks a digest precision: 8..440 bits (udf-13 caps digests at 440). */
export function checkDigestBits(bits: number, what = 'bits'): number {
  if (!Number.isInteger(bits) || bits < MIN_DIGEST_UDF_BITS || bits > MAX_UDF_BITS) {
    throw new InvalidArgumentError(
      `"${what}" expected an integer from ${MIN_DIGEST_UDF_BITS} to ${MAX_UDF_BITS}, got ${bits}`,
      { context: { what, actual: bits } },
    );
  }
  return bits;
}

/** Presents a 64-byte UDFBytes value at `bits` precision. */
export function presentUdfBytes(binary: Uint8Array, bits: number = DEFAULT_UDF_BITS): string {
  checkDigestBits(bits);
  return presentUdf(binary[0] as number, binary.subarray(1), bits);
}

/** Content digest UDF of an already computed digest (the reference's ContentDigestOfDigestString). */
export function contentDigestUdfOfDigest(
  digest: Uint8Array,
  contentType: string,
  options: ContentDigestOptions = {},
): string {
  const bits = checkDigestBits(options.bits ?? DEFAULT_UDF_BITS);
  return presentUdfBytes(udfBinaryOfDigest(digest, contentType, options.algorithm ?? 'SHA2-512'), bits);
}

/** Content digest UDF of `data` (udf-13 §5.1; docs/mesh-compatibility.md §10 T1). */
export function contentDigestUdf(data: Uint8Array, contentType: string, options: ContentDigestOptions = {}): string {
  const algorithm = options.algorithm ?? 'SHA2-512';
  return contentDigestUdfOfDigest(udfDigest(algorithm, data), contentType, { ...options, algorithm });
}
