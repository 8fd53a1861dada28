/**
 * @module mesh/objects/reference
 * `Reference {MessageId, ResponseId?, Relationship?}`: one message a MessageComplete closes
 * (docs/mesh-compatibility.md §5). The seed (§2.7.15) spells `MessageID`/`ResponseID`; the reference
 * example (Examples/ProtocolMessageCompletion.md) writes `MessageId`/`ResponseId`. Note the
 * *Complete transaction* keeps `ResponseID` (§6.2 (c)); that is a different structure.
 * `Relationship` stays a free string: the seed lists Read|Unread|Accept|Reject but the
 * reference writes `Closed` and `Open` too (MeshMessage.cs `MessageStatus`).
 */
import { object, optional, required, string, type Infer } from '../schema/index.js';

export const ReferenceSchema = object('Reference', {
  MessageId: required(string({ minLength: 1 })),
  ResponseId: optional(string()),
  Relationship: optional(string()),
});
export type Reference = Infer<typeof ReferenceSchema>;
