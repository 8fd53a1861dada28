/**
 * @module mesh/signed-checkpoint
 * The service's signed checkpoint (mesh-security-05 §3.11: "the last signed checkpoint";
 * docs/service-protocol.md "Signed checkpoints"): the head of its log (entry count, RFC 6962
 * Merkle root, hash-chain head), when it was signed and by which service, as one canonical
 * UTF-8 JSON payload in a DARE envelope signed by the service's ServiceSignature key. An
 * owner who keeps the envelope can later show what the service said its log was.
 *
 * The payload is exactly
 * `{"Checkpoint":{"Service":"<UDF>","Index":<n>,"Root":"<b64url>","Chain":"<b64url>","Time":"<yyyy-mm-ddThh:mm:ssZ>"}}`
 * with no whitespace, fields in that order; a reader refuses any other byte form.
 */
import { fromUtf8, utf8 } from '../crypto/bytes.js';
import { VerificationError } from '../crypto/errors.js';
import type { PublicKey } from '../crypto/key-pair.js';
import { createEnvelope } from './dare/create-envelope.js';
import { envelopeToJson, type DareEnvelope } from './dare/envelope.js';
import type { Signer } from './dare/signature.js';
import { base64urlDecode, base64urlEncode } from './encoding/base64url.js';
import { plaintextOf, requireSigner, toEnvelope, type EnvelopeInput } from './profiles/signed-object.js';
import type { EnvelopeJson } from './schema/envelope-json.js';

export interface CheckpointHead {
  /** Log entries covered (entries 1..index). */
  readonly index: number;
  /** RFC 6962 Merkle tree head over the entries, SHA-512 (64 bytes). */
  readonly root: Uint8Array;
  /** Hash-chain head (64 bytes). */
  readonly chain: Uint8Array;
}

export interface CheckpointStatement extends CheckpointHead {
  /** ProfileService UDF of the service that signed it. */
  readonly service: string;
  /** When it was signed, to the second. */
  readonly time: Date;
}

/** The payload is not the canonical checkpoint form, or names another service. */
export class CheckpointFormError extends VerificationError {}

function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The canonical payload bytes of `statement`. */
export function encodeCheckpoint(statement: CheckpointStatement): Uint8Array {
  return utf8(
    `{"Checkpoint":{"Service":${JSON.stringify(statement.service)},"Index":${statement.index},` +
      `"Root":"${base64urlEncode(statement.root)}","Chain":"${base64urlEncode(statement.chain)}",` +
      `"Time":"${isoSeconds(statement.time)}"}}`,
  );
}

export interface SignedCheckpoint {
  readonly statement: CheckpointStatement;
  readonly envelope: DareEnvelope;
  readonly json: EnvelopeJson;
}

/** Signs `statement` (time truncated to the second) with the service's ServiceSignature key. */
export function signCheckpoint(statement: CheckpointStatement, signer: Signer): SignedCheckpoint {
  const time = new Date(Math.floor(statement.time.getTime() / 1000) * 1000);
  const fixed = { ...statement, time };
  const envelope = createEnvelope(encodeCheckpoint(fixed), { signers: [signer] });
  return { statement: fixed, envelope, json: envelopeToJson(envelope) };
}

/**
 * Verifies a signed checkpoint: signed by `serviceKey` (the ServiceSignature key of the
 * ProfileService the owner trusts), payload in the canonical form, naming `serviceUdf`.
 * @throws UnsignedEnvelopeError / UnauthorizedSignerError (signature, including a payload
 *   altered after signing), CheckpointFormError (payload form or service).
 */
export function verifyCheckpoint(
  input: EnvelopeInput,
  serviceKey: PublicKey,
  serviceUdf: string,
  what = 'EnvelopedCheckpoint',
): SignedCheckpoint {
  const envelope = toEnvelope(input, what);
  requireSigner(envelope, serviceKey, what, 'service ServiceSignature key');
  const payload = plaintextOf(envelope, what);
  const bad = (detail: string): CheckpointFormError =>
    new CheckpointFormError(`"${what}" ${detail}`, { context: { what } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(payload, what));
  } catch (cause) {
    throw new CheckpointFormError(`"${what}" payload is not UTF-8 JSON`, { context: { what }, cause });
  }
  const body = (parsed as { Checkpoint?: unknown } | null)?.Checkpoint as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) throw bad('payload is not a {"Checkpoint": …} object');
  const { Service, Index, Root, Chain, Time } = body;
  if (typeof Service !== 'string' || typeof Root !== 'string' || typeof Chain !== 'string' || typeof Time !== 'string')
    throw bad('payload lacks Service, Root, Chain or Time');
  if (!Number.isSafeInteger(Index) || (Index as number) < 0) throw bad('"Index" is not a non-negative integer');
  const time = new Date(Time);
  if (Number.isNaN(time.getTime())) throw bad('"Time" is not a date-time');
  const statement: CheckpointStatement = {
    service: Service,
    index: Index as number,
    root: base64urlDecode(Root, `${what}.Root`),
    chain: base64urlDecode(Chain, `${what}.Chain`),
    time,
  };
  if (fromUtf8(encodeCheckpoint(statement)) !== fromUtf8(payload, what)) {
    throw bad('payload is not in the canonical form');
  }
  if (statement.root.length !== 64 || statement.chain.length !== 64) throw bad('"Root" or "Chain" is not 64 bytes');
  if (Service !== serviceUdf) throw bad(`is signed for service ${Service}, expected ${serviceUdf}`);
  return { statement, envelope, json: envelopeToJson(envelope) };
}
