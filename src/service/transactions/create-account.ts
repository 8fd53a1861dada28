/**
 * @module service/transactions/create-account
 * CreateAccount (security-05 §3.7): binds an account name to the owner's ProfileAccount.
 * The request is signed by the profile's own AdministratorSignature key (proof of possession,
 * docs/service-protocol.md "Owner authentication"), so nobody can register a profile whose
 * keys they do not hold. The account must satisfy the naming rules ValidateAccount
 * publishes, and match the profile's AccountAddress; an existing account is a 409.
 */
import { canonicalUdfString } from '../../mesh/udf/canonical.js';
import { object, required, type Infer } from '../../mesh/schema/index.js';
import { Containers, putRecord, type AccountRecord } from '../records.js';
import { verifiedProfileAccount } from '../request-schemas.js';
import { badRequest, conflict } from '../service-errors.js';
import { isoTime } from '../store-helpers.js';
import { StoreConflictError } from '../store/store-errors.js';
import type { Transaction } from '../transaction.js';
import { accountNameProblem } from './validate-account.js';
import { CreateRequestSchema } from '../../mesh/messages/create-account.js';

/** The wire CreateRequest, with its profile verified while it is parsed. */
const VerifiedCreateRequestSchema = object('CreateRequest', {
  ...CreateRequestSchema.shape,
  EnvelopedProfileAccount: required(verifiedProfileAccount()),
});
type VerifiedCreateRequest = Infer<typeof VerifiedCreateRequestSchema>;

export const createAccount: Transaction<VerifiedCreateRequest> = {
  name: 'CreateAccount',
  request: 'CreateRequest',
  response: 'CreateResponse',
  schema: VerifiedCreateRequestSchema,
  frontDoor: { limit: 'CreateAccount', account: (request) => request.Account },
  authorization: {
    kind: 'new-owner',
    account: (request) => request.Account,
    key: (request) => ({ ...request.EnvelopedProfileAccount.adminKey, kid: request.EnvelopedProfileAccount.adminKid }),
  },
  async handle(request, { env, now }) {
    const profile = request.EnvelopedProfileAccount;
    if (profile.accountAddress.toLowerCase() !== request.Account) {
      throw badRequest(
        '"CreateRequest.EnvelopedProfileAccount.AccountAddress" is not the account "CreateRequest.Account" names',
      );
    }
    const problem = accountNameProblem(request.Account, env.config.account);
    if (problem !== undefined) throw badRequest(`"CreateRequest.Account": ${problem}`);
    const serviceUdf = profile.profile.ServiceUdf;
    if (serviceUdf !== undefined && serviceUdf !== '' && canonicalUdfString(serviceUdf) !== env.identity.udf) {
      throw badRequest(
        '"CreateRequest.EnvelopedProfileAccount.ServiceUdf" names another service than this one (see Hello)',
      );
    }
    const time = isoTime(now);
    const record: AccountRecord = {
      Account: request.Account,
      EnvelopedProfileAccount: profile.envelopeJson,
      AdministratorKid: profile.adminKid,
      Created: time,
      Updated: time,
    };
    try {
      await env.store.commit(
        [putRecord(Containers.accounts, request.Account, record)],
        [{ container: Containers.accounts, key: request.Account, expected: 'absent' }],
      );
    } catch (error) {
      if (error instanceof StoreConflictError)
        throw conflict(`the account ${JSON.stringify(request.Account)} already exists`, { cause: error });
      throw error;
    }
    env.log('account-created', { account: request.Account });
    return { fields: { ProfileUdf: profile.profileUdf } };
  },
};
