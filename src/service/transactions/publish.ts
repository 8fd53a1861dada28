/**
 * @module service/transactions/publish
 * Publish (security-05 §3.10; docs/service-protocol.md): an owner, signed by the account's
 * AdministratorSignature key, does one or more of
 * - replace the account's ProfileAccount (same profile UDF and account address: a profile
 *   update, never a takeover by another profile);
 * - publish a CatalogedPublication (the static-QR claim record, docs/mesh-compatibility.md §6.2 (b) 1),
 *   keyed by its PublicationId; another account's publication of the same Id is a 409;
 * - revoke a device in its catalog (`RevokeDevice`), after which ConnectStatus for that
 *   device's connection answers Revoked. Other owners' connections of the device are separate
 *   entries and untouched (README.md "Homeowner");
 * - file a ClaimApproval (`EnvelopedClaimApproval`, "owner-approval") under the
 *   catalog entry of the device it names, for ConnectStatus to hand to that device. The
 *   service checks it is the account's (its AdministratorSignature, its Account) and for a
 *   connected device of its catalog; the device checks everything again itself.
 */
import {
  MAX_CLAIM_APPROVAL_MS,
  openClaimApproval,
  type VerifiedClaimApproval,
} from '../../mesh/connect/claim-approval.js';
import { CatalogedPublicationSchema } from '../../mesh/objects/cataloged-publication.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../mesh/profiles/profile-errors.js';
import { object, optional, type Infer } from '../../mesh/schema/index.js';
import { asBadRequest } from '../profile-checks.js';
import {
  Containers,
  accountKey,
  getRecord,
  putRecord,
  type AccountRecord,
  type ClaimApprovalEntry,
  type DeviceRecord,
  type PublicationRecord,
} from '../records.js';
import { verifiedProfileAccount } from '../request-schemas.js';
import type { AccountEntry } from '../accounts.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../service-errors.js';
import { isoTime, retryOnConflict } from '../store-helpers.js';
import type { JsonObject } from '../../mesh/encoding/json-value.js';
import type { Precondition, StoreChange } from '../store/store.js';
import type { Transaction } from '../transaction.js';
import { PublishRequestSchema } from '../../mesh/messages/publish.js';
import { udfString } from '../../mesh/messages/udf-string.js';

/** The wire PublishRequest, with a new profile verified while it is parsed. */
const VerifiedPublishRequestSchema = object('PublishRequest', {
  ...PublishRequestSchema.shape,
  EnvelopedProfileAccount: optional(verifiedProfileAccount()),
});
type VerifiedPublishRequest = Infer<typeof VerifiedPublishRequestSchema>;

export const publish: Transaction<VerifiedPublishRequest> = {
  name: 'Publish',
  request: 'PublishRequest',
  response: 'PublishResponse',
  schema: VerifiedPublishRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.Account },
  async handle(request, { env, now, owner }) {
    if (
      request.EnvelopedProfileAccount === undefined &&
      request.CatalogedPublication === undefined &&
      request.RevokeDevice === undefined &&
      request.EnvelopedClaimApproval === undefined
    ) {
      throw badRequest(
        '"PublishRequest" expected EnvelopedProfileAccount, CatalogedPublication, RevokeDevice or EnvelopedClaimApproval',
      );
    }
    // Concurrent Publish requests of one account race on its version: re-read and retry.
    await retryOnConflict(env.config.conflictRetries, async () => {
      const entry = await env.accounts.get(request.Account);
      if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.Account)}`);
      if (owner === undefined || entry.adminKid !== owner.kid) {
        throw unauthorized("the account's AdministratorSignature key changed while the request was processed");
      }
      await publishOnce(env, request, entry, now);
    });
    return {};
  },
};

async function publishOnce(
  env: ServiceEnvironment,
  request: VerifiedPublishRequest,
  entry: AccountEntry,
  now: number,
): Promise<void> {
  const time = isoTime(now);
  const changes: StoreChange[] = [];
  const preconditions: Precondition[] = [];

  const profile = request.EnvelopedProfileAccount;
  if (profile !== undefined) {
    if (profile.profileUdf !== entry.profileUdf) {
      throw badRequest(
        '"PublishRequest.EnvelopedProfileAccount" is another profile than the account\'s (its ProfileSignature differs)',
      );
    }
    if (profile.accountAddress.toLowerCase() !== request.Account) {
      throw badRequest(
        '"PublishRequest.EnvelopedProfileAccount.AccountAddress" is not the account "PublishRequest.Account" names',
      );
    }
    const record: AccountRecord = {
      ...entry.record,
      EnvelopedProfileAccount: profile.envelopeJson,
      AdministratorKid: profile.adminKid,
      Updated: time,
    };
    changes.push(putRecord(Containers.accounts, request.Account, record));
  }
  // The account must still be the one whose key signed this request.
  preconditions.push({ container: Containers.accounts, key: request.Account, expected: entry.version });

  if (request.RevokeDevice !== undefined) {
    const key = accountKey(request.Account, request.RevokeDevice);
    const device = await getRecord<DeviceRecord>(env.store, Containers.devices, key);
    if (device === undefined)
      throw notFound(`no device ${JSON.stringify(request.RevokeDevice)} in the catalog of ${request.Account}`);
    changes.push(
      putRecord<DeviceRecord>(Containers.devices, key, { ...device.value, Status: 'Revoked', Updated: time }),
    );
    preconditions.push({ container: Containers.devices, key, expected: device.version });
  }

  if (request.EnvelopedClaimApproval !== undefined) {
    const approved = await fileClaimApproval(env, request, entry, now);
    changes.push(approved.change);
    preconditions.push(approved.precondition);
  }

  const publication = request.CatalogedPublication;
  if (publication !== undefined) {
    const id = udfString().parse(publication.Id, 'PublishRequest.CatalogedPublication.Id');
    udfString().parse(publication.Authenticator, 'PublishRequest.CatalogedPublication.Authenticator');
    const existing = await getRecord<PublicationRecord>(env.store, Containers.publications, id);
    if (existing !== undefined && existing.value.Account !== request.Account) {
      // A deleted account's publication may be taken over; a live one may not.
      if ((await env.store.get(Containers.accounts, existing.value.Account)) !== undefined) {
        throw conflict(`the publication ${JSON.stringify(id)} belongs to another account`);
      }
    }
    const value: PublicationRecord = {
      Account: request.Account,
      CatalogedPublication: CatalogedPublicationSchema.toJson(
        publication,
        'PublishRequest.CatalogedPublication',
      ) as JsonObject,
      Updated: time,
    };
    changes.push(putRecord(Containers.publications, id, value));
    preconditions.push({ container: Containers.publications, key: id, expected: existing?.version ?? 'absent' });
  }

  await env.store.commit(changes, preconditions);
  if (profile !== undefined) env.accounts.forget(request.Account);
}

/** How many live ClaimApprovals one catalog entry keeps (the oldest go first). */
export const MAX_CLAIM_APPROVALS = 16;

const APPROVAL_PATH = 'PublishRequest.EnvelopedClaimApproval';

/**
 * The catalog entry of the approved device with the approval added: signed by the
 * account's AdministratorSignature (403), for a device of its catalog (404) that is still
 * connected (409), not expired and not valid longer than MAX_CLAIM_APPROVAL_MS (400). A
 * later approval of the same claimant replaces the earlier one; expired ones are dropped.
 */
async function fileClaimApproval(
  env: ServiceEnvironment,
  request: VerifiedPublishRequest,
  entry: AccountEntry,
  now: number,
): Promise<{ change: StoreChange; precondition: Precondition }> {
  let verified: VerifiedClaimApproval;
  try {
    verified = openClaimApproval(request.EnvelopedClaimApproval, { accountProfile: entry.verified });
  } catch (error) {
    if (error instanceof UnsignedEnvelopeError || error instanceof UnauthorizedSignerError) {
      throw forbidden(`"${APPROVAL_PATH}" is not signed by the account's AdministratorSignature key`, { cause: error });
    }
    return asBadRequest(APPROVAL_PATH, () => {
      throw error;
    });
  }
  const approval = verified.approval;
  const expires = approval.Expires.getTime();
  if (expires <= now) throw badRequest(`"${APPROVAL_PATH}" ClaimApproval.Expires is in the past`);
  if (expires - now > MAX_CLAIM_APPROVAL_MS + 300_000) {
    throw badRequest(`"${APPROVAL_PATH}" ClaimApproval.Expires is more than 30 days ahead`);
  }
  const udf = verified.deviceUdf.toUpperCase();
  if (request.RevokeDevice !== undefined && request.RevokeDevice === udf) {
    throw badRequest(`"${APPROVAL_PATH}" approves a claim of the device "PublishRequest.RevokeDevice" revokes`);
  }
  const key = accountKey(request.Account, udf);
  const device = await getRecord<DeviceRecord>(env.store, Containers.devices, key);
  if (device === undefined) throw notFound(`no device ${JSON.stringify(udf)} in the catalog of ${request.Account}`);
  if (device.value.Status !== 'Connected')
    throw conflict(`the device ${JSON.stringify(udf)} is ${device.value.Status} in the catalog of ${request.Account}`);
  const kept = (device.value.ClaimApprovals ?? []).filter((a) => Date.parse(a.Expires) > now);
  if (kept.some((a) => a.MessageId === verified.messageId)) throw conflict('this ClaimApproval is already filed');
  const filed: ClaimApprovalEntry = {
    MessageId: verified.messageId,
    Claimant: approval.Claimant.toLowerCase(),
    Expires: isoTime(expires),
    EnvelopedClaimApproval: verified.json,
  };
  const approvals = [...kept.filter((a) => a.Claimant !== filed.Claimant), filed].slice(-MAX_CLAIM_APPROVALS);
  return {
    change: putRecord<DeviceRecord>(Containers.devices, key, {
      ...device.value,
      ClaimApprovals: approvals,
      Updated: isoTime(now),
    }),
    precondition: { container: Containers.devices, key, expected: device.version },
  };
}
