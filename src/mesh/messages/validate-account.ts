/**
 * @module mesh/messages/validate-account
 * ValidateAccount (security-05 §3.6; architecture-03 §8 example): is a proposed account name
 * acceptable, and by which rules (Minimum, Maximum, InvalidCharacters) so a client can
 * explain them.
 */
import { array, boolean, integer, object, optional, required, string, type Infer } from '../schema/index.js';
import type { StatusFields } from './status-fields.js';

export const ValidateRequestSchema = object('ValidateRequest', {
  Account: required(string({ minLength: 1, maxLength: 320 })),
  Reserve: optional(boolean()),
  Language: optional(array(string({ minLength: 1, maxLength: 35 }), { maxLength: 16 })),
});
export type ValidateRequest = Infer<typeof ValidateRequestSchema>;

export const ValidateResponseSchema = object('ValidateResponse', {
  Valid: required(boolean()),
  Minimum: optional(integer()),
  Maximum: optional(integer()),
  InvalidCharacters: optional(string()),
  Reason: optional(string()),
});
export type ValidateResponse = StatusFields & Infer<typeof ValidateResponseSchema>;
