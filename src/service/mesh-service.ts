/**
 * @module service/mesh-service
 * The Mesh service without its transport: bytes and the Mesh-Authorization header in, a
 * `{"<Name>Response": {"Status": …, "StatusDescription": …, …}}` body out
 * (architecture-03 §8, docs/service-protocol.md). It validates every request through the
 * transaction's schema, checks owner signatures, runs the handler, and maps every failure
 * to a status in the protocol's own shape. `handle` never rejects: input can produce a 4xx,
 * only a fault of the service itself (a store that stopped working) a 5xx.
 */
import { MeshError } from '../crypto/errors.js';
import { systemClock, type Clock } from '../crypto/clock.js';
import { systemRandom, type RandomSource } from '../crypto/random.js';
import { SchemaError } from '../mesh/errors.js';
import {
  descriptionToDialect,
  dialectOf,
  requestToReference,
  responseToDialect,
  type Dialect,
} from '../mesh/messages/dialect.js';
import { isPlainObject } from '../mesh/schema/index.js';
import { hostedDomainProblem } from './account-names.js';
import { AccountDirectory } from './accounts.js';
import { authorizeOwner, parseOwnerAuthorization } from './owner-authorization.js';
import { RateLimiter, type LimitKind } from './rate-limit/rate-limiter.js';
import type { RateLimitClass } from './rate-limit/rate-limit-config.js';
import { sourceKey } from './rate-limit/source-address.js';
import { DEFAULT_BODY_LIMITS, parseRequestBody, type BodyLimits } from './request-body.js';
import { resolveConfig, type ServiceConfig } from './service-config.js';
import type { ServiceEnvironment, ServiceLog } from './service-environment.js';
import { ServiceRequestError, Status } from './service-errors.js';
import type { ServiceIdentity } from './service-identity.js';
import type { ServiceRequest } from './service-request.js';
import { sweepExpired } from './maintenance.js';
import type { Store } from './store/store.js';
import type { Transaction, VerifiedOwner } from './transaction.js';
import { TRANSACTIONS } from './transactions/index.js';
import type { NoticeSink } from './notify/device-notice.js';

export interface ServiceReply {
  /** The protocol Status (201, 202, 4xx, 5xx). */
  readonly status: number;
  readonly body: Readonly<Record<string, Record<string, unknown>>>;
  readonly retryAfter?: number;
}

export interface MeshServiceOptions {
  readonly store: Store;
  readonly identity: ServiceIdentity;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly config?: Partial<ServiceConfig>;
  readonly bodyLimits?: Partial<BodyLimits>;
  readonly log?: ServiceLog;
  readonly notices?: NoticeSink;
}

/** The seed's StatusDescription for success (architecture-03 §8 example). */
export const OK_DESCRIPTION = 'Operation completed successfully';

/** Library failures caused by what a client sent: a 400, never a 500. */
const INPUT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ERR_SCHEMA',
  'ERR_INVALID_ARGUMENT',
  'ERR_INVALID_ENCODING',
  'ERR_INVALID_KEY',
  'ERR_UNSUPPORTED_ALGORITHM',
  'ERR_VERIFICATION',
  'ERR_DECRYPTION',
  'ERR_STORE_INPUT',
  'ERR_STORE_LIMIT',
]);

export class MeshService {
  readonly env: ServiceEnvironment;
  readonly bodyLimits: BodyLimits;
  readonly #transactions: ReadonlyMap<string, Transaction>;
  readonly #limiter: RateLimiter;

  constructor(options: MeshServiceOptions) {
    const config = resolveConfig(options.config);
    this.env = {
      store: options.store,
      identity: options.identity,
      clock: options.clock ?? systemClock,
      random: options.random ?? systemRandom,
      config,
      accounts: new AccountDirectory(options.store),
      log: options.log ?? (() => undefined),
      ...(options.notices === undefined ? {} : { notices: options.notices }),
    };
    this.bodyLimits = Object.freeze({ ...DEFAULT_BODY_LIMITS, ...options.bodyLimits });
    this.#transactions = new Map(TRANSACTIONS.map((t) => [t.request, t]));
    this.#limiter = new RateLimiter(config.rateLimits);
  }

  /** The transactions served, by request tag. */
  get requestNames(): readonly string[] {
    return [...this.#transactions.keys()];
  }

  /** Answers one request; never rejects. */
  async handle(request: ServiceRequest): Promise<ServiceReply> {
    let responseName = 'ErrorResponse';
    let tag: string | undefined;
    let dialect: Dialect = 'reference';
    try {
      const parsed = parseRequestBody(request.body, this.bodyLimits);
      responseName = parsed.name.replace(/Request$/, 'Response');
      const transaction = this.#transactions.get(parsed.name);
      if (transaction === undefined) {
        throw new ServiceRequestError(
          Status.BadRequest,
          `unknown transaction ${JSON.stringify(parsed.name)}: expected one of ${[...this.#transactions.keys()].join(', ')}`,
        );
      }
      // docs/service-protocol.md "Dialects": the handler sees reference names only.
      const spoken = requestToReference(parsed.name, parsed.body);
      tag = parsed.name;
      dialect = spoken.dialect;
      const body = withAccountFromAuthorization(parsed.name, spoken.body, request.authorization);
      const value = transaction.schema.parse(body, transaction.request);
      const now = this.env.clock.now().getTime();
      const account = this.#frontDoor(transaction, value, request.source, now);
      let owner: VerifiedOwner | undefined;
      if (transaction.authorization.kind !== 'none') {
        owner = await authorizeOwner(this.env, transaction.authorization, value, request, now);
        // Signed requests count against the account only once the signature verified.
        if (transaction.frontDoor !== undefined && account !== undefined)
          this.#charge(transaction.frontDoor.limit, 'account', account, now);
      }
      const result = await transaction.handle(value, {
        env: this.env,
        now,
        ...(owner === undefined ? {} : { owner }),
        ...(request.source === undefined ? {} : { source: request.source }),
      });
      const status = result.status ?? Status.OK;
      const answer = reply(
        responseName,
        status,
        result.description ?? OK_DESCRIPTION,
        result.fields ?? {},
        result.retryAfter,
      );
      return inDialect(answer, tag, dialect);
    } catch (error) {
      return inDialect(this.#failure(responseName, error), tag, dialect);
    }
  }

  /**
   * The front door's checks (docs/security.md "Rate limits", "Account names and hosted
   * domains"): the source's bucket, the hosted domain, and for unsigned requests the
   * account's bucket. Returns the account the request acts on, if it names one.
   */
  #frontDoor(transaction: Transaction, value: unknown, source: string | undefined, now: number): string | undefined {
    const door = transaction.frontDoor;
    if (door === undefined) return undefined;
    if (source !== undefined) this.#charge(door.limit, 'source', sourceKey(source), now);
    const account = door.account(value);
    if (account === undefined) return undefined;
    const problem = hostedDomainProblem(account, this.env.config.account.hostedDomains);
    if (problem !== undefined) {
      throw new ServiceRequestError(door.limit === 'CreateAccount' ? Status.Forbidden : Status.NotFound, problem);
    }
    if (transaction.authorization.kind === 'none') this.#charge(door.limit, 'account', account, now);
    return account;
  }

  #charge(limit: RateLimitClass, kind: LimitKind, key: string, now: number): void {
    const taken = this.#limiter.take(limit, kind, key, now);
    if (taken.allowed) return;
    const whose = kind === 'source' ? 'from this address' : `for ${JSON.stringify(key)}`;
    throw new ServiceRequestError(
      Status.TooManyAttempts,
      `too many ${limit} requests ${whose}: retry in ${taken.retryAfterSeconds} s`,
      {
        retryAfter: taken.retryAfterSeconds,
      },
    );
  }

  /** A refusal decided outside a transaction (wrong method or path, body too large). */
  refuse(status: number, description: string): ServiceReply {
    return reply('ErrorResponse', status, description, {});
  }

  /** Deletes expired nonces and other bookkeeping; safe to call at any time. */
  async maintain(): Promise<number> {
    return sweepExpired(this.env);
  }

  #failure(responseName: string, error: unknown): ServiceReply {
    if (error instanceof ServiceRequestError) {
      if (error.status >= 500) this.env.log('service-error', { status: error.status, message: error.message });
      return reply(responseName, error.status, error.message, error.fields, error.retryAfter, error.statusExtended);
    }
    if (error instanceof SchemaError || (error instanceof MeshError && INPUT_ERROR_CODES.has(error.code))) {
      return reply(responseName, Status.BadRequest, (error as MeshError).message, {});
    }
    if (error instanceof MeshError && error.code === 'ERR_STORE_CONFLICT') {
      return reply(responseName, Status.Unavailable, 'the record changed under a concurrent update; retry', {}, 1);
    }
    // A fault of the service (store failure, bug): logged with its class only, answered 500.
    this.env.log('internal-error', {
      error: error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    });
    return reply(responseName, Status.Internal, 'internal error', {});
  }
}

/** The answer in the dialect of its request: field names and the field paths a refusal names. */
function inDialect(answer: ServiceReply, tag: string | undefined, dialect: Dialect): ServiceReply {
  if (tag === undefined || dialect === 'reference') return answer;
  const body: Record<string, Record<string, unknown>> = {};
  for (const [name, fields] of Object.entries(answer.body)) {
    const spoken = responseToDialect(tag, dialect, fields);
    const description = spoken['StatusDescription'];
    if (typeof description === 'string') spoken['StatusDescription'] = descriptionToDialect(tag, dialect, description);
    body[name] = spoken;
  }
  return { ...answer, body };
}

/**
 * mesh-security-05 §3.16.1: the seed's TransferRequest names no account; the owner's
 * Mesh-Authorization does, so an absent account field is taken from it (the signature check
 * still compares the two).
 */
function withAccountFromAuthorization(tag: string, body: unknown, authorization: string | undefined): unknown {
  const field = dialectOf(tag)?.accountFromAuthorization;
  if (field === undefined || authorization === undefined || !isPlainObject(body) || Object.hasOwn(body, field))
    return body;
  return { ...body, [field]: parseOwnerAuthorization(authorization).account };
}

function reply(
  name: string,
  status: number,
  description: string,
  fields: Readonly<Record<string, unknown>>,
  retryAfter?: number,
  statusExtended?: number,
): ServiceReply {
  const body: Record<string, unknown> = { Status: status, StatusDescription: description };
  if (statusExtended !== undefined) body['StatusExtended'] = statusExtended;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
  if (retryAfter !== undefined) body['RetryAfter'] = retryAfter;
  return { status, body: { [name]: body }, ...(retryAfter === undefined ? {} : { retryAfter }) };
}
