/**
 * @module service/transaction
 * What one transaction of docs/service-protocol.md is to the dispatcher: the request tag it
 * answers, the schema every field goes through before the handler sees it, who must sign it
 * (owner authentication), and the handler. Each transaction lives in its own file
 * under ./transactions, named after it (conventions: "protocol files named after the spec's
 * messages").
 */
import type { PublicKey } from '../crypto/key-pair.js';
import type { Schema } from '../mesh/schema/index.js';
import type { AccountEntry } from './accounts.js';
import type { RateLimitClass } from './rate-limit/rate-limit-config.js';
import type { ServiceEnvironment } from './service-environment.js';

/**
 * - `none`: anyone (Hello, Validate, Get, Status, ConnectStart, ConnectStatus, Claim, PollClaim).
 * - `owner`: signed by the AdministratorSignature key of the stored account `account(request)`.
 * - `new-owner`: CreateAccount, signed by the AdministratorSignature of the profile it carries
 *   (proof of possession); `key(request)` reads that key from the request.
 */
export type AuthorizationRule<R> =
  | { readonly kind: 'none' }
  | { readonly kind: 'owner'; account(request: R): string }
  | { readonly kind: 'new-owner'; account(request: R): string; key(request: R): PublicKey & { readonly kid: string } };

export interface VerifiedOwner {
  readonly account: string;
  /** The admin key UDF that signed the request. */
  readonly kid: string;
  /** The stored account (absent for CreateAccount). */
  readonly entry?: AccountEntry;
}

export interface TransactionContext {
  readonly env: ServiceEnvironment;
  /** The service clock at the start of the request (ms since the epoch). */
  readonly now: number;
  /** Present when the transaction's rule required a signature and it verified. */
  readonly owner?: VerifiedOwner;
  /**
   * Who sent the request, as the transport saw it (the peer address, or the forwarded-for
   * address when the operator trusts a proxy); absent when the transport knows none.
   */
  readonly source?: string;
}

export interface TransactionResult {
  /** Defaults to 201. */
  readonly status?: number;
  readonly description?: string;
  readonly retryAfter?: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * A front-door transaction's limits (docs/security.md "Rate limits", "Account names and
 * hosted domains"): which buckets it draws from, and the account it acts on so the service
 * can count per account and refuse accounts of domains it does not host. MeshService.handle
 * enforces both after the schema parse and before the handler (and, for signed requests,
 * counts the account only once the signature verified, so a stranger cannot drain it).
 */
export interface FrontDoorLimits<R> {
  readonly limit: RateLimitClass;
  /** The normalised account address, or undefined when the request names none readable (the handler refuses it). */
  account(request: R): string | undefined;
}

export interface Transaction<R = unknown> {
  /** `ConnectStart` */
  readonly name: string;
  /** `ConnectStartRequest` */
  readonly request: string;
  /** `ConnectStartResponse` */
  readonly response: string;
  readonly schema: Schema<R>;
  readonly authorization: AuthorizationRule<R>;
  readonly frontDoor?: FrontDoorLimits<R>;
  handle(request: R, context: TransactionContext): Promise<TransactionResult>;
}
