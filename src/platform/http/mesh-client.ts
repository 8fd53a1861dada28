/**
 * @module platform/http/mesh-client
 * A typed client for every transaction of the Mesh service contract (docs/service-protocol.md):
 * each method posts one request (http-exchange.ts) and checks the answer against the
 * transaction's response schema from src/mesh/messages (response-decoding.ts).
 *
 * - The body's `Status` is authoritative (docs/service-protocol.md "Transport"); a non-success
 *   status becomes the `ProtocolError` subclass for it (http-errors.ts).
 * - Envelope-valued fields are shape-checked (`[header, payload, trailer?]`) and returned as
 *   JSON; checking signatures and contents is the caller's job.
 * - Each transaction is marked idempotent or not. An idempotent one (Hello, Get, Status,
 *   ConnectStatus, ConnectPending, ConnectComplete, …) may be sent again (http-retry.ts);
 *   others (ConnectStart, Claim, Publish, …) are sent once.
 */
import type { UncheckedObject } from '../../mesh/encoding/json-value.js';
import {
  ApplicationGetResponseSchema,
  ClaimResponseSchema,
  ConnectPendingResponseSchema,
  ConnectStartResponseSchema,
  ConnectStatusResponseSchema,
  GetResponseSchema,
  HelloResponseSchema,
  PollClaimResponseSchema,
  StatusResponseSchema,
  TransferResponseSchema,
  ValidateResponseSchema,
  type ApplicationGetRequest,
  type ApplicationGetResponse,
  type ApplicationPublishRequest,
  type ClaimRequest,
  type ClaimResponse,
  type ConnectCompleteRequest,
  type ConnectPendingRequest,
  type ConnectPendingResponse,
  type ConnectStartRequest,
  type ConnectStartResponse,
  type ConnectStatusRequest,
  type ConnectStatusResponse,
  type CreateRequest,
  type DataItem,
  type DataItemsResponse,
  type DeleteRequest,
  type GetRequest,
  type HelloResponse,
  type PinRegisterRequest,
  type PollClaimRequest,
  type PollClaimResponse,
  type PublishRequest,
  type StatusFields,
  type StatusResponse,
  type TransferRequest,
  type ValidateRequest,
  type ValidateResponse,
} from '../../mesh/messages/index.js';
import type { Schema, UNKNOWN_FIELDS } from '../../mesh/schema/index.js';
import { HttpExchange, type HttpExchangeOptions, type RequestSigner } from './http-exchange.js';
import { decodeFields, knownFields, statusFields } from './response-decoding.js';
import { requireSpeakable } from './hello-check.js';

// Callers name these beside the client.
export type { HttpRetryPolicy } from './http-retry.js';
export type { RequestSigner } from './http-exchange.js';
export { serviceEndpoint } from './service-endpoint.js';
export type { ConnectStatusResponse } from '../../mesh/messages/connect-status.js';

export type MeshClientOptions = HttpExchangeOptions;

/** One client per service URL; stateless, so safe to share. */
export class MeshClient {
  readonly endpoint: string;
  readonly #http: HttpExchange;

  constructor(options: MeshClientOptions) {
    this.#http = new HttpExchange(options);
    this.endpoint = this.#http.endpoint;
  }

  /**
   * Hello, refused with an IncompatibleServiceError when the service offers no version and
   * encoding this client speaks (hello-check.ts).
   */
  async hello(): Promise<HelloResponse> {
    const body = await this.#http.post({ name: 'Hello', request: {}, idempotent: true });
    const answer = this.#answer(body, 'Hello', HelloResponseSchema);
    requireSpeakable(answer, this.endpoint);
    return answer;
  }

  async validate(request: ValidateRequest): Promise<ValidateResponse> {
    const body = await this.#http.post({ name: 'Validate', request, idempotent: request.Reserve !== true });
    return this.#answer(body, 'Validate', ValidateResponseSchema);
  }

  async createAccount(request: CreateRequest, signer: RequestSigner): Promise<StatusFields> {
    return statusFields(await this.#http.post({ name: 'Create', request, signer }));
  }

  async deleteAccount(request: DeleteRequest, signer: RequestSigner): Promise<StatusFields> {
    return statusFields(await this.#http.post({ name: 'Delete', request, signer }));
  }

  async get(request: GetRequest): Promise<DataItemsResponse> {
    const body = await this.#http.post({ name: 'Get', request, idempotent: true });
    return this.#dataItems(body, 'Get', GetResponseSchema);
  }

  async publish(request: PublishRequest, signer: RequestSigner): Promise<StatusFields> {
    return statusFields(await this.#http.post({ name: 'Publish', request, signer }));
  }

  /** The Status transaction: the last checkpoint of the service's hash-chained log. */
  async serviceStatus(): Promise<StatusResponse> {
    const body = await this.#http.post({ name: 'Status', request: {}, idempotent: true });
    return this.#answer(body, 'Status', StatusResponseSchema);
  }

  async connectStart(request: ConnectStartRequest): Promise<ConnectStartResponse> {
    const body = await this.#http.post({ name: 'ConnectStart', request });
    return this.#answer(body, 'ConnectStart', ConnectStartResponseSchema);
  }

  /** Pending (202) and Expired (410) are results, not errors (docs/service-protocol.md ConnectStatus). */
  async connectStatus(request: ConnectStatusRequest): Promise<ConnectStatusResponse> {
    const body = await this.#http.post({ name: 'ConnectStatus', request, accept: [202, 410], idempotent: true });
    const answer = this.#answer(body, 'ConnectStatus', ConnectStatusResponseSchema);
    // A null list reads as an empty one, as absent reads as none.
    return body['EnvelopedClaimApprovals'] === null ? { ...answer, EnvelopedClaimApprovals: [] } : answer;
  }

  async connectPending(request: ConnectPendingRequest, signer: RequestSigner): Promise<ConnectPendingResponse> {
    const body = await this.#http.post({ name: 'ConnectPending', request, signer, idempotent: true });
    const { Pending, ...rest } = this.#answer(body, 'ConnectPending', ConnectPendingResponseSchema);
    return {
      ...rest,
      Pending: (Pending ?? []).map((entry) => ({ ...knownFields(entry), PinValidated: entry.PinValidated ?? false })),
    };
  }

  /**
   * Idempotent: the service answers the same signed RespondConnection sent again with success
   * (docs/service-protocol.md ConnectComplete), so a retry after an answer lost on the way back is safe.
   */
  async connectComplete(request: ConnectCompleteRequest, signer: RequestSigner): Promise<StatusFields> {
    return statusFields(await this.#http.post({ name: 'ConnectComplete', request, signer, idempotent: true }));
  }

  async pinRegister(request: PinRegisterRequest, signer: RequestSigner): Promise<StatusFields> {
    return statusFields(await this.#http.post({ name: 'PinRegister', request, signer }));
  }

  async transfer(request: TransferRequest, signer: RequestSigner): Promise<DataItemsResponse> {
    const body = await this.#http.post({ name: 'Transfer', request, signer, idempotent: true });
    return this.#dataItems(body, 'Transfer', TransferResponseSchema);
  }

  async claim(request: ClaimRequest): Promise<ClaimResponse> {
    const body = await this.#http.post({ name: 'Claim', request });
    return this.#answer(body, 'Claim', ClaimResponseSchema);
  }

  async pollClaim(request: PollClaimRequest): Promise<PollClaimResponse> {
    const body = await this.#http.post({ name: 'PollClaim', request, idempotent: true });
    return this.#answer(body, 'PollClaim', PollClaimResponseSchema);
  }

  /** Files an owner's application entry for one device of its catalog (signed). */
  async applicationPublish(request: ApplicationPublishRequest, signer: RequestSigner): Promise<StatusFields> {
    return statusFields(await this.#http.post({ name: 'ApplicationPublish', request, signer }));
  }

  /** The application entry an owner filed for a device (404 when none). */
  async applicationGet(request: ApplicationGetRequest): Promise<ApplicationGetResponse> {
    const body = await this.#http.post({ name: 'ApplicationGet', request, idempotent: true });
    return this.#answer(body, 'ApplicationGet', ApplicationGetResponseSchema);
  }

  /** The Status fields and the transaction's own fields, checked, without fields no schema knows. */
  #answer<T>(body: UncheckedObject, name: string, schema: Schema<T>): StatusFields & Omit<T, typeof UNKNOWN_FIELDS> {
    return { ...statusFields(body), ...knownFields(decodeFields(schema, body, `${name}Response`)) };
  }

  /** A listing: each DataItem keeps every field it came with, its known ones checked. */
  #dataItems(
    body: UncheckedObject,
    name: string,
    schema: Schema<{ DataItems?: DataItem[]; PageKey?: string }>,
  ): DataItemsResponse {
    const { DataItems, PageKey } = decodeFields(schema, body, `${name}Response`);
    const raw = body['DataItems'] as readonly UncheckedObject[] | undefined;
    return {
      ...statusFields(body),
      DataItems: (DataItems ?? []).map((item, i) => ({ ...raw?.[i], ...knownFields(item) }) as DataItem),
      ...(PageKey === undefined ? {} : { PageKey }),
    };
  }
}
