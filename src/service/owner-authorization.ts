/**
 * @module service/owner-authorization
 * The service's side of owner authentication (docs/service-protocol.md "Owner
 * authentication"): the Mesh-Authorization header must name the account the request acts
 * on, a `kid` that is that account's AdministratorSignature key, a `created` time within the
 * skew window, a nonce not seen before, and a signature by that key over the request. Every
 * refusal is 401 and says which check failed.
 *
 * Seen nonces are stored (container `nonces`, with an expiry) by a commit that requires the
 * record to be absent, so a replay is refused even across a restart or by another service
 * instance on the same database: the store, not memory, is the arbiter.
 */
import { InvalidEncodingError } from '../crypto/errors.js';
import {
  parseRequestAuthorization,
  verifyRequestAuthorization,
  type ParsedRequestAuthorization,
} from '../mesh/connect/request-authorization.js';
import { canonicalUdfString } from '../mesh/udf/canonical.js';
import { Containers, accountKey, getRecord, putRecord, type NonceRecord } from './records.js';
import type { ServiceRequest } from './service-request.js';
import type { ServiceEnvironment } from './service-environment.js';
import { notFound, unauthorized } from './service-errors.js';
import type { AuthorizationRule, VerifiedOwner } from './transaction.js';
import { StoreConflictError } from './store/store-errors.js';
import type { Precondition } from './store/store.js';

function sameUdf(a: string, b: string): boolean {
  try {
    return canonicalUdfString(a) === canonicalUdfString(b);
  } catch {
    return false;
  }
}

/** A header longer than this is refused before it is parsed. */
const MAX_HEADER_LENGTH = 2048;

/**
 * The library's strict parser (mesh/connect/request-authorization), with every refusal
 * turned into the 401 the contract gives, naming the parameter at fault.
 */
export function parseOwnerAuthorization(text: string): ParsedRequestAuthorization {
  if (text.length > MAX_HEADER_LENGTH)
    throw unauthorized(`Mesh-Authorization is longer than ${MAX_HEADER_LENGTH} characters`);
  try {
    return parseRequestAuthorization(text);
  } catch (error) {
    if (error instanceof InvalidEncodingError) throw unauthorized(error.message, { cause: error });
    throw error;
  }
}

export async function authorizeOwner<R>(
  env: ServiceEnvironment,
  rule: AuthorizationRule<R>,
  value: R,
  request: ServiceRequest,
  now: number,
): Promise<VerifiedOwner> {
  if (rule.kind === 'none') throw new TypeError('authorizeOwner called for an unsigned transaction');
  if (request.authorization === undefined) {
    throw unauthorized(
      'the Mesh-Authorization header is required: this request must be signed by an administration key of the account',
    );
  }
  const header = parseOwnerAuthorization(request.authorization);
  const account = rule.account(value);
  if (header.account.toLowerCase() !== account) {
    throw unauthorized('Mesh-Authorization "account" is not the account the request names');
  }
  if (Math.abs(header.created.getTime() - now) > env.config.clockSkewMs) {
    throw unauthorized(
      `Mesh-Authorization "created" is stale: more than ${env.config.clockSkewMs / 1000} s from the service clock`,
    );
  }

  let key;
  let entry;
  if (rule.kind === 'owner') {
    entry = await env.accounts.get(account);
    if (entry === undefined) throw notFound(`no account ${JSON.stringify(account)}`);
    key = { alg: entry.adminKey.alg, publicKey: entry.adminKey.publicKey, kid: entry.adminKid };
  } else {
    key = rule.key(value);
  }
  if (!sameUdf(header.kid, key.kid)) {
    throw unauthorized('Mesh-Authorization "kid" is not the AdministratorSignature key of the account');
  }
  if (
    !verifyRequestAuthorization(header, { publicKey: { alg: key.alg, publicKey: key.publicKey }, body: request.body })
  ) {
    throw unauthorized(
      'Mesh-Authorization "signature" does not verify under the account\'s AdministratorSignature key',
    );
  }
  await recordNonce(env, account, header.nonceText, now);
  return { account, kid: key.kid, ...(entry === undefined ? {} : { entry }) };
}

/** Stores the nonce, or refuses the request as a replay if it is already there and live. */
async function recordNonce(env: ServiceEnvironment, account: string, nonce: string, now: number): Promise<void> {
  const key = accountKey(account, nonce);
  const existing = await getRecord<NonceRecord>(env.store, Containers.nonces, key);
  if (existing !== undefined && existing.value.Expires > now) {
    throw unauthorized('Mesh-Authorization "nonce" was already used: replayed request refused');
  }
  const precondition: Precondition = { container: Containers.nonces, key, expected: existing?.version ?? 'absent' };
  const value: NonceRecord = { Expires: now + env.config.nonceLifetimeMs };
  try {
    await env.store.commit([putRecord(Containers.nonces, key, value)], [precondition]);
  } catch (error) {
    // Another request with the same nonce committed first: that one wins, this is the replay.
    if (error instanceof StoreConflictError) {
      throw unauthorized('Mesh-Authorization "nonce" was already used: replayed request refused', { cause: error });
    }
    throw error;
  }
}
