/**
 * @module test/unit/cli/owner-mesh-client
 * The owner's HTTP client against a scripted HTTP server on 127.0.0.1: request shape and
 * signing header, Status → typed errors, Pending/Expired as results, the timeout, the
 * response size bound, malformed answers and an unreachable service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  MalformedResponseError,
  type ProtocolError,
  ResponseTooLargeError,
  ServiceTimeoutError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../../src/platform/http/http-errors.js';
import { MeshClient, serviceEndpoint } from '../../../src/platform/http/mesh-client.js';

type Handler = (body: string, req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_b, _r, res) => res.end('{}');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(Buffer.concat(chunks).toString('utf8'), req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const reply =
  (value: unknown, status = 200): Handler =>
  (_b, _r, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
const ENVELOPE = [{ EnvelopeId: 'MAAA' }, 'e30'];

describe('MeshClient', () => {
  it('posts {"<Name>Request": …} to /.well-known/mmm/ and reads the typed response', async () => {
    let seen: { url?: string; body?: string; type?: string } = {};
    handler = (body, req, res) => {
      seen = { url: req.url, body, type: req.headers['content-type'] };
      reply({
        ValidateResponse: { Status: 201, StatusDescription: 'OK', Valid: true, Minimum: 1, InvalidCharacters: '' },
      })(body, req, res);
    };
    const client = new MeshClient({ service: base });
    const response = await client.validate({ Account: 'alice@example.com', Language: ['en-uk'] });
    expect(seen).toEqual({
      url: '/.well-known/mmm/',
      body: JSON.stringify({ ValidateRequest: { Account: 'alice@example.com', Language: ['en-uk'] } }),
      type: 'application/json',
    });
    expect(response).toEqual({ Status: 201, StatusDescription: 'OK', Valid: true, Minimum: 1, InvalidCharacters: '' });
  });

  it('gives the signer the exact body bytes and sends its Mesh-Authorization header', async () => {
    let header: string | undefined;
    let body = '';
    handler = (b, req, res) => {
      header = req.headers['mesh-authorization'] as string;
      body = b;
      reply({ ConnectCompleteResponse: { Status: 201 } })(b, req, res);
    };
    let signed = '';
    const client = new MeshClient({ service: base });
    await client.connectComplete(
      { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: ENVELOPE as never },
      (bytes) => {
        signed = new TextDecoder().decode(bytes);
        return 'Mesh account="alice@example.com", signature="x"';
      },
    );
    expect(signed).toBe(body);
    expect(header).toBe('Mesh account="alice@example.com", signature="x"');
  });

  it('maps a refused Status to its error class with Status and StatusDescription, whatever the HTTP status', async () => {
    const client = new MeshClient({ service: base });
    handler = reply({ ConnectPendingResponse: { Status: 401, StatusDescription: 'nonce replayed' } }, 401);
    const error = await client.connectPending({ AccountAddress: 'a@b.c' }, () => 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ status: 401, statusDescription: 'nonce replayed', transaction: 'ConnectPending' });
    expect((error as Error).message).toContain(base);
    handler = reply({ CreateResponse: { Status: 409, StatusDescription: 'account exists' } }, 200);
    await expect(
      client.createAccount({ Account: 'a@b.c', EnvelopedProfileAccount: ENVELOPE as never }, () => 'x'),
    ).rejects.toThrow(ConflictError);
    handler = reply({ ConnectStartResponse: { Status: 429, RetryAfter: 60 } }, 429);
    const locked = await client
      .connectStart({ AccountAddress: 'a@b.c', EnvelopedRequestConnection: ENVELOPE as never })
      .catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(TooManyRequestsError);
    expect((locked as ProtocolError).retryAfter).toBe(60);
  });

  it('returns Pending (202) and Expired (410) from ConnectStatus as results', async () => {
    const client = new MeshClient({ service: base });
    handler = reply({ ConnectStatusResponse: { Status: 202, Result: 'Pending', RetryAfter: 5 } }, 202);
    expect(await client.connectStatus({ AccountAddress: 'a@b.c', ResponseId: 'M' })).toEqual({
      Status: 202,
      Result: 'Pending',
      RetryAfter: 5,
    });
    handler = reply({ ConnectStatusResponse: { Status: 410, Result: 'Expired' } }, 410);
    expect((await client.connectStatus({ AccountAddress: 'a@b.c', ResponseId: 'M' })).Result).toBe('Expired');
    handler = reply({ ConnectStatusResponse: { Status: 201, Result: 'Maybe' } });
    await expect(client.connectStatus({ AccountAddress: 'a@b.c', ResponseId: 'M' })).rejects.toThrow(
      /ConnectStatusResponse\.Result/,
    );
  });

  it('refuses answers that are not in the protocol shape, naming what is wrong', async () => {
    const client = new MeshClient({ service: base });
    handler = (_b, _r, res) => res.end('<html>proxy error</html>');
    await expect(client.hello()).rejects.toThrow(MalformedResponseError);
    handler = reply({ OtherResponse: { Status: 201 } });
    await expect(client.hello()).rejects.toThrow(/without \{"HelloResponse"/);
    handler = reply({ HelloResponse: { Status: '201' } });
    await expect(client.hello()).rejects.toThrow(/"HelloResponse\.Status" expected an integer/);
    handler = reply({
      ConnectPendingResponse: { Status: 201, Pending: [{ EnvelopedAcknowledgeConnection: 'x', PinValidated: true }] },
    });
    await expect(client.connectPending({ AccountAddress: 'a@b.c' }, () => 'x')).rejects.toThrow(
      /Pending\[0\]\.EnvelopedAcknowledgeConnection/,
    );
  });

  it('stops reading an answer beyond the size bound, declared or streamed', async () => {
    const client = new MeshClient({ service: base, maxResponseBytes: 4096 });
    handler = reply({ HelloResponse: { Status: 201, Pad: 'x'.repeat(10_000) } });
    await expect(client.hello()).rejects.toThrow(ResponseTooLargeError);
    handler = (_b, _r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"HelloResponse":{"Status":201,"Pad":"');
      const timer = setInterval(() => {
        if (!res.writableEnded) res.write('x'.repeat(1024));
      }, 1);
      res.on('close', () => clearInterval(timer));
    };
    await expect(client.hello()).rejects.toThrow(/more than 4096 bytes/);
  });

  it('times out a service that never answers', async () => {
    handler = () => undefined;
    const client = new MeshClient({ service: base, timeoutMs: 200 });
    const error = await client.hello().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTimeoutError);
    expect((error as Error).message).toMatch(
      /no answer from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/mmm\/ within 200 ms/,
    );
  });

  it('reports an unreachable service with its URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const error = await new MeshClient({ service: `http://127.0.0.1:${port}` }).hello().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).url).toBe(`http://127.0.0.1:${port}/.well-known/mmm/`);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('normalises service URLs and refuses other schemes or credentials', () => {
    expect(serviceEndpoint('http://127.0.0.1:15099')).toBe('http://127.0.0.1:15099/.well-known/mmm/');
    expect(serviceEndpoint('https://mesh.example.com/.well-known/mmm')).toBe(
      'https://mesh.example.com/.well-known/mmm/',
    );
    expect(() => serviceEndpoint('ftp://x')).toThrow(/"service" expected an http/);
    expect(() => serviceEndpoint('http://u:p@x/')).toThrow(/credentials/);
    expect(() => serviceEndpoint('not a url')).toThrow(/"service"/);
  });
});
