/**
 * @module mesh/objects/claim-approval
 * `ClaimApproval : Message {Account, DeviceUdf, Claimant, Expires}`: an existing owner's
 * signed consent that `Claimant` may claim the device `DeviceUdf` (the claimed QR label,
 * where a later claim is never accepted silently, docs/decisions/0003-untrusted-service.md).
 * Not in the drafts: the reference has no message for it, so this
 * implementation defines it (docs/service-protocol.md "Claim approval"). `MessageId` is a
 * nonce; `Account` is the approving owner, whose AdministratorSignature key signs the
 * envelope. `Expires` is required: an approval that never lapses would let a claimant come
 * back at any time.
 */
import { dateTime, required, string, type Infer } from '../schema/index.js';
import { MessageSchema } from './message.js';

export const ClaimApprovalSchema = MessageSchema.extend('ClaimApproval', {
  Account: required(string({ minLength: 1 })),
  DeviceUdf: required(string({ minLength: 1 })),
  Claimant: required(string({ minLength: 1 })),
  Expires: required(dateTime()),
});
export type ClaimApproval = Infer<typeof ClaimApprovalSchema>;
