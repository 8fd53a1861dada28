/**
 * @module mesh/objects/message-pin
 * `MessagePin : Message {Account, Expires, Automatic?, SaltedPin, Action, Roles[]? (HEAD)}`:
 * the admin's record of an issued PIN, kept in its Local spool; `MessageId` is the PinId
 * (docs/mesh-compatibility.md §5, §6.1, §6.2 (a) 1). The seed (§2.10.5) names the structure
 * `MessagePIN` with `SaltedPIN`; the reference wire writes `MessagePin`/`SaltedPin`
 * (Examples/ProtocolMessagePIN.md), which the registry uses.
 *
 * `Expires` is required: auto-accept must refuse an expired PIN (§6.2 (a) 5), and a PIN
 * record with no expiry would silently never expire. `Automatic` may be absent (= false).
 * `Action` is fixed by MeshConstants `MessagePINActionDevice|Contact`.
 */
import { array, boolean, dateTime, enumeration, optional, required, string, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';

export const PIN_ACTIONS = ['Device', 'Contact'] as const;
export type PinAction = (typeof PIN_ACTIONS)[number];

export const MessagePinSchema = MessageSchema.extend('MessagePin', {
  Account: required(string({ minLength: 1 })),
  Expires: required(dateTime()),
  Automatic: optional(boolean()),
  SaltedPin: required(string({ minLength: 1 })),
  Action: required(enumeration(PIN_ACTIONS)),
  Roles: optional(array(string())),
});
export type MessagePin = Infer<typeof MessagePinSchema>;
