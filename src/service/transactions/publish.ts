/**
 * @module service/transactions/publish
 * Publish (security-05 §3.10; docs/service-protocol.md): an owner, signed by the account's
 * AdministratorSignature key, does one or more of
 * - replace the account's ProfileAccount (same profile UDF and account address: a profile
 *   update, never a takeover by another profile);
 * - publish a CatalogedPublication (the static-QR claim record, mesh-reference §6.2 (b) 1),
 *   keyed by its PublicationId; another account's publication of the same Id is a 409;
 * - revoke a device in its catalog (`RevokeDevice`), after which ConnectStatus for that
 *   device's connection answers Revoked. Other owners' connections of the device are separate
 *   entries and untouched (design.md "Who uses it").
 */
import { CatalogedPublicationSchema } from '../../mesh/objects/cataloged-publication.js';
import { object, optional, required, type Infer } from '../../mesh/schema/index.js';
import { Containers, accountKey, getRecord, putRecord, type AccountRecord, type DeviceRecord, type PublicationRecord } from '../records.js';
import { accountAddress, udfString, verifiedProfileAccount } from '../request-schemas.js';
import type { AccountEntry } from '../accounts.js';
import type { ServiceEnvironment } from '../service-environment.js';
import { badRequest, conflict, notFound, unauthorized } from '../service-errors.js';
import { isoTime, retryOnConflict } from '../store-helpers.js';
import type { JsonObject, Precondition, StoreChange } from '../store/store.js';
import type { Transaction } from '../transaction.js';

export const PublishRequestSchema = object('PublishRequest', {
  Account: required(accountAddress()),
  EnvelopedProfileAccount: optional(verifiedProfileAccount()),
  CatalogedPublication: optional(CatalogedPublicationSchema),
  RevokeDevice: optional(udfString()),
});
export type PublishRequest = Infer<typeof PublishRequestSchema>;

export const publish: Transaction<PublishRequest> = {
  name: 'Publish',
  request: 'PublishRequest',
  response: 'PublishResponse',
  schema: PublishRequestSchema,
  authorization: { kind: 'owner', account: (request) => request.Account },
  async handle(request, { env, now, owner }) {
    if (request.EnvelopedProfileAccount === undefined && request.CatalogedPublication === undefined && request.RevokeDevice === undefined) {
      throw badRequest('"PublishRequest" expected EnvelopedProfileAccount, CatalogedPublication or RevokeDevice');
    }
    // Concurrent Publish requests of one account race on its version: re-read and retry.
    await retryOnConflict(env.config.conflictRetries, async () => {
      const entry = await env.accounts.get(request.Account);
      if (entry === undefined) throw notFound(`no account ${JSON.stringify(request.Account)}`);
      if (owner === undefined || entry.adminKid !== owner.kid) {
        throw unauthorized('the account\'s AdministratorSignature key changed while the request was processed');
      }
      await publishOnce(env, request, entry, now);
    });
    return {};
  },
};

async function publishOnce(env: ServiceEnvironment, request: PublishRequest, entry: AccountEntry, now: number): Promise<void> {
  const time = isoTime(now);
  const changes: StoreChange[] = [];
  const preconditions: Precondition[] = [];

  const profile = request.EnvelopedProfileAccount;
  if (profile !== undefined) {
    if (profile.profileUdf !== entry.profileUdf) {
      throw badRequest('"PublishRequest.EnvelopedProfileAccount" is another profile than the account\'s (its ProfileSignature differs)');
    }
    if (profile.accountAddress.toLowerCase() !== request.Account) {
      throw badRequest('"PublishRequest.EnvelopedProfileAccount.AccountAddress" is not the account "PublishRequest.Account" names');
    }
    const record: AccountRecord = {
      ...entry.record,
      EnvelopedProfileAccount: profile.envelopeJson as unknown as AccountRecord['EnvelopedProfileAccount'],
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
    if (device === undefined) throw notFound(`no device ${JSON.stringify(request.RevokeDevice)} in the catalog of ${request.Account}`);
    changes.push(putRecord<DeviceRecord>(Containers.devices, key, { ...device.value, Status: 'Revoked', Updated: time }));
    preconditions.push({ container: Containers.devices, key, expected: device.version });
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
      CatalogedPublication: CatalogedPublicationSchema.toJson(publication, 'PublishRequest.CatalogedPublication') as JsonObject,
      Updated: time,
    };
    changes.push(putRecord(Containers.publications, id, value));
    preconditions.push({ container: Containers.publications, key: id, expected: existing?.version ?? 'absent' });
  }

  await env.store.commit(changes, preconditions);
  if (profile !== undefined) env.accounts.forget(request.Account);
}
