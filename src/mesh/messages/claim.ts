/**
 * @module mesh/messages/claim
 * Claim (docs/mesh-compatibility.md §6.2 (b) 3): someone who scanned a device's QR label proves
 * knowledge of its ConnectKey to the maker's service and receives the CatalogedPublication,
 * whose EnvelopedData only the ConnectKey opens.
 */
import { envelope, object, required, type Infer } from '../schema/index.js';
import { jsonObject } from './response-fields.js';
import type { StatusFields } from './status-fields.js';

export const ClaimRequestSchema = object('ClaimRequest', {
  EnvelopedMessageClaim: required(envelope()),
});
export type ClaimRequest = Infer<typeof ClaimRequestSchema>;

/** The publication stays as sent: the claimant parses and verifies it (mesh/connect). */
export const ClaimResponseSchema = object('ClaimResponse', {
  CatalogedPublication: required(jsonObject()),
});
export type ClaimResponse = StatusFields & Infer<typeof ClaimResponseSchema>;
