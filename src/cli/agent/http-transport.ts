/**
 * @module cli/agent/http-transport
 * The agent's MeshTransport over HTTP: the typed MeshClient (one per service URL), with its
 * errors translated into the agent's own (agent/transport-errors) at this boundary, so the
 * state machine branches on class and never imports the platform layer.
 */
import type {
  ApplicationEntryAnswer,
  ApplicationTransport,
  ConnectStartAnswer,
  ConnectStatusAnswer,
  HelloAnswer,
  MeshTransport,
  PollClaimAnswer,
} from '../../agent/ports.js';
import {
  IncompatibleServiceError,
  ServiceAnswerError,
  ServiceRefusedError,
  TransportUnavailableError,
} from '../../agent/transport-errors.js';
import type { EnvelopeJson } from '../../mesh/schema/envelope-json.js';
import {
  MalformedResponseError,
  ProtocolError,
  ResponseTooLargeError,
  ServiceUnavailableError,
} from '../../platform/http/http-errors.js';
import { IncompatibleServiceError as PlatformIncompatibleServiceError } from '../../platform/http/hello-check.js';
import { MeshClient } from '../../platform/http/mesh-client.js';

export interface HttpTransportOptions {
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** The agent config's `allowInsecureHttp`: plain http:// to a non-loopback service. */
  readonly allowInsecureHttp?: boolean;
}

function translate(error: unknown): unknown {
  if (error instanceof ServiceUnavailableError)
    return new TransportUnavailableError(error.message, { cause: error, context: { url: error.url } });
  if (error instanceof ProtocolError)
    return new ServiceRefusedError(error.message, error.status, error.retryAfter, {
      cause: error,
      context: { url: error.url },
    });
  if (error instanceof PlatformIncompatibleServiceError)
    return new IncompatibleServiceError(error.message, { cause: error, context: error.context });
  if (error instanceof MalformedResponseError || error instanceof ResponseTooLargeError)
    return new ServiceAnswerError(error.message, { cause: error });
  return error;
}

export class HttpMeshTransport implements MeshTransport, ApplicationTransport {
  readonly #clients = new Map<string, MeshClient>();
  readonly #options: HttpTransportOptions;

  constructor(options: HttpTransportOptions = {}) {
    this.#options = options;
  }

  #client(service: string): MeshClient {
    let client = this.#clients.get(service);
    if (client === undefined) {
      client = new MeshClient({
        service,
        ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
        ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
        allowInsecureHttp: this.#options.allowInsecureHttp === true,
        insecureHttpHint: '"allowInsecureHttp": true in the agent configuration',
        // The agent's own schedule paces everything else (and honours RetryAfter on its clock); one quick repeat covers a dropped keep-alive socket.
        retry: { attempts: 2, maxRetryAfterMs: 0 },
      });
      this.#clients.set(service, client);
    }
    return client;
  }

  async #call<T>(service: string, run: (client: MeshClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.#client(service));
    } catch (error) {
      throw translate(error);
    }
  }

  hello(service: string): Promise<HelloAnswer> {
    return this.#call(service, async (c) => {
      const answer = await c.hello();
      return answer.EnvelopedProfileService === undefined
        ? {}
        : { EnvelopedProfileService: answer.EnvelopedProfileService };
    });
  }

  connectStart(
    service: string,
    request: { AccountAddress: string; EnvelopedRequestConnection: EnvelopeJson },
  ): Promise<ConnectStartAnswer> {
    return this.#call(service, async (c) => {
      const answer = await c.connectStart(request);
      return {
        EnvelopedAcknowledgeConnection: answer.EnvelopedAcknowledgeConnection,
        EnvelopedProfileAccount: answer.EnvelopedProfileAccount,
      };
    });
  }

  connectStatus(
    service: string,
    request: { AccountAddress: string; ResponseId: string },
  ): Promise<ConnectStatusAnswer> {
    return this.#call(service, async (c) => {
      const answer = await c.connectStatus(request);
      return {
        Result: answer.Result,
        ...(answer.EnvelopedRespondConnection === undefined
          ? {}
          : { EnvelopedRespondConnection: answer.EnvelopedRespondConnection }),
        ...(answer.RetryAfter === undefined ? {} : { RetryAfter: answer.RetryAfter }),
        ...(answer.EnvelopedClaimApprovals === undefined
          ? {}
          : { EnvelopedClaimApprovals: answer.EnvelopedClaimApprovals }),
      };
    });
  }

  pollClaim(
    service: string,
    request: { PublicationId: string; TargetAccountAddress: string },
  ): Promise<PollClaimAnswer> {
    return this.#call(service, async (c) => {
      const answer = await c.pollClaim(request);
      return answer.EnvelopedMessageClaim === undefined ? {} : { EnvelopedMessageClaim: answer.EnvelopedMessageClaim };
    });
  }

  /** No entry (404) is an answer without one. */
  applicationGet(service: string, request: { Account: string; Device: string }): Promise<ApplicationEntryAnswer> {
    return this.#call(service, async (c) => {
      try {
        const answer = await c.applicationGet(request);
        return { EnvelopedApplicationEntry: answer.EnvelopedApplicationEntry };
      } catch (error) {
        if (error instanceof ProtocolError && error.status === 404) return {};
        throw error;
      }
    });
  }
}
