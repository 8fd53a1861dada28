/**
 * @module mesh/objects/respond-connection
 * `RespondConnection : Message {Result, CatalogedDevice?}`: the admin's answer, with
 * `MessageId = ResponseId(Ack.MessageId)` (docs/mesh-compatibility.md §5, §6.2 (a) 6). `Result` is one
 * of the MeshConstants TransactionResult labels. The seed (§2.10.8) rule is enforced:
 * CatalogedDevice MUST be present if Result is "Accept" and absent (or null) otherwise, so
 * a device never activates from a rejection or a half-built answer.
 */
import { enumeration, fail, fieldPath, kindOf, optional, required, type Infer } from '../schema/index.js';
import { CatalogedDeviceSchema } from './cataloged-device.js';
import { MessageSchema } from './message.js';

export const CONNECTION_RESULTS = ['Accept', 'Reject', 'Pending', 'Expired'] as const;
export type ConnectionResult = (typeof CONNECTION_RESULTS)[number];

export const RespondConnectionSchema = MessageSchema.extend(
  'RespondConnection',
  {
    Result: required(enumeration(CONNECTION_RESULTS)),
    CatalogedDevice: optional(CatalogedDeviceSchema),
  },
  {
    refine(value, path) {
      const at = fieldPath(path, 'CatalogedDevice');
      if (value.Result === 'Accept' && value.CatalogedDevice === undefined) {
        fail(at, 'a CatalogedDevice object when Result is "Accept"', 'absent');
      }
      if (value.Result !== 'Accept' && value.CatalogedDevice !== undefined) {
        fail(at, `no CatalogedDevice when Result is ${JSON.stringify(value.Result)}`, kindOf(value.CatalogedDevice));
      }
    },
  },
);
export type RespondConnection = Infer<typeof RespondConnectionSchema>;
