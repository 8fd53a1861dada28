/**
 * @module mesh/objects/message-pin-validated
 * `MessagePinValidated : Message {AuthenticatedData, ClientNonce (16), PinId?, PinWitness (64)?}`
 * (docs/mesh-compatibility.md §5). `AuthenticatedData` is the enveloped data the PIN vouches for and
 * `ClientNonce` feeds both the PinWitness and the connection Witness (§6.1), so both are
 * required and the nonce/witness lengths are those formulas' inputs. The seed (§2.10.4)
 * calls the PIN fingerprint `PinUDF`; the wire writes `PinId`.
 *
 * `PinId` and `PinWitness` are present together or not at all: a witness without the PIN
 * it was keyed with (or the reverse) cannot be verified, and accepting half would let a
 * request look PIN-authenticated when it is not (§6.2 (a) 5 auto-accept).
 */
import { binary, envelope, fail, fieldPath, optional, required, string, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';

export const MessagePinValidatedSchema = MessageSchema.extend(
  'MessagePinValidated',
  {
    AuthenticatedData: required(envelope()),
    ClientNonce: required(binary({ length: 16 })),
    PinId: optional(string({ minLength: 1 })),
    PinWitness: optional(binary({ length: 64 })),
  },
  {
    refine(value, path) {
      if (value.PinId !== undefined && value.PinWitness === undefined) {
        fail(fieldPath(path, 'PinWitness'), 'a PinWitness alongside PinId', 'absent');
      }
      if (value.PinWitness !== undefined && value.PinId === undefined) {
        fail(fieldPath(path, 'PinId'), 'a PinId alongside PinWitness', 'absent');
      }
    },
  },
);
export type MessagePinValidated = Infer<typeof MessagePinValidatedSchema>;
