/**
 * @module mesh/udf/message-id
 * Identifiers derived from a message id: EnvelopeId and ResponseId (the reference's
 * MeshMessage.MakeID; docs/mesh-compatibility.md §6.1, §10 T7, schema-08 §6.2).
 */
import { UdfContentType, contentDigestUdf } from './content-digest.js';
import { DEFAULT_UDF_BITS, UdfType, parseUdf } from './udf.js';

/**
 * MakeID(id, ct) = UDF_H(ct, BDS(id)) at 140 bits. Reproduced quirks: the data hashed is
 * the BDS of the id *as presented* (so a truncated 28-character id), and H is SHA-3-512
 * exactly when the id's type byte is 0x50. Witness ids (AcknowledgeConnection
 * MessageId) are raw hashes whose first byte may happen to be 0x50, and the published
 * protocol-09 ConnectResponse does exactly that.
 */
export function makeId(messageId: string, contentType: string): string {
  const { type, bds } = parseUdf(messageId, 'messageId');
  return contentDigestUdf(bds, contentType, {
    bits: DEFAULT_UDF_BITS,
    algorithm: type === UdfType.DigestSha3 ? 'SHA3-512' : 'SHA2-512',
  });
}

/** The EnvelopeId of the envelope carrying message `messageId`. */
export function envelopeId(messageId: string): string {
  return makeId(messageId, UdfContentType.EnvelopeId);
}

/** The MessageId of the response to message `messageId`. */
export function responseId(messageId: string): string {
  return makeId(messageId, UdfContentType.ResponseId);
}
