/**
 * @module mesh/messages/status
 * Status (security-05 §3.11): the last checkpoint of the service's hash-chained log, so an
 * auditor can follow its history.
 */
import { envelope, integer, object, optional, string, type Infer } from '../schema/index.js';
import { rfc3339Text } from './response-fields.js';
import type { StatusFields } from './status-fields.js';

export const StatusRequestSchema = object('StatusRequest', {});
export type StatusRequest = Infer<typeof StatusRequestSchema>;

export const StatusResponseSchema = object('StatusResponse', {
  LastWriteTime: optional(string()),
  // mesh-security-05 §3.11.2; docs/service-protocol.md "Signed checkpoints".
  LastCheckpointTime: optional(rfc3339Text()),
  NextCheckpointTime: optional(rfc3339Text()),
  CheckpointIndex: optional(integer()),
  CheckpointValue: optional(string()),
  ChainValue: optional(string()),
  EnvelopedCheckpoint: optional(envelope()),
});
export type StatusResponse = StatusFields & Infer<typeof StatusResponseSchema>;
