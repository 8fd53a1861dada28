/**
 * @module service/http-server
 * The HTTP binding of the Mesh service (docs/service-protocol.md "Transport";
 * architecture-03 §8): `POST /.well-known/mmm/` with a JSON body, over node:http or, with a
 * certificate, node:https. This layer only moves bytes: it enforces the body size while
 * reading (so an oversized body is never buffered), refuses other methods and paths in the
 * protocol's shape, and hands the bytes to the transport-independent `MeshService`.
 *
 * Graceful shutdown (issue 3 §4): `close()` stops accepting, lets in-flight requests finish,
 * then closes idle keep-alive connections; a deadline bounds how long a stuck client can hold
 * the process.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { MeshService, ServiceReply } from './mesh-service.js';
import { Status } from './service-errors.js';

/** The well-known path (protocol-09 `/.well-known/mmm`); with and without the final slash. */
export const SERVICE_PATH = '/.well-known/mmm/';

export interface HttpServerOptions {
  readonly tls?: { readonly cert: Uint8Array; readonly key: Uint8Array };
  /** How long `close()` waits for in-flight requests before cutting connections (ms). */
  readonly shutdownDeadlineMs?: number;
  /** Bytes past the limit still read (and discarded) so the 413 reaches the client; then the socket is cut. */
  readonly maxDiscardBytes?: number;
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

function writeReply(res: ServerResponse, reply: ServiceReply, closeConnection = false): void {
  const body = Buffer.from(JSON.stringify(reply.body), 'utf8');
  // The body's Status is authoritative; HTTP mirrors it, with 201 as 200 OK (docs/service-protocol.md).
  const httpStatus = reply.status === Status.OK ? 200 : reply.status;
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
  };
  if (reply.retryAfter !== undefined) headers['Retry-After'] = Math.ceil(reply.retryAfter);
  if (reply.status === Status.MethodNotAllowed) headers['Allow'] = 'POST';
  if (closeConnection) headers['Connection'] = 'close';
  res.writeHead(httpStatus, headers);
  res.end(body);
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new RangeError(`"--listen" expected host:port (e.g. 127.0.0.1:15099), got ${JSON.stringify(listen.slice(0, 80))}`);
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
    if (path !== SERVICE_PATH && path !== SERVICE_PATH.slice(0, -1)) {
      req.resume();
      writeReply(res, service.refuse(Status.NotFound, `no Mesh service at ${JSON.stringify((path ?? '').slice(0, 80))}: POST to ${SERVICE_PATH}`));
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      writeReply(res, service.refuse(Status.MethodNotAllowed, `method ${req.method ?? '?'} not allowed: the Mesh service takes POST only`));
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      res.setHeader('Connection', 'close');
      writeReply(res, service.refuse(Status.TooLarge, `request body is ${declared} bytes, more than the limit of ${maxBody}`));
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBody) {
        tooLarge = true;
        chunks.length = 0;
        if (received > maxBody + maxDiscard) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        res.setHeader('Connection', 'close');
        writeReply(res, service.refuse(Status.TooLarge, `request body is more than the limit of ${maxBody} bytes`));
        return;
      }
      const body = new Uint8Array(Buffer.concat(chunks));
      const authorization = req.headers['mesh-authorization'];
      const source = req.socket.remoteAddress;
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
      : createHttpsServer({ cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) }, handler);
  // Slow-loris bounds: a client must send its headers and body within these.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
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
  const url = `${options.tls === undefined ? 'http' : 'https'}://${host}:${address.port}${SERVICE_PATH}`;

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
