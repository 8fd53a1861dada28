/**
 * @module service/transactions/status
 * Status (security-05 §3.11): the last checkpoint of the store's hash-chained log, so an
 * auditor can follow the history: CheckpointIndex (entries so far), CheckpointValue (RFC 6962
 * Merkle root) and ChainValue (hash-chain head), base64url; LastCheckpointTime and
 * EnvelopedCheckpoint, the same head signed by the service's ServiceSignature key
 * (mesh/signed-checkpoint), which an owner can keep as proof of what the service said.
 */
import { equalBytes } from '../../crypto/bytes.js';
import { base64urlEncode } from '../../mesh/encoding/base64url.js';
import { signCheckpoint, type SignedCheckpoint } from '../../mesh/signed-checkpoint.js';
import type { ServiceEnvironment } from '../service-environment.js';
import type { Store } from '../store/store.js';
import type { Transaction } from '../transaction.js';
import { StatusRequestSchema } from '../../mesh/messages/status.js';

// One signature per log head and store: a Status that finds the head unchanged returns the
// checkpoint signed when it was first asked for, so LastCheckpointTime says when that was
// (docs/service-protocol.md "Signed checkpoints").
const signed = new WeakMap<Store, SignedCheckpoint>();

/** The signed checkpoint of the store's current head (made now if the head moved). */
export async function currentSignedCheckpoint(
  env: Pick<ServiceEnvironment, 'store' | 'identity' | 'clock'>,
): Promise<SignedCheckpoint> {
  const head = await env.store.checkpoint();
  const held = signed.get(env.store);
  if (held !== undefined && held.statement.index === head.index && equalBytes(held.statement.root, head.root)) {
    return held;
  }
  const made = signCheckpoint({ ...head, service: env.identity.udf, time: env.clock.now() }, env.identity.signer);
  if (held === undefined || held.statement.index <= head.index) signed.set(env.store, made);
  return made;
}

export const status: Transaction<unknown> = {
  name: 'Status',
  request: 'StatusRequest',
  response: 'StatusResponse',
  schema: StatusRequestSchema,
  authorization: { kind: 'none' },
  async handle(_request, { env }) {
    const { statement, json } = await currentSignedCheckpoint(env);
    return {
      fields: {
        LastCheckpointTime: statement.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        CheckpointIndex: statement.index,
        CheckpointValue: base64urlEncode(statement.root),
        ChainValue: base64urlEncode(statement.chain),
        EnvelopedCheckpoint: json,
        StoreKind: env.store.kind,
      },
    };
  },
};
