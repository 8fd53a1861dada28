/**
 * @module mesh/messages/hello
 * Hello (security-05 §3.5): the protocol version and encodings, and the service's own
 * ProfileService, whose key signs every AcknowledgeConnection.
 */
import { envelope, object, optional, type Infer } from '../schema/index.js';
import { jsonObject } from './response-fields.js';
import type { StatusFields } from './status-fields.js';

export const HelloRequestSchema = object('HelloRequest', {});
export type HelloRequest = Infer<typeof HelloRequestSchema>;

export const HelloResponseSchema = object('HelloResponse', {
  Version: optional(jsonObject()),
  EnvelopedProfileService: optional(envelope()),
});
export type HelloResponse = StatusFields & Infer<typeof HelloResponseSchema>;
