/**
 * @module service/connections
 * The connection-request records shared by ConnectStart, ConnectStatus, ConnectPending and
 * ConnectComplete. A request is filed under EnvelopeId(ResponseId(witness)): the device asks
 * ConnectStatus with ResponseId(AcknowledgeConnection.MessageId), and the owner's
 * RespondConnection carries EnvelopeId(its MessageId) = EnvelopeId(that ResponseId) in its
 * header, so the service matches the answer to the request without reading the (encrypted)
 * answer (docs/mesh-compatibility.md §6.2 (a) 7; mesh/connect/respond-connection).
 */
import { envelopeId, responseId } from '../mesh/udf/message-id.js';
import { accountKey, type ConnectionRecord } from './records.js';

export function requestKeyForResponse(account: string, responseIdUdf: string): string {
  return accountKey(account, envelopeId(responseIdUdf));
}

export function requestKeyForWitness(account: string, witness: string): string {
  return requestKeyForResponse(account, responseId(witness));
}

export function isExpired(record: ConnectionRecord, now: number): boolean {
  return record.State === 'Pending' && record.Expires !== undefined && Date.parse(record.Expires) <= now;
}
