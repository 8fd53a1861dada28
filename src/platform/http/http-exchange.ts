/**
 * @module platform/http/http-exchange
 * The transport under the typed client: one transaction posted over the global fetch of
 * Node 20 as `POST /.well-known/mmm/` with `{"<Name>Request": {…}}`.
 *
 * - Owner transactions carry the `Mesh-Authorization` header: the caller passes a
 *   `RequestSigner`, which receives the exact body bytes sent, so the signature covers what
 *   goes on the wire (docs/service-protocol.md "Owner authentication").
 * - Every call has a timeout covering connect, headers and body, and the response body is
 *   read with a size bound: the service is not trusted (docs/decisions/0003-untrusted-service.md),
 *   so neither a stalled nor an endless answer can hang or exhaust the caller.
 * - An idempotent transaction is sent again on the retry policy (http-retry.ts) when the
 *   connection dropped before the answer or the service answered 429/503; a signed one is
 *   signed afresh each time, since the service refuses a replayed nonce.
 * - Plain http:// to anything but loopback is refused before any connection unless allowed
 *   (transport-policy.ts).
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { RetrySchedule } from '../../agent/retry-schedule.js';
import type { UncheckedObject } from '../../mesh/encoding/json-value.js';
import {
  ConnectionDroppedError,
  MalformedResponseError,
  ProtocolError,
  ResponseTooLargeError,
  ServiceTimeoutError,
  ServiceUnavailableError,
} from './http-errors.js';
import { DEFAULT_HTTP_RETRY, type HttpRetryPolicy } from './http-retry.js';
import { openResponse } from './response-decoding.js';
import { serviceEndpoint } from './service-endpoint.js';
import { checkTransport } from './transport-policy.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Generous beside the 256 KiB request limit: pending lists and Get pages are larger. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** undici and system codes of a connection that closed or reset mid-exchange. */
const DROPPED_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Produces the `Mesh-Authorization` header value for the exact body bytes sent. */
export type RequestSigner = (body: Uint8Array) => string | Promise<string>;

export interface HttpExchangeOptions {
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

export interface Exchange {
  /** The transaction, `ConnectStart`: the body is `{"ConnectStartRequest": request}`. */
  readonly name: string;
  readonly request: object;
  readonly signer?: RequestSigner | undefined;
  /** Safe to send again when no answer arrived (the same request has the same effect). */
  readonly idempotent?: boolean;
  /** Statuses returned rather than thrown (201 always). */
  readonly accept?: readonly number[];
}

/** One per service URL; stateless, so safe to share. */
export class HttpExchange {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: HttpRetryPolicy;

  constructor(options: HttpExchangeOptions) {
    this.endpoint = serviceEndpoint(options.service);
    checkTransport(new URL(this.endpoint), options.allowInsecureHttp === true, options.insecureHttpHint);
    this.retry = { ...DEFAULT_HTTP_RETRY, ...options.retry };
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1 || this.retry.attempts > 10) {
      throw new InvalidArgumentError(`"retry.attempts" expected an integer from 1 to 10, got ${this.retry.attempts}`, {
        context: { what: 'retry.attempts' },
      });
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1) {
      throw new InvalidArgumentError(`"timeoutMs" expected a positive integer, got ${this.timeoutMs}`, {
        context: { what: 'timeoutMs' },
      });
    }
    if (!Number.isInteger(this.maxResponseBytes) || this.maxResponseBytes < 1024) {
      throw new InvalidArgumentError(
        `"maxResponseBytes" expected an integer of at least 1024, got ${this.maxResponseBytes}`,
        {
          context: { what: 'maxResponseBytes' },
        },
      );
    }
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Posts one transaction, again while it is idempotent and retrying is worth it. */
  async post(x: Exchange): Promise<UncheckedObject> {
    const schedule = new RetrySchedule(this.retry.schedule, this.retry.random);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.postOnce(x);
      } catch (error) {
        const delay =
          x.idempotent === true && attempt < this.retry.attempts ? this.retryDelay(error, schedule) : undefined;
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

  /** Posts one transaction once; returns the `<Name>Response` object after the Status check. */
  private async postOnce(x: Exchange): Promise<UncheckedObject> {
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
        response = await this.fetchImpl(this.endpoint, {
          method: 'POST',
          headers,
          body: bytes,
          signal: controller.signal,
          redirect: 'error',
        });
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

    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new MalformedResponseError(
        `${x.name}: ${this.endpoint} answered HTTP ${httpStatus} with a body that is not JSON`,
        { cause, context: { path: `${x.name}Response`, httpStatus } },
      );
    }
    return openResponse(parsed, { name: x.name, url: this.endpoint, httpStatus }, x.accept);
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
      throw new MalformedResponseError(`${name}: ${this.endpoint} answered a body that is not UTF-8`, {
        cause,
        context: { url: this.endpoint },
      });
    }
  }

  private transportError(name: string, cause: unknown, aborted: boolean): ServiceUnavailableError {
    if (aborted) {
      return new ServiceTimeoutError(
        `${name}: no answer from ${this.endpoint} within ${this.timeoutMs} ms`,
        this.endpoint,
        {
          cause,
          context: { timeoutMs: this.timeoutMs },
        },
      );
    }
    // undici puts the system error (ECONNREFUSED…) in `cause`.
    const inner = (cause as { cause?: { code?: unknown; message?: unknown } })?.cause;
    const code = typeof inner?.code === 'string' ? inner.code : undefined;
    const detail =
      code ?? (typeof inner?.message === 'string' ? inner.message : ((cause as Error)?.message ?? 'unknown failure'));
    if (code !== undefined && DROPPED_CODES.has(code)) {
      return new ConnectionDroppedError(
        `${name}: the connection to the Mesh service at ${this.endpoint} dropped before the answer (${code})`,
        this.endpoint,
        {
          cause,
          context: { code },
        },
      );
    }
    return new ServiceUnavailableError(
      `${name}: cannot reach the Mesh service at ${this.endpoint} (${detail})`,
      this.endpoint,
      {
        cause,
        context: { code },
      },
    );
  }
}
