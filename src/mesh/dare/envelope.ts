/**
 * @module mesh/dare/envelope
 * The DARE envelope model and its JSON / JSON-B forms (dare-12 §DARE Envelope,
 * docs/mesh-compatibility.md §4.1): `[header, payload, trailer?]`, optionally tagged
 * `{"DareEnvelope": […]}`. Tag names are the reference's (`DareSchema.Protocol`).
 *
 * Binary fields are base64url strings in JSON and `0x88` items in JSON-B; the parser takes
 * either, so one envelope reads the same from both encodings and the payload bytes (the
 * only signed data, §4.2) never change on re-encoding.
 *
 * Unknown header/trailer tags are ignored on input and not reproduced on output.
 * `PayloadMac` is this project's extension (see `./payload-keys.ts`): the reference's reader
 * rejects tags it does not know, so envelopes written with it are not readable by the
 * reference; `createEnvelope` can omit it for that case.
 */
import { InvalidEncodingError } from '../../crypto/errors.js';
import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { isJsonBObject, type JsonBObject, type JsonBValue } from '../encoding/jsonb.js';
import { parseJsonB, type JsonBReadOptions } from '../encoding/jsonb-reader.js';
import { encodeJsonB, encodeJsonTextBytes } from '../encoding/jsonb-writer.js';
import type { EnvelopeJson } from '../schema/envelope-json.js';

/** One entry of `signatures` (trailer) or presignature (header). */
export interface DareSignature {
  /** Digest algorithm hint (`dig`), rarely present per signature. */
  readonly dig?: string;
  /** The reference writes the digest id `"S512"` here, not the curve (docs/mesh-compatibility.md §4.2). */
  readonly alg?: string;
  /** Signer key UDF. A hint only: verification always checks the signature itself. */
  readonly kid?: string;
  readonly signature: Uint8Array;
  /** HKDF-SHA256(master, Salt, signature) on encrypted envelopes (docs/mesh-compatibility.md §4.2). */
  readonly witness?: Uint8Array;
}

/** The ephemeral public key of an ECDH recipient: `{"PublicKeyECDH":{"crv","Public"}}`. */
export interface DareEphemeralKey {
  readonly crv: string;
  readonly publicKey: Uint8Array;
}

export interface DareRecipient {
  /** Recipient key UDF (ECDH) or PublicationId (EARL symmetric key). */
  readonly kid?: string;
  readonly kwd?: string;
  readonly epk?: DareEphemeralKey;
  /** The RFC 3394-wrapped master key (40 bytes for a 32-byte master). */
  readonly wmk?: Uint8Array;
  readonly rkd?: string;
}

export interface DareTrailer {
  readonly signatures?: readonly DareSignature[];
  readonly signedData?: Uint8Array;
  /** SHA-512 of the payload as carried (ciphertext when encrypted). */
  readonly payloadDigest?: Uint8Array;
  readonly chainDigest?: Uint8Array;
  readonly treeDigest?: Uint8Array;
  /** This project's HMAC-SHA256 of the ciphertext under the HKDF "mac" key. */
  readonly payloadMac?: Uint8Array;
}

export interface DareHeader extends DareTrailer {
  readonly envelopeId?: string;
  /** `"A256CBC"` when encrypted. */
  readonly enc?: string;
  /** `"S512"` when signed. */
  readonly dig?: string;
  /** Master key identifier; opaque (docs/mesh-compatibility.md §14.4). */
  readonly kid?: string;
  readonly salt?: Uint8Array;
  readonly malt?: Uint8Array;
  readonly cloaked?: Uint8Array;
  readonly annotations?: readonly Uint8Array[];
  readonly recipients?: readonly DareRecipient[];
  readonly policy?: JsonBObject;
  /** JSON bytes of the ContentMeta object; not covered by any signature (§4.1). */
  readonly contentMetaData?: Uint8Array;
  readonly sequenceInfo?: JsonBObject;
  readonly sequenceIndex?: JsonBObject;
  readonly received?: string;
}

export interface DareEnvelope {
  readonly header: DareHeader;
  /** The payload as carried: plaintext, or ciphertext when `header.enc` is set. */
  readonly payload: Uint8Array;
  readonly trailer?: DareTrailer;
}

// ---------------------------------------------------------------------------------------
// Field readers: each names the full path of the field it rejects.

function fail(path: string, expected: string, found: unknown): InvalidEncodingError {
  const kind =
    found === null ? 'null' : Array.isArray(found) ? 'array' : found instanceof Uint8Array ? 'binary' : typeof found;
  return new InvalidEncodingError(`"${path}" expected ${expected}, got ${kind}`, { context: { path, expected } });
}

function optString(obj: JsonBObject, tag: string, path: string): string | undefined {
  const v = obj[tag];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(`${path}.${tag}`, 'a string', v);
  return v;
}

function binaryValue(v: JsonBValue, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return base64urlDecode(v, path);
  throw fail(path, 'binary (base64url string or JSON-B binary)', v);
}

function optBinary(obj: JsonBObject, tag: string, path: string): Uint8Array | undefined {
  const v = obj[tag];
  if (v === undefined || v === null) return undefined;
  return binaryValue(v, `${path}.${tag}`);
}

function optObject(obj: JsonBObject, tag: string, path: string): JsonBObject | undefined {
  const v = obj[tag];
  if (v === undefined || v === null) return undefined;
  if (!isJsonBObject(v)) throw fail(`${path}.${tag}`, 'an object', v);
  return v;
}

function optArray<T>(
  obj: JsonBObject,
  tag: string,
  path: string,
  item: (v: JsonBValue, p: string) => T,
): T[] | undefined {
  const v = obj[tag];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw fail(`${path}.${tag}`, 'an array', v);
  return v.map((x, i) => item(x, `${path}.${tag}[${i}]`));
}

function asObject(v: JsonBValue, path: string): JsonBObject {
  if (!isJsonBObject(v)) throw fail(path, 'an object', v);
  return v;
}

/** Copies only the defined properties, so parsed objects compare equal to built ones. */
function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function parseSignature(v: JsonBValue, path: string): DareSignature {
  const o = asObject(v, path);
  const signature = optBinary(o, 'signature', path);
  if (signature === undefined) throw fail(`${path}.signature`, 'the signature value', undefined);
  return defined({
    dig: optString(o, 'dig', path),
    alg: optString(o, 'alg', path),
    kid: optString(o, 'kid', path),
    signature,
    witness: optBinary(o, 'witness', path),
  });
}

function parseEpk(v: JsonBValue, path: string): DareEphemeralKey {
  const o = asObject(v, path);
  const inner = o['PublicKeyECDH'];
  if (inner === undefined) {
    const tags = Object.keys(o).join(', ') || 'nothing';
    throw new InvalidEncodingError(`"${path}" expected {"PublicKeyECDH":{…}}, got ${tags}`, {
      context: { path, expected: 'PublicKeyECDH' },
    });
  }
  const key = asObject(inner, `${path}.PublicKeyECDH`);
  const crv = optString(key, 'crv', `${path}.PublicKeyECDH`);
  const publicKey = optBinary(key, 'Public', `${path}.PublicKeyECDH`);
  if (crv === undefined) throw fail(`${path}.PublicKeyECDH.crv`, 'a curve name', undefined);
  if (publicKey === undefined) throw fail(`${path}.PublicKeyECDH.Public`, 'the public key', undefined);
  return { crv, publicKey };
}

function parseRecipient(v: JsonBValue, path: string): DareRecipient {
  const o = asObject(v, path);
  return defined({
    kid: optString(o, 'kid', path),
    kwd: optString(o, 'kwd', path),
    epk: o['epk'] === undefined || o['epk'] === null ? undefined : parseEpk(o['epk'], `${path}.epk`),
    wmk: optBinary(o, 'wmk', path),
    rkd: optString(o, 'rkd', path),
  });
}

function parseTrailerFields(o: JsonBObject, path: string): DareTrailer {
  return defined({
    signatures: optArray(o, 'signatures', path, parseSignature),
    signedData: optBinary(o, 'SignedData', path),
    payloadDigest: optBinary(o, 'PayloadDigest', path),
    chainDigest: optBinary(o, 'ChainDigest', path),
    treeDigest: optBinary(o, 'TreeDigest', path),
    payloadMac: optBinary(o, 'PayloadMac', path),
  });
}

function parseHeader(o: JsonBObject, path: string): DareHeader {
  return defined({
    envelopeId: optString(o, 'EnvelopeId', path),
    enc: optString(o, 'enc', path),
    dig: optString(o, 'dig', path),
    kid: optString(o, 'kid', path),
    salt: optBinary(o, 'Salt', path),
    malt: optBinary(o, 'Malt', path),
    cloaked: optBinary(o, 'cloaked', path),
    annotations: optArray(o, 'annotations', path, binaryValue),
    recipients: optArray(o, 'recipients', path, parseRecipient),
    policy: optObject(o, 'policy', path),
    contentMetaData: optBinary(o, 'ContentMetaData', path),
    sequenceInfo: optObject(o, 'SequenceInfo', path),
    sequenceIndex: optObject(o, 'SequenceIndex', path),
    received: optString(o, 'Received', path),
    ...parseTrailerFields(o, path),
  });
}

/**
 * Reads an envelope from its JSON or JSON-B value: `[header, payload, trailer?]` or the
 * tagged `{"DareEnvelope": […]}`. `path` names the field holding it in error messages
 * (e.g. `RequestConnection.AuthenticatedData`).
 * @throws InvalidEncodingError naming the offending field.
 */
export function parseEnvelope(value: unknown, path = 'envelope'): DareEnvelope {
  if (isJsonBObject(value) && Object.keys(value).length === 1 && 'DareEnvelope' in value) {
    return parseEnvelope(value['DareEnvelope'], `${path}.DareEnvelope`);
  }
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    throw new InvalidEncodingError(
      `"${path}" expected a DARE envelope [header, payload, trailer?], got ${Array.isArray(value) ? `an array of ${value.length}` : value === null ? 'null' : typeof value}`,
      { context: { path, expected: 'DARE envelope' } },
    );
  }
  const [header, payload, trailer] = value as JsonBValue[];
  const parsedHeader = parseHeader(asObject(header as JsonBValue, `${path}[0]`), `${path}[0]`);
  const parsedPayload = binaryValue(payload as JsonBValue, `${path}[1]`);
  // The reference omits a null trailer and may write `{}` for an empty one (§4.1).
  if (value.length === 3 && trailer !== null) {
    const parsedTrailer = parseTrailerFields(asObject(trailer as JsonBValue, `${path}[2]`), `${path}[2]`);
    return { header: parsedHeader, payload: parsedPayload, trailer: parsedTrailer };
  }
  return { header: parsedHeader, payload: parsedPayload };
}

/** Parses JSON or JSON-B bytes (or JSON text) holding an envelope, tagged or not. */
export function decodeEnvelope(
  input: Uint8Array | string,
  options: JsonBReadOptions & { readonly path?: string } = {},
): DareEnvelope {
  const path = options.path ?? 'envelope';
  return parseEnvelope(parseJsonB(input, { ...options, what: options.what ?? path }), path);
}

// ---------------------------------------------------------------------------------------
// Output, in the reference's field order.

type BinaryOut = (bytes: Uint8Array) => JsonBValue;

function pruned(o: Record<string, JsonBValue | undefined>): JsonBObject {
  const out: JsonBObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function opt<T>(v: T | undefined, f: (x: T) => JsonBValue): JsonBValue | undefined {
  return v === undefined ? undefined : f(v);
}

function signatureValue(s: DareSignature, bin: BinaryOut): JsonBObject {
  return pruned({ dig: s.dig, alg: s.alg, kid: s.kid, signature: bin(s.signature), witness: opt(s.witness, bin) });
}

function recipientValue(r: DareRecipient, bin: BinaryOut): JsonBObject {
  return pruned({
    kid: r.kid,
    kwd: r.kwd,
    epk: opt(r.epk, (e) => ({ PublicKeyECDH: { crv: e.crv, Public: bin(e.publicKey) } })),
    wmk: opt(r.wmk, bin),
    rkd: r.rkd,
  });
}

function trailerFields(t: DareTrailer, bin: BinaryOut): Record<string, JsonBValue | undefined> {
  return {
    signatures: opt(t.signatures, (list) => list.map((s) => signatureValue(s, bin))),
    SignedData: opt(t.signedData, bin),
    PayloadDigest: opt(t.payloadDigest, bin),
    ChainDigest: opt(t.chainDigest, bin),
    TreeDigest: opt(t.treeDigest, bin),
    PayloadMac: opt(t.payloadMac, bin),
  };
}

function headerValue(h: DareHeader, bin: BinaryOut): JsonBObject {
  const { signatures, ...trailerRest } = trailerFields(h, bin);
  return pruned({
    EnvelopeId: h.envelopeId,
    enc: h.enc,
    dig: h.dig,
    kid: h.kid,
    Salt: opt(h.salt, bin),
    Malt: opt(h.malt, bin),
    cloaked: opt(h.cloaked, bin),
    annotations: opt(h.annotations, (list) => list.map(bin)),
    signatures,
    recipients: opt(h.recipients, (list) => list.map((r) => recipientValue(r, bin))),
    policy: h.policy,
    ContentMetaData: opt(h.contentMetaData, bin),
    SequenceInfo: h.sequenceInfo,
    SequenceIndex: h.sequenceIndex,
    Received: h.received,
    ...trailerRest,
  });
}

function envelopeValue(envelope: DareEnvelope, bin: BinaryOut): JsonBValue[] {
  const out: JsonBValue[] = [headerValue(envelope.header, bin), bin(envelope.payload)];
  if (envelope.trailer !== undefined) out.push(pruned(trailerFields(envelope.trailer, bin)));
  return out;
}

/** The JSON form as a value (binary as base64url strings), for an `Enveloped<Type>` field. */
export function envelopeToJson(envelope: DareEnvelope): EnvelopeJson {
  return envelopeValue(envelope, base64urlEncode) as unknown as EnvelopeJson;
}

/** The JSON-B form as a value tree (binary as Uint8Array). */
export function envelopeToJsonB(envelope: DareEnvelope): JsonBValue[] {
  return envelopeValue(envelope, (b) => b);
}

export interface EncodeEnvelopeOptions {
  /** Wrap as `{"DareEnvelope": […]}` (default false). */
  readonly tagged?: boolean;
}

/** Serialises an envelope as JSON text bytes or JSON-B bytes. */
export function encodeEnvelope(
  envelope: DareEnvelope,
  encoding: 'json' | 'jsonb',
  options: EncodeEnvelopeOptions = {},
): Uint8Array {
  const body = encoding === 'json' ? (envelopeToJson(envelope) as unknown as JsonBValue) : envelopeToJsonB(envelope);
  const value: JsonBValue = options.tagged === true ? { DareEnvelope: body } : body;
  return encoding === 'json' ? encodeJsonTextBytes(value) : encodeJsonB(value);
}
