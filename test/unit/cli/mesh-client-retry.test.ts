/**
 * @module test/unit/cli/mesh-client-retry
 * The HTTP client's retry and transport policy against a scripted server on 127.0.0.1:
 * an idempotent transaction whose connection drops before the answer is sent again (signed
 * afresh), a 429/503 waits at least its RetryAfter, attempts are bounded, a non-idempotent
 * transaction is sent once; plain http to a host other than loopback is refused before any
 * request is made unless explicitly allowed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionDroppedError,
  InsecureTransportError,
  ServiceFaultError,
  TooManyRequestsError,
} from '../../../src/platform/http/http-errors.js';
import { MeshClient, type HttpRetryPolicy } from '../../../src/platform/http/mesh-client.js';
import { isLoopbackHost } from '../../../src/platform/http/transport-policy.js';

type Handler = (body: string, req: IncomingMessage, res: ServerResponse, n: number) => void;
let handler: Handler = (_b, _r, res) => res.end('{}');
let requests = 0;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(Buffer.concat(chunks).toString('utf8'), req, res, ++requests));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const json = (res: ServerResponse, value: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
/** The server read the request, then the connection is gone: what a closed kept-alive socket looks like. */
const drop = (res: ServerResponse) => res.socket?.destroy();

const PENDING_OK = { ConnectPendingResponse: { Status: 201, Pending: [] } };

function recordingRetry(): { retry: Partial<HttpRetryPolicy>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    retry: {
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: (n) => new Uint8Array(n).fill(0x80),
    },
  };
}

describe('MeshClient retry', () => {
  it('sends an idempotent, signed transaction again after the connection dropped, signed afresh', async () => {
    requests = 0;
    const signatures: string[] = [];
    handler = (body, req, res, n) => {
      signatures.push(String(req.headers['mesh-authorization']));
      expect(JSON.parse(body)).toEqual({ ConnectPendingRequest: { AccountAddress: 'alice@example.com' } });
      if (n === 1) drop(res);
      else json(res, PENDING_OK);
    };
    const { retry, waits } = recordingRetry();
    let signed = 0;
    const client = new MeshClient({ service: base, retry });
    const answer = await client.connectPending({ AccountAddress: 'alice@example.com' }, () => `sig-${++signed}`);
    expect(answer.Pending).toEqual([]);
    expect(requests).toBe(2);
    expect(signatures).toEqual(['sig-1', 'sig-2']);
    // One backoff delay from the schedule (200 ms, no spread with the pinned jitter draw).
    expect(waits).toEqual([200]);
  });

  it('retries ConnectComplete after a drop and reports success when the repeat succeeds', async () => {
    requests = 0;
    handler = (_b, _r, res, n) => (n === 1 ? drop(res) : json(res, { ConnectCompleteResponse: { Status: 201 } }));
    const client = new MeshClient({ service: base, retry: recordingRetry().retry });
    const answer = await client.connectComplete(
      { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: [{}, 'e30'] as never },
      () => 'sig',
    );
    expect(answer.Status).toBe(201);
    expect(requests).toBe(2);
  });

  it('gives up after the bounded number of attempts with ConnectionDroppedError', async () => {
    requests = 0;
    handler = (_b, _r, res) => drop(res);
    const { retry, waits } = recordingRetry();
    const client = new MeshClient({ service: base, retry: { ...retry, attempts: 3 } });
    const failure = await client.hello().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionDroppedError);
    expect((failure as Error).message).toMatch(
      /^Hello: the connection to the Mesh service at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/mmm\/ dropped before the answer \((UND_ERR_SOCKET|ECONNRESET)\)$/,
    );
    expect(requests).toBe(3);
    expect(waits).toEqual([200, 400]);
  });

  it('sends a non-idempotent transaction once: ConnectStart is not repeated after a drop', async () => {
    requests = 0;
    handler = (_b, _r, res) => drop(res);
    const client = new MeshClient({ service: base, retry: recordingRetry().retry });
    const failure = await client
      .connectStart({ AccountAddress: 'alice@example.com', EnvelopedRequestConnection: [{}, 'e30'] as never })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionDroppedError);
    expect(requests).toBe(1);
  });

  it('waits at least RetryAfter on 429 and 503, then succeeds', async () => {
    requests = 0;
    handler = (_b, _r, res, n) => {
      if (n === 1) json(res, { StatusResponse: { Status: 429, StatusDescription: 'slow down', RetryAfter: 2 } });
      else if (n === 2) json(res, { StatusResponse: { Status: 503, StatusDescription: 'busy', RetryAfter: 1.5 } });
      else json(res, { StatusResponse: { Status: 201, CheckpointIndex: 7 } });
    };
    const { retry, waits } = recordingRetry();
    const answer = await new MeshClient({ service: base, retry }).serviceStatus();
    expect(answer.CheckpointIndex).toBe(7);
    expect(waits).toEqual([2000, 1500]);
  });

  it('hands a RetryAfter longer than the bound back to the caller at once', async () => {
    requests = 0;
    handler = (_b, _r, res) =>
      json(res, { HelloResponse: { Status: 429, StatusDescription: 'later', RetryAfter: 3600 } });
    const { retry, waits } = recordingRetry();
    const failure = await new MeshClient({ service: base, retry }).hello().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TooManyRequestsError);
    expect((failure as TooManyRequestsError).retryAfter).toBe(3600);
    expect(requests).toBe(1);
    expect(waits).toEqual([]);
  });

  it('does not retry a 500 (a fault, not a request to come back)', async () => {
    requests = 0;
    handler = (_b, _r, res) => json(res, { HelloResponse: { Status: 500, StatusDescription: 'broken' } });
    const failure = await new MeshClient({ service: base, retry: recordingRetry().retry })
      .hello()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceFaultError);
    expect(requests).toBe(1);
  });

  it('survives a server whose keep-alive timeout closes the idle socket between two calls', async () => {
    const idle = createServer((req, res) => {
      req.resume();
      req.on('end', () => json(res, { HelloResponse: { Status: 201 } }));
    });
    idle.keepAliveTimeout = 30;
    await new Promise<void>((r) => idle.listen(0, '127.0.0.1', r));
    try {
      const client = new MeshClient({
        service: `http://127.0.0.1:${(idle.address() as AddressInfo).port}`,
        retry: recordingRetry().retry,
      });
      for (let i = 0; i < 5; i++) {
        expect((await client.hello()).Status).toBe(201);
        // Let the server's keep-alive timer close the socket the client's pool still holds.
        await new Promise((r) => setTimeout(r, 35));
      }
    } finally {
      idle.closeAllConnections();
      await new Promise((r) => idle.close(r));
    }
  });
});

describe('transport policy', () => {
  const neverFetch: typeof fetch = () => {
    throw new Error('no request may be made');
  };

  it('refuses plain http to a host other than loopback before any request, naming the host and the flag', () => {
    for (const service of [
      'http://192.0.2.1',
      'http://192.0.2.1:15099/.well-known/mmm/',
      'http://mesh.example.com',
      'http://[2001:db8::1]/',
      'http://128.0.0.1',
    ]) {
      let thrown: unknown;
      try {
        new MeshClient({ service, fetch: neverFetch });
      } catch (e) {
        thrown = e;
      }
      expect(thrown, service).toBeInstanceOf(InsecureTransportError);
      expect((thrown as Error).message).toMatch(
        /^plain http to \S+ would expose .*; use https:\/\/ or pass --allow-insecure-http$/,
      );
    }
    expect(() => new MeshClient({ service: 'http://192.0.2.1', fetch: neverFetch })).toThrow(
      'plain http to 192.0.2.1 would expose',
    );
    expect(
      () => new MeshClient({ service: 'http://192.0.2.1', insecureHttpHint: '"allowInsecureHttp": true' }),
    ).toThrow(/pass "allowInsecureHttp": true$/);
  });

  it('accepts loopback over http, any host over https, and a non-loopback http host when allowed', () => {
    for (const service of [
      'http://127.0.0.1:1',
      'http://127.1.2.3',
      'http://127.1',
      'http://localhost:8080',
      'http://[::1]:9',
      'https://192.0.2.1',
      'https://mesh.example.com',
    ]) {
      expect(() => new MeshClient({ service, fetch: neverFetch }), service).not.toThrow();
    }
    expect(new MeshClient({ service: 'http://192.0.2.1', fetch: neverFetch, allowInsecureHttp: true }).endpoint).toBe(
      'http://192.0.2.1/.well-known/mmm/',
    );
  });

  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.255.255.254', '[::1]'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['localhost.example.com', '128.0.0.1', '[::2]', '10.0.0.1', '0.0.0.0'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('service text in errors', () => {
  it('shows a StatusDescription and stray response keys neutralised in the message, keeping the raw field', async () => {
    handler = (_b, _r, res) =>
      json(res, { HelloResponse: { Status: 403, StatusDescription: 'no\x1b[2K\r witness OK\u202e' } });
    const refused = await new MeshClient({ service: base, retry: recordingRetry().retry })
      .hello()
      .catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/Status 403: no\\x1b\[2K\\x0d witness OK⟪U\+202E⟫$/);
    expect((refused as { statusDescription: string }).statusDescription).toBe('no\x1b[2K\r witness OK\u202e');
    handler = (_b, _r, res) => json(res, { '\x1b[31mred': 1 });
    const malformed = await new MeshClient({ service: base, retry: recordingRetry().retry })
      .hello()
      .catch((e: unknown) => e);
    expect((malformed as Error).message).toContain('(found \\x1b[31mred)');
    expect((malformed as Error).message).not.toContain('\x1b');
  });
});
