/**
 * @module mesh/messages/status
 * Status (security-05 §3.11): the last checkpoint of the service's hash-chained log, so an
 * auditor can follow its history.
 */
import { integer, object, optional, string, type Infer } from '../schema/index.js';
import type { StatusFields } from './status-fields.js';

export const StatusRequestSchema = object('StatusRequest', {});
export type StatusRequest = Infer<typeof StatusRequestSchema>;

export const StatusResponseSchema = object('StatusResponse', {
  LastWriteTime: optional(string()),
  CheckpointIndex: optional(integer()),
  CheckpointValue: optional(string()),
  ChainValue: optional(string()),
});
export type StatusResponse = StatusFields & Infer<typeof StatusResponseSchema>;
