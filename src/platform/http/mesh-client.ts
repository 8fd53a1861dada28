/**
 * @module platform/http/mesh-client
 * A typed client for every transaction of the Mesh service contract (docs/service-protocol.md)
 * over the global fetch of Node 20: `POST /.well-known/mmm/` with `{"<Name>Request": {…}}`,
 * answered by `{"<Name>Response": {"Status", "StatusDescription", …}}`.
 *
 * - The body's `Status` is authoritative (service-protocol "Transport"); a non-success
 *   status becomes the `ProtocolError` subclass for it (http-errors.ts).
 * - Owner transactions carry the `Mesh-Authorization` header: the caller passes a
 *   `RequestSigner`, which receives the exact body bytes the client sends, so the
 *   signature covers what goes on the wire (service-protocol "Owner authentication").
 * - Every call has a timeout covering connect, headers and body, and the response body is
 *   read with a size bound: the service is not trusted (docs/decisions/0003-untrusted-service.md), so neither a
 *   stalled nor an endless answer can hang or exhaust the caller.
 * - Envelope-valued fields are shape-checked here (`[header, payload, trailer?]`) and
 *   returned as JSON; checking signatures and contents is the caller's job.
 * - Each transaction is marked idempotent or not. An idempotent one (Hello, Get, Status,
 *   ConnectStatus, ConnectPending, ConnectComplete, …) is sent again, on a backoff with
 *   jitter from the injected Random, when the connection dropped before the answer or the
 *   service answered 429/503 (waiting at least its RetryAfter), up to a bounded number of
 *   attempts; a signed one is signed afresh each time, since the service refuses a
 *   replayed nonce. Others (ConnectStart, Claim, Publish, …) are sent once.
 * - Plain http:// to anything but loopback is refused before any connection unless allowed
 *   (transport-policy.ts).
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { systemRandom } from '../../crypto/random.js';
import type { Random } from '../../agent/ports.js';
import { RetrySchedule, type RetryScheduleOptions } from '../../agent/retry-schedule.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import { parseEnvelopeJson, type EnvelopeJson } from '../../mesh/schema/envelope-json.js';
import {
  ConnectionDroppedError,
  MalformedResponseError,
  ProtocolError,
  ResponseTooLargeError,
  ServiceTimeoutError,
  ServiceUnavailableError,
  protocolErrorFor,
} from './http-errors.js';
import { checkTransport } from './transport-policy.js';

/** The path every transaction is posted to (architecture-03 §8; service-protocol "Transport"). */
export const MESH_SERVICE_PATH = '/.well-known/mmm/';
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Generous beside the 256 KiB request limit: pending lists and Get pages are larger. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** How an idempotent transaction is sent again; time and entropy are injected for tests. */
export interface HttpRetryPolicy {
  /** Total tries of one transaction, at least 1. */
  readonly attempts: number;
  readonly schedule: RetryScheduleOptions;
  /** A RetryAfter longer than this is not waited out: the caller gets the 429/503. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: Random;
}

export const DEFAULT_HTTP_RETRY: HttpRetryPolicy = {
  attempts: 4,
  schedule: { initialDelayMs: 200, maxDelayMs: 3_000, factor: 2, jitter: 0.25, honorRetryAfter: true },
  maxRetryAfterMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: { bytes: (n) => systemRandom(n) },
};

/** Produces the `Mesh-Authorization` header value for the exact body bytes sent. */
export type RequestSigner = (body: Uint8Array) => string | Promise<string>;

export interface MeshClientOptions {
  /** `http(s)://host[:port]` or the full `…/.well-known/mmm/` URL. */
  readonly service: string;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /** Overrides of DEFAULT_HTTP_RETRY (tests inject sleep and random; the agent, fewer attempts). */
  readonly retry?: Partial<HttpRetryPolicy>;
  /** Plain http:// to a host other than loopback: refused unless this is set. */
  readonly allowInsecureHttp?: boolean;
  /** The override a refusal names (the CLI's flag, the agent's config field). */
  readonly insecureHttpHint?: string;
}

// ---------------------------------------------------------------------------------------
// Request and response shapes (service-protocol "Transactions").

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type SearchConstraints = { readonly [key: string]: JsonValue };

export interface StatusFields {
  readonly Status: number;
  readonly StatusDescription?: string;
  readonly StatusExtended?: number;
}

export interface HelloResponse extends StatusFields {
  readonly Version?: { readonly Major?: number; readonly Minor?: number; readonly Encodings?: readonly string[] };
  readonly EnvelopedProfileService?: EnvelopeJson;
}

export interface ValidateRequest {
  readonly Account: string;
  readonly Reserve?: boolean;
  readonly Language?: readonly string[];
}
export interface ValidateResponse extends StatusFields {
  readonly Valid: boolean;
  readonly Minimum?: number;
  readonly Maximum?: number;
  readonly InvalidCharacters?: string;
  readonly Reason?: string;
}

export interface CreateRequest {
  readonly Account: string;
  readonly EnvelopedProfileAccount: EnvelopeJson;
}
export interface DeleteRequest {
  readonly Account: string;
}

export interface KeyValue {
  readonly Key: string;
  readonly Value?: string;
}
export interface GetRequest {
  readonly Account?: string;
  readonly Identifier?: string;
  readonly KeyValues?: readonly KeyValue[];
  readonly SearchConstraints?: SearchConstraints;
  readonly Multiple?: boolean;
}
export interface DataItem {
  readonly Type: string;
  readonly Key?: string;
  readonly Updated?: string;
  readonly Status?: string;
  readonly Value?: unknown;
  readonly EnvelopedCatalogedDevice?: EnvelopeJson;
  readonly [field: string]: unknown;
}
export interface DataItemsResponse extends StatusFields {
  readonly DataItems: readonly DataItem[];
  readonly PageKey?: string;
}

export interface PublishRequest {
  readonly Account: string;
  readonly EnvelopedProfileAccount?: EnvelopeJson;
  readonly CatalogedPublication?: { readonly [key: string]: JsonValue };
  readonly RevokeDevice?: string;
  /** A ClaimApproval signed by the account's admin key (docs/service-protocol.md "Claim approval"). */
  readonly EnvelopedClaimApproval?: EnvelopeJson;
}

export interface ApplicationPublishRequest {
  readonly Account: string;
  readonly Device: string;
  readonly EnvelopedApplicationEntry: EnvelopeJson;
}
export interface ApplicationGetRequest {
  readonly Account: string;
  readonly Device: string;
}
export interface ApplicationGetResponse extends StatusFields {
  readonly EnvelopedApplicationEntry: EnvelopeJson;
  readonly Updated?: string;
}

export interface StatusResponse extends StatusFields {
  readonly LastWriteTime?: string;
  readonly CheckpointIndex?: number;
  readonly CheckpointValue?: string;
  readonly ChainValue?: string;
}

export interface ConnectStartRequest {
  readonly AccountAddress: string;
  readonly EnvelopedRequestConnection: EnvelopeJson;
}
export interface ConnectStartResponse extends StatusFields {
  readonly EnvelopedAcknowledgeConnection: EnvelopeJson;
  readonly EnvelopedProfileAccount: EnvelopeJson;
}

export interface ConnectStatusRequest {
  readonly AccountAddress: string;
  readonly ResponseId: string;
}
export type ConnectStatusResult = 'Pending' | 'Accept' | 'Reject' | 'Expired' | 'Revoked';
export interface ConnectStatusResponse extends StatusFields {
  readonly Result: ConnectStatusResult;
  readonly EnvelopedRespondConnection?: EnvelopeJson;
  readonly RetryAfter?: number;
  /** The owner's ClaimApprovals for the device, as relayed: each is verified by the device, not here. */
  readonly EnvelopedClaimApprovals?: readonly unknown[];
}

export interface ConnectPendingRequest {
  readonly AccountAddress: string;
  readonly SearchConstraints?: SearchConstraints;
}
export interface PendingEntry {
  readonly EnvelopedAcknowledgeConnection: EnvelopeJson;
  readonly PinValidated: boolean;
  readonly Received?: string;
  readonly Expires?: string;
}
export interface ConnectPendingResponse extends StatusFields {
  readonly Pending: readonly PendingEntry[];
  readonly PageKey?: string;
}

export interface ConnectCompleteRequest {
  readonly AccountAddress: string;
  readonly EnvelopedRespondConnection: EnvelopeJson;
}

export interface PinRegisterRequest {
  readonly AccountAddress: string;
  readonly EnvelopedMessagePin: EnvelopeJson;
}

export interface TransferRequest {
  readonly AccountAddress: string;
  readonly SearchConstraints?: SearchConstraints;
}

export interface ClaimRequest {
  readonly EnvelopedMessageClaim: EnvelopeJson;
}
export interface ClaimResponse extends StatusFields {
  readonly CatalogedPublication: { readonly [key: string]: unknown };
}
export interface PollClaimRequest {
  readonly PublicationId: string;
  readonly TargetAccountAddress: string;
}
export interface PollClaimResponse extends StatusFields {
  readonly EnvelopedMessageClaim?: EnvelopeJson;
}

// ---------------------------------------------------------------------------------------
// Field readers for responses: each names `<Name>Response.<Field>`.

type Fields = Record<string, unknown>;

function malformed(path: string, expected: string, found: unknown): MalformedResponseError {
  const kind = found === undefined ? 'absent' : found === null ? 'null' : Array.isArray(found) ? 'an array' : `a ${typeof found}`;
  return new MalformedResponseError(`"${path}" expected ${expected}, got ${kind}`, { context: { path, expected } });
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalOf<T>(o: Fields, path: string, field: string, check: (v: unknown) => v is T, expected: string): T | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw malformed(`${path}.${field}`, expected, v);
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function envelopeField(o: Fields, path: string, field: string, required: true): EnvelopeJson;
function envelopeField(o: Fields, path: string, field: string, required: false): EnvelopeJson | undefined;
function envelopeField(o: Fields, path: string, field: string, required: boolean): EnvelopeJson | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw malformed(`${path}.${field}`, 'a DARE envelope', v);
    return undefined;
  }
  try {
    return parseEnvelopeJson(v, `${path}.${field}`);
  } catch (cause) {
    throw new MalformedResponseError((cause as Error).message, { cause, context: { path: `${path}.${field}` } });
  }
}

function arrayField(o: Fields, path: string, field: string): unknown[] {
  const v = o[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw malformed(`${path}.${field}`, 'an array', v);
  return v;
}

function dataItems(o: Fields, path: string): DataItem[] {
  return arrayField(o, path, 'DataItems').map((item, i) => {
    const at = `${path}.DataItems[${i}]`;
    if (!isObject(item)) throw malformed(at, 'a DataItem object', item);
    if (typeof item['Type'] !== 'string') throw malformed(`${at}.Type`, 'a string', item['Type']);
    optionalOf(item, at, 'Key', isString, 'a string');
    optionalOf(item, at, 'Updated', isString, 'an RFC 3339 date string');
    optionalOf(item, at, 'Status', isString, 'a string');
    const enveloped = envelopeField(item, at, 'EnvelopedCatalogedDevice', false);
    return (enveloped === undefined ? item : { ...item, EnvelopedCatalogedDevice: enveloped }) as DataItem;
  });
}

const CONNECT_RESULTS: readonly ConnectStatusResult[] = ['Pending', 'Accept', 'Reject', 'Expired', 'Revoked'];

/** undici and system codes of a connection that closed or reset mid-exchange. */
const DROPPED_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

// ---------------------------------------------------------------------------------------

/**
 * `http(s)://host[:port][/…]` → the transaction URL; a bare origin gets /.well-known/mmm/.
 * Checks the shape only; MeshClient also applies the transport policy.
 */
export function serviceEndpoint(service: string): string {
  let url: URL;
  try {
    url = new URL(service);
  } catch {
    throw new InvalidArgumentError(`"service" expected an http:// or https:// URL, got ${JSON.stringify(service)}`, {
      context: { what: 'service' },
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`"service" expected an http:// or https:// URL, got scheme ${JSON.stringify(url.protocol)}`, {
      context: { what: 'service' },
    });
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('"service" must not carry credentials, a query or a fragment', { context: { what: 'service' } });
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = MESH_SERVICE_PATH;
  else if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

interface Exchange {
  readonly name: string;
  readonly request: object;
  readonly signer?: RequestSigner | undefined;
  /** Safe to send again when no answer arrived (the same request has the same effect). */
  readonly idempotent?: boolean;
  /** Statuses returned rather than thrown (201 always). */
  readonly accept?: readonly number[];
}

/** One client per service URL; stateless, so safe to share. */
export class MeshClient {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: HttpRetryPolicy;

  constructor(options: MeshClientOptions) {
    this.endpoint = serviceEndpoint(options.service);
    checkTransport(new URL(this.endpoint), options.allowInsecureHttp === true, options.insecureHttpHint);
    this.retry = { ...DEFAULT_HTTP_RETRY, ...options.retry };
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1 || this.retry.attempts > 10) {
      throw new InvalidArgumentError(`"retry.attempts" expected an integer from 1 to 10, got ${this.retry.attempts}`, { context: { what: 'retry.attempts' } });
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1) {
      throw new InvalidArgumentError(`"timeoutMs" expected a positive integer, got ${this.timeoutMs}`, { context: { what: 'timeoutMs' } });
    }
    if (!Number.isInteger(this.maxResponseBytes) || this.maxResponseBytes < 1024) {
      throw new InvalidArgumentError(`"maxResponseBytes" expected an integer of at least 1024, got ${this.maxResponseBytes}`, {
        context: { what: 'maxResponseBytes' },
      });
    }
    this.fetchImpl = options.fetch ?? fetch;
  }

  // --- transactions ---------------------------------------------------------------------

  async hello(): Promise<HelloResponse> {
    const { body, path } = await this.exchange({ name: 'Hello', request: {}, idempotent: true });
    const version = body['Version'];
    if (version !== undefined && version !== null && !isObject(version)) throw malformed(`${path}.Version`, 'an object', version);
    return { ...statusFields(body), ...(isObject(version) ? { Version: version } : {}), ...optEnvelope(body, path, 'EnvelopedProfileService') };
  }

  async validate(request: ValidateRequest): Promise<ValidateResponse> {
    const { body, path } = await this.exchange({ name: 'Validate', request, idempotent: request.Reserve !== true });
    const valid = body['Valid'];
    if (typeof valid !== 'boolean') throw malformed(`${path}.Valid`, 'a boolean', valid);
    return {
      ...statusFields(body),
      Valid: valid,
      ...pick(body, path, { Minimum: isInteger, Maximum: isInteger }, 'an integer'),
      ...pick(body, path, { InvalidCharacters: isString, Reason: isString }, 'a string'),
    };
  }

  async createAccount(request: CreateRequest, signer: RequestSigner): Promise<StatusFields> {
    const { body } = await this.exchange({ name: 'Create', request, signer });
    return statusFields(body);
  }

  async deleteAccount(request: DeleteRequest, signer: RequestSigner): Promise<StatusFields> {
    const { body } = await this.exchange({ name: 'Delete', request, signer });
    return statusFields(body);
  }

  async get(request: GetRequest): Promise<DataItemsResponse> {
    const { body, path } = await this.exchange({ name: 'Get', request, idempotent: true });
    return { ...statusFields(body), DataItems: dataItems(body, path), ...pick(body, path, { PageKey: isString }, 'a string') };
  }

  async publish(request: PublishRequest, signer: RequestSigner): Promise<StatusFields> {
    const { body } = await this.exchange({ name: 'Publish', request, signer });
    return statusFields(body);
  }

  /** The Status transaction: the last checkpoint of the service's hash-chained log. */
  async serviceStatus(): Promise<StatusResponse> {
    const { body, path } = await this.exchange({ name: 'Status', request: {}, idempotent: true });
    return {
      ...statusFields(body),
      ...pick(body, path, { LastWriteTime: isString, CheckpointValue: isString, ChainValue: isString }, 'a string'),
      ...pick(body, path, { CheckpointIndex: isInteger }, 'an integer'),
    };
  }

  async connectStart(request: ConnectStartRequest): Promise<ConnectStartResponse> {
    const { body, path } = await this.exchange({ name: 'ConnectStart', request });
    return {
      ...statusFields(body),
      EnvelopedAcknowledgeConnection: envelopeField(body, path, 'EnvelopedAcknowledgeConnection', true),
      EnvelopedProfileAccount: envelopeField(body, path, 'EnvelopedProfileAccount', true),
    };
  }

  /** Pending (202) and Expired (410) are results, not errors (service-protocol ConnectStatus). */
  async connectStatus(request: ConnectStatusRequest): Promise<ConnectStatusResponse> {
    const { body, path } = await this.exchange({ name: 'ConnectStatus', request, accept: [202, 410], idempotent: true });
    const result = body['Result'];
    if (typeof result !== 'string' || !CONNECT_RESULTS.includes(result as ConnectStatusResult)) {
      throw malformed(`${path}.Result`, `one of ${CONNECT_RESULTS.join(', ')}`, result);
    }
    return {
      ...statusFields(body),
      Result: result as ConnectStatusResult,
      ...optEnvelope(body, path, 'EnvelopedRespondConnection'),
      ...pick(body, path, { RetryAfter: isNumber }, 'a number of seconds'),
      ...(body['EnvelopedClaimApprovals'] === undefined ? {} : { EnvelopedClaimApprovals: arrayField(body, path, 'EnvelopedClaimApprovals') }),
    };
  }

  async connectPending(request: ConnectPendingRequest, signer: RequestSigner): Promise<ConnectPendingResponse> {
    const { body, path } = await this.exchange({ name: 'ConnectPending', request, signer, idempotent: true });
    const pending = arrayField(body, path, 'Pending').map((entry, i): PendingEntry => {
      const at = `${path}.Pending[${i}]`;
      if (!isObject(entry)) throw malformed(at, 'a pending entry object', entry);
      const pinValidated = entry['PinValidated'] ?? false;
      if (typeof pinValidated !== 'boolean') throw malformed(`${at}.PinValidated`, 'a boolean', pinValidated);
      return {
        EnvelopedAcknowledgeConnection: envelopeField(entry, at, 'EnvelopedAcknowledgeConnection', true),
        PinValidated: pinValidated,
        ...pick(entry, at, { Received: isString, Expires: isString }, 'an RFC 3339 date string'),
      };
    });
    return { ...statusFields(body), Pending: pending, ...pick(body, path, { PageKey: isString }, 'a string') };
  }

  /**
   * Idempotent: the service answers the same signed RespondConnection sent again with success
   * (service-protocol ConnectComplete), so a retry after an answer lost on the way back is safe.
   */
  async connectComplete(request: ConnectCompleteRequest, signer: RequestSigner): Promise<StatusFields> {
    const { body } = await this.exchange({ name: 'ConnectComplete', request, signer, idempotent: true });
    return statusFields(body);
  }

  async pinRegister(request: PinRegisterRequest, signer: RequestSigner): Promise<StatusFields> {
    const { body } = await this.exchange({ name: 'PinRegister', request, signer });
    return statusFields(body);
  }

  async transfer(request: TransferRequest, signer: RequestSigner): Promise<DataItemsResponse> {
    const { body, path } = await this.exchange({ name: 'Transfer', request, signer, idempotent: true });
    return { ...statusFields(body), DataItems: dataItems(body, path), ...pick(body, path, { PageKey: isString }, 'a string') };
  }

  async claim(request: ClaimRequest): Promise<ClaimResponse> {
    const { body, path } = await this.exchange({ name: 'Claim', request });
    const publication = body['CatalogedPublication'];
    if (!isObject(publication)) throw malformed(`${path}.CatalogedPublication`, 'an object', publication);
    return { ...statusFields(body), CatalogedPublication: publication };
  }

  async pollClaim(request: PollClaimRequest): Promise<PollClaimResponse> {
    const { body, path } = await this.exchange({ name: 'PollClaim', request, idempotent: true });
    return { ...statusFields(body), ...optEnvelope(body, path, 'EnvelopedMessageClaim') };
  }

  /** File an owner's application entry for one device of its catalog (signed). */
  async applicationPublish(request: ApplicationPublishRequest, signer: RequestSigner): Promise<StatusFields> {
    const { body } = await this.exchange({ name: 'ApplicationPublish', request, signer });
    return statusFields(body);
  }

  /** The application entry an owner filed for a device (404 when none). */
  async applicationGet(request: ApplicationGetRequest): Promise<ApplicationGetResponse> {
    const { body, path } = await this.exchange({ name: 'ApplicationGet', request, idempotent: true });
    return {
      ...statusFields(body),
      EnvelopedApplicationEntry: envelopeField(body, path, 'EnvelopedApplicationEntry', true),
      ...pick(body, path, { Updated: isString }, 'an RFC 3339 date string'),
    };
  }

  // --- transport ------------------------------------------------------------------------

  /** Posts one transaction, again while it is idempotent and retrying is worth it. */
  private async exchange(x: Exchange): Promise<{ body: Fields; path: string }> {
    const schedule = new RetrySchedule(this.retry.schedule, this.retry.random);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.exchangeOnce(x);
      } catch (error) {
        const delay = x.idempotent === true && attempt < this.retry.attempts ? this.retryDelay(error, schedule) : undefined;
        if (delay === undefined) throw error;
        await this.retry.sleep(delay);
      }
    }
  }

  /** The wait before sending again, or undefined when the failure is not worth a retry. */
  private retryDelay(error: unknown, schedule: RetrySchedule): number | undefined {
    if (error instanceof ConnectionDroppedError) return schedule.next();
    if (error instanceof ProtocolError && (error.status === 429 || error.status === 503)) {
      if (error.retryAfter !== undefined && error.retryAfter * 1000 > this.retry.maxRetryAfterMs) return undefined;
      return schedule.next(error.retryAfter);
    }
    return undefined;
  }

  /** Posts one transaction once; returns the response object after the Status check. */
  private async exchangeOnce(x: Exchange): Promise<{ body: Fields; path: string }> {
    const bytes = new TextEncoder().encode(JSON.stringify({ [`${x.name}Request`]: x.request }));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'cache-control': 'no-store',
    };
    if (x.signer !== undefined) headers['mesh-authorization'] = await x.signer(bytes);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let text: string;
    let httpStatus: number;
    try {
      let response: Response;
      try {
        response = await this.fetchImpl(this.endpoint, { method: 'POST', headers, body: bytes, signal: controller.signal, redirect: 'error' });
      } catch (cause) {
        throw this.transportError(x.name, cause, controller.signal.aborted);
      }
      httpStatus = response.status;
      try {
        text = await this.readBody(response, x.name);
      } catch (cause) {
        if (cause instanceof ResponseTooLargeError) throw cause;
        throw this.transportError(x.name, cause, controller.signal.aborted);
      }
    } finally {
      clearTimeout(timer);
    }

    const path = `${x.name}Response`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new MalformedResponseError(
        `${x.name}: ${this.endpoint} answered HTTP ${httpStatus} with a body that is not JSON`,
        { cause, context: { path, httpStatus } },
      );
    }
    if (!isObject(parsed) || Object.keys(parsed).length !== 1 || !isObject(parsed[path])) {
      const tags = isObject(parsed) ? Object.keys(parsed).slice(0, 3).join(', ') || 'nothing' : Array.isArray(parsed) ? 'an array' : typeof parsed;
      // The keys are the service's: shown neutralised.
      throw new MalformedResponseError(`${x.name}: ${this.endpoint} answered HTTP ${httpStatus} without {"${path}": {…}} (found ${terminalText(tags, 120)})`, {
        context: { path, httpStatus },
      });
    }
    const body = parsed[path] as Fields;
    const status = body['Status'];
    if (!isInteger(status)) throw malformed(`${path}.Status`, 'an integer', status);
    if (status !== 201 && !(x.accept ?? []).includes(status)) {
      const description = body['StatusDescription'];
      const extended = body['StatusExtended'];
      const retryAfter = body['RetryAfter'];
      throw protocolErrorFor({
        transaction: x.name,
        status,
        statusDescription: typeof description === 'string' ? description.slice(0, 500) : undefined,
        statusExtended: isInteger(extended) ? extended : undefined,
        retryAfter: isNumber(retryAfter) ? retryAfter : undefined,
        url: this.endpoint,
      });
    }
    return { body, path };
  }

  /** Reads the body as UTF-8, stopping as soon as it exceeds the bound. */
  private async readBody(response: Response, name: string): Promise<string> {
    const tooLarge = (): ResponseTooLargeError =>
      new ResponseTooLargeError(`${name}: ${this.endpoint} answered more than ${this.maxResponseBytes} bytes`, {
        context: { url: this.endpoint, limit: this.maxResponseBytes },
      });
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.maxResponseBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const all = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      all.set(c, offset);
      offset += c.byteLength;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(all);
    } catch (cause) {
      throw new MalformedResponseError(`${name}: ${this.endpoint} answered a body that is not UTF-8`, { cause, context: { url: this.endpoint } });
    }
  }

  private transportError(name: string, cause: unknown, aborted: boolean): ServiceUnavailableError {
    if (aborted) {
      return new ServiceTimeoutError(`${name}: no answer from ${this.endpoint} within ${this.timeoutMs} ms`, this.endpoint, {
        cause,
        context: { timeoutMs: this.timeoutMs },
      });
    }
    // undici puts the system error (ECONNREFUSED…) in `cause`.
    const inner = (cause as { cause?: { code?: unknown; message?: unknown } })?.cause;
    const code = typeof inner?.code === 'string' ? inner.code : undefined;
    const detail = code ?? (typeof inner?.message === 'string' ? inner.message : (cause as Error)?.message ?? 'unknown failure');
    if (code !== undefined && DROPPED_CODES.has(code)) {
      return new ConnectionDroppedError(`${name}: the connection to the Mesh service at ${this.endpoint} dropped before the answer (${code})`, this.endpoint, {
        cause,
        context: { code },
      });
    }
    return new ServiceUnavailableError(`${name}: cannot reach the Mesh service at ${this.endpoint} (${detail})`, this.endpoint, {
      cause,
      context: { code },
    });
  }
}

function statusFields(body: Fields): StatusFields {
  const description = body['StatusDescription'];
  const extended = body['StatusExtended'];
  return {
    Status: body['Status'] as number,
    ...(typeof description === 'string' ? { StatusDescription: description } : {}),
    ...(isInteger(extended) ? { StatusExtended: extended } : {}),
  };
}

function optEnvelope(body: Fields, path: string, field: string): Record<string, EnvelopeJson> {
  const value = envelopeField(body, path, field, false);
  return value === undefined ? {} : { [field]: value };
}

/** The present fields of `checks`, each checked, as an object to spread. */
function pick<T>(body: Fields, path: string, checks: Record<string, (v: unknown) => v is T>, expected: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [field, check] of Object.entries(checks)) {
    const value = optionalOf(body, path, field, check, expected);
    if (value !== undefined) out[field] = value;
  }
  return out;
}
