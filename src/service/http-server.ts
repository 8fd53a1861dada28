/**
 * @module service/http-server
 * The HTTP binding of the Mesh service (docs/service-protocol.md "Transport";
 * architecture-03 §8): `POST /.well-known/mmm/` with a JSON body, over node:http or, with a
 * certificate, node:https. This layer only moves bytes: it enforces the body size while
 * reading (so an oversized body is never buffered), refuses other methods and paths in the
 * protocol's shape, and hands the bytes to the transport-independent `MeshService`.
 *
 * Graceful shutdown: `close()` stops accepting, lets in-flight requests finish,
 * then closes idle keep-alive connections; a deadline bounds how long a stuck client can hold
 * the process.
 */
import {
  STATUS_CODES,
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MeshService, ServiceReply } from './mesh-service.js';
import { TrustedProxies } from './rate-limit/source-address.js';
import { MESH_SERVICE_PATH } from '../mesh/messages/service-path.js';
import { Status } from '../mesh/messages/status-codes.js';

export interface HttpServerOptions {
  readonly tls?: { readonly cert: Uint8Array; readonly key: Uint8Array };
  /** How long `close()` waits for in-flight requests before cutting connections (ms). */
  readonly shutdownDeadlineMs?: number;
  /** Bytes past the limit still read (and discarded) so the 413 reaches the client; then the socket is cut. */
  readonly maxDiscardBytes?: number;
  /**
   * Proxies whose X-Forwarded-For is believed (`--trust-proxy`); without any, the header is
   * ignored and the peer address is the source (docs/security.md "Rate limits").
   */
  readonly trustProxy?: readonly string[];
}

export interface RunningServer {
  readonly server: Server;
  /** `http://127.0.0.1:15099/.well-known/mmm/` */
  readonly url: string;
  readonly address: AddressInfo;
  /** Requests being handled right now. */
  inFlight(): number;
  /** Stops accepting, waits for in-flight requests, closes connections. */
  close(): Promise<void>;
}

function replyHeaders(reply: ServiceReply, body: Buffer, closeConnection: boolean): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
  };
  if (reply.retryAfter !== undefined) headers['Retry-After'] = Math.ceil(reply.retryAfter);
  if (reply.status === Status.MethodNotAllowed) headers['Allow'] = 'POST';
  if (closeConnection) headers['Connection'] = 'close';
  return headers;
}

// The body's Status is authoritative; HTTP mirrors it, with 201 as 200 OK (docs/service-protocol.md).
const httpStatusOf = (reply: ServiceReply): number => (reply.status === Status.OK ? 200 : reply.status);

function writeReply(res: ServerResponse, reply: ServiceReply, closeConnection = false): void {
  const body = Buffer.from(JSON.stringify(reply.body), 'utf8');
  res.writeHead(httpStatusOf(reply), replyHeaders(reply, body, closeConnection));
  res.end(body);
}

/**
 * A reply written straight to the socket, for requests Node's parser refused before there was
 * a response object (an unknown method, a malformed request line or header).
 */
function writeRawReply(socket: Duplex, reply: ServiceReply): void {
  const body = Buffer.from(JSON.stringify(reply.body), 'utf8');
  const status = httpStatusOf(reply);
  const head = Object.entries(replyHeaders(reply, body, true))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    Buffer.concat([
      Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n`, 'latin1'),
      body,
    ]),
  );
}

/** The refusal for a request Node's HTTP parser rejected, by the parser's error code. */
function clientErrorReply(service: MeshService, code: string | undefined): ServiceReply {
  switch (code) {
    case 'HPE_INVALID_METHOD':
      return service.refuse(Status.MethodNotAllowed, 'unknown HTTP method: the Mesh service takes POST only');
    case 'HPE_HEADER_OVERFLOW':
      return service.refuse(Status.BadRequest, 'the request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return service.refuse(408, 'the request was not received in time');
    default:
      return service.refuse(Status.BadRequest, `malformed HTTP request${code === undefined ? '' : ` (${code})`}`);
  }
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new RangeError(
      `"--listen" expected host:port (e.g. 127.0.0.1:15099), got ${JSON.stringify(listen.slice(0, 80))}`,
    );
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

/** Starts listening; resolves once bound. */
export async function startHttpServer(
  service: MeshService,
  listen: { host: string; port: number },
  options: HttpServerOptions = {},
): Promise<RunningServer> {
  const maxBody = service.bodyLimits.maxBodyBytes;
  const maxDiscard = options.maxDiscardBytes ?? 4 * 1024 * 1024;
  const proxies = new TrustedProxies(options.trustProxy ?? []);
  let active = 0;
  let closing = false;
  const drained: Array<() => void> = [];

  const finished = (): void => {
    active--;
    if (active === 0) for (const wake of drained.splice(0)) wake();
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    active++;
    res.once('close', finished);
    req.on('error', () => res.destroy());
    const path = (req.url ?? '').split('?')[0];
    if (path !== MESH_SERVICE_PATH && path !== MESH_SERVICE_PATH.slice(0, -1)) {
      req.resume();
      writeReply(
        res,
        service.refuse(
          Status.NotFound,
          `no Mesh service at ${JSON.stringify((path ?? '').slice(0, 80))}: POST to ${MESH_SERVICE_PATH}`,
        ),
      );
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      writeReply(
        res,
        service.refuse(
          Status.MethodNotAllowed,
          `method ${req.method ?? '?'} not allowed: the Mesh service takes POST only`,
        ),
      );
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      res.setHeader('Connection', 'close');
      writeReply(
        res,
        service.refuse(Status.TooLarge, `request body is ${declared} bytes, more than the limit of ${maxBody}`),
      );
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (tooLarge) {
        if (received > maxBody + maxDiscard) req.destroy();
        return;
      }
      if (received > maxBody) {
        // A body without Content-Length (chunked) found too large while streaming: the 413 is
        // written at once, whole, and the response ended only when the client has finished
        // sending (or passed the discard allowance), so closing never resets a connection
        // whose client has not yet read the answer.
        tooLarge = true;
        chunks.length = 0;
        const reply = service.refuse(Status.TooLarge, `request body is more than the limit of ${maxBody} bytes`);
        const body = Buffer.from(JSON.stringify(reply.body), 'utf8');
        res.writeHead(httpStatusOf(reply), replyHeaders(reply, body, true));
        res.write(body);
        if (received > maxBody + maxDiscard) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        res.end();
        return;
      }
      const body = new Uint8Array(Buffer.concat(chunks));
      const authorization = req.headers['mesh-authorization'];
      const source = proxies.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
      service
        .handle({
          body,
          ...(typeof authorization === 'string' ? { authorization } : {}),
          ...(source === undefined ? {} : { source }),
        })
        .then((reply) => writeReply(res, reply, closing))
        .catch(() => {
          // handle() never rejects; this is a last guard so no request is left hanging.
          if (!res.headersSent) writeReply(res, service.refuse(Status.Internal, 'internal error'));
        });
    });
  };

  const server: Server =
    options.tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer(
          {
            cert: Buffer.from(options.tls.cert),
            key: Buffer.from(options.tls.key),
            // docs/security.md "Transport": TLS 1.2 at least, 1.3 preferred (negotiated when the client has it).
            minVersion: 'TLSv1.2',
            maxVersion: 'TLSv1.3',
          },
          handler,
        );
  // Slow-loris bounds: a client must send its headers and body within these.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  // Requests Node's parser refuses are answered in the protocol's shape too, while the socket
  // can still take an answer; a reset connection has nobody to answer.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    writeRawReply(socket, clientErrorReply(service, error.code));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls === undefined ? 'http' : 'https'}://${host}:${address.port}${MESH_SERVICE_PATH}`;

  let closed: Promise<void> | undefined;
  return {
    server,
    url,
    address,
    inFlight: () => active,
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = options.shutdownDeadlineMs ?? 10_000;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, deadline);
          timer.unref();
        });
        if (active > 0) await Promise.race([new Promise<void>((resolve) => drained.push(resolve)), timeout]);
        // Responses are written; keep-alive sockets that went idle since can go now.
        server.closeIdleConnections();
        await Promise.race([stopped, timeout]);
        server.closeAllConnections();
        if (timer !== undefined) clearTimeout(timer);
      })();
      return closed;
    },
  };
}
