/**
 * @module service/transactions/status
 * Status (security-05 §3.11): the last checkpoint of the store's hash-chained log
 *, so an auditor can follow the history: CheckpointIndex (entries so far),
 * CheckpointValue (RFC 6962 Merkle root) and ChainValue (hash-chain head), base64url.
 */
import { base64urlEncode } from '../../mesh/encoding/base64url.js';
import type { Transaction } from '../transaction.js';
import { StatusRequestSchema } from '../../mesh/messages/status.js';

export const status: Transaction<unknown> = {
  name: 'Status',
  request: 'StatusRequest',
  response: 'StatusResponse',
  schema: StatusRequestSchema,
  authorization: { kind: 'none' },
  async handle(_request, { env }) {
    const checkpoint = await env.store.checkpoint();
    return {
      fields: {
        CheckpointIndex: checkpoint.index,
        CheckpointValue: base64urlEncode(checkpoint.root),
        ChainValue: base64urlEncode(checkpoint.chain),
        StoreKind: env.store.kind,
      },
    };
  },
};
