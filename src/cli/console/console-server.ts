/**
 * @module cli/console/console-server
 * The homeowner's web console (docs/console.md): node:http (node:https with `--tls-cert`),
 * one page, its script and style sheet built by scripts/build.mjs into dist/console/, a
 * JSON API that runs the owner commands (owner-actions.ts) and an event stream of pending
 * requests (pending-feed.ts).
 *
 * This module is loaded only when `mesh console` runs (scripts/build.mjs builds it as the lazy
 * chunk dist/mesh-console.mjs), so the other commands do not carry it.
 *
 * Every response carries a strict Content-Security-Policy: the page's own script and style
 * sheet only, no inline script or style, no other origin, not framed. Requests are answered
 * only for a Host naming the console (listen-address.ts), only with the session cookie
 * (console-access.ts), and a state-changing one only with the session's CSRF token.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RandomSource } from '../../crypto/random.js';
import type { JsonValue } from '../../mesh/encoding/json-value.js';
import { qrMatrix } from '../../platform/label/qr-matrix.js';
import { UsageError } from '../cli-errors.js';
import type { OwnerEnvironment } from '../owner/owner-session.js';
import { ConsoleAccess, CSRF_HEADER } from './console-access.js';
import { consolePageHtml, unauthorizedHtml } from './console-page-html.js';
import { allowedHosts, hostAllowed, type ListenAddress } from './listen-address.js';
import { ActionFailedError, OwnerActions } from './owner-actions.js';
import { PendingFeed } from './pending-feed.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "media-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
  'Cache-Control': 'no-store',
};

/** A request body larger than this is refused: the largest action (configure) is well under 4 KiB. */
const MAX_BODY_BYTES = 64 * 1024;
/** A value the page sends for one argument. */
const MAX_ARGUMENT_CHARS = 2048;

export interface ConsoleOptions {
  readonly home: string;
  readonly listen: ListenAddress;
  readonly allowInsecureHttp: boolean;
  readonly tls?: { readonly cert: Uint8Array; readonly key: Uint8Array };
  readonly publicName?: string;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  readonly random: RandomSource;
  readonly env?: OwnerEnvironment;
  /** dist/console (the page's built script and style sheet); found beside this module by default. */
  readonly assetsDirectory?: string;
}

export interface RunningConsole {
  /** The one URL to open: it carries the access token. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

/** dist/console beside the bundle (dist/mesh-console.mjs), or under the repository when run from source. */
function defaultAssets(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'console'), join(here, '..', '..', '..', 'dist', 'console')];
  return candidates.find((c) => existsSync(join(c, 'console.js'))) ?? (candidates[0] as string);
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

async function loadAssets(directory: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of [
    ['console.js', 'text/javascript; charset=utf-8'],
    ['console.css', 'text/css; charset=utf-8'],
  ] as const) {
    try {
      assets.set(`/${name}`, { type, body: await readFile(join(directory, name)) });
    } catch {
      throw new UsageError(`the console's page is not built: ${join(directory, name)} is missing (run npm run build)`);
    }
  }
  return assets;
}

class HttpRefusal extends ActionFailedError {}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: JsonValue): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(;|$)/i.test(type)) throw new HttpRefusal(415, 'expected Content-Type application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpRefusal(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpRefusal(400, 'request body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new HttpRefusal(400, 'request body is not a JSON object');
  return parsed as Record<string, unknown>;
}

/** A string field of the body: required, or undefined when absent or empty and optional. */
function field(body: Record<string, unknown>, name: string, required: true): string;
function field(body: Record<string, unknown>, name: string, required?: false): string | undefined;
function field(body: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new HttpRefusal(400, `"${name}" is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > MAX_ARGUMENT_CHARS)
    throw new HttpRefusal(400, `"${name}" expected a string of at most ${MAX_ARGUMENT_CHARS} characters`);
  return value.trim();
}

function options(pairs: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) out[k] = v;
  return out;
}

export async function startConsole(config: ConsoleOptions): Promise<RunningConsole> {
  const assets = await loadAssets(config.assetsDirectory ?? defaultAssets());
  const secure = config.tls !== undefined;
  const access = new ConsoleAccess(config.random, secure);
  const actions = new OwnerActions({
    home: config.home,
    allowInsecureHttp: config.allowInsecureHttp,
    ...(config.env === undefined ? {} : { env: config.env }),
  });
  const feed = new PendingFeed(actions, { minMs: config.pollMinMs, maxMs: config.pollMaxMs });
  let hosts = new Set<string>();
  let origins = new Set<string>();

  /** The POST actions: each one `mesh` command, with the page's fields as its arguments. */
  const routes: Readonly<Record<string, (body: Record<string, unknown>) => Promise<JsonValue>>> = {
    accept: (b) => actions.run('accept', [field(b, 'witness', true)], options({ roles: field(b, 'roles') })),
    reject: (b) => actions.run('reject', [field(b, 'witness', true)]),
    revoke: (b) => actions.run('revoke', [field(b, 'deviceUdf', true)]),
    configure: (b) =>
      actions.run(
        'configure',
        [field(b, 'deviceUdf', true)],
        options({
          'mqtt-url': field(b, 'mqttUrl', true),
          'mqtt-user': field(b, 'mqttUser'),
          'mqtt-password': field(b, 'mqttPassword'),
          'topic-prefix': field(b, 'topicPrefix'),
        }),
      ),
    claim: (b) =>
      actions.run(
        'claim',
        [field(b, 'uri', true)],
        options({
          fingerprint: field(b, 'fingerprint'),
          'maker-service': field(b, 'makerService'),
          roles: field(b, 'roles'),
        }),
      ),
    pin: async (b) => {
      const made = (await actions.run(
        'pin',
        [],
        options({ expires: field(b, 'expires'), roles: field(b, 'roles') }),
      )) as Record<string, JsonValue>;
      const matrix = qrMatrix(String(made['uri']));
      return { ...made, qr: { size: matrix.size, modules: Array.from(matrix.modules).join('') } };
    },
  };

  async function overview(): Promise<JsonValue> {
    const [status, devices] = await Promise.all([actions.run('status'), actions.run('list')]);
    // The owner home keeps the account seed in one file (owner-home.ts); no other tier exists for it yet.
    return { status, devices, keystore: { tier: 'file', description: 'secrets.json in the owner home, mode 0600' } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, hosts)) {
      send(
        res,
        403,
        'text/plain; charset=utf-8',
        'mesh console: this Host is not the console (use the URL mesh console printed)\n',
      );
      return;
    }
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const session = access.sessionOf(req.headers.cookie);

    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!access.tokenMatches(url.searchParams.get('token'))) {
        send(
          res,
          401,
          'text/html; charset=utf-8',
          unauthorizedHtml('The access token is not this console’s. Open the URL mesh console printed.'),
        );
        return;
      }
      const opened = access.openSession(Date.now());
      // 303 to the bare path: the token leaves the address bar and the history.
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: '/',
        'Set-Cookie': opened.setCookie,
        'Content-Type': 'text/plain; charset=utf-8',
      });
      res.end('signed in\n');
      return;
    }
    if (session === undefined) {
      send(
        res,
        401,
        'text/html; charset=utf-8',
        unauthorizedHtml('Open the URL that mesh console printed (it carries the access token).'),
      );
      return;
    }

    if (req.method === 'GET') {
      if (url.pathname === '/') {
        send(res, 200, 'text/html; charset=utf-8', consolePageHtml(access.csrfOf(session.id)));
        return;
      }
      const asset = assets.get(url.pathname);
      if (asset !== undefined) {
        send(res, 200, asset.type, asset.body);
        return;
      }
      if (url.pathname === '/api/overview') {
        sendJson(res, 200, await overview());
        return;
      }
      if (url.pathname === '/api/events') {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
        feed.attach(res);
        return;
      }
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }

    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      // A browser says where a request came from; anything but this console is refused.
      const origin = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if ((origin !== undefined && !origins.has(origin)) || (site !== undefined && site !== 'same-origin')) {
        sendJson(res, 403, { error: 'cross-origin request refused' });
        return;
      }
      if (!access.csrfMatches(session.id, req.headers[CSRF_HEADER])) {
        sendJson(res, 403, { error: `missing or wrong ${CSRF_HEADER} header` });
        return;
      }
      const route = routes[url.pathname.slice('/api/'.length)];
      if (route === undefined) {
        sendJson(res, 404, { error: 'no such action' });
        return;
      }
      const result = await route(await readJsonBody(req));
      feed.kick();
      sendJson(res, 200, result);
      return;
    }
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (error instanceof ActionFailedError) sendJson(res, error.status, { error: error.message });
      else sendJson(res, 500, { error: 'internal error' });
    });
  };
  const tls = config.tls;
  const server: Server =
    tls !== undefined
      ? createTlsServer({ cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) }, listener)
      : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(config.listen, port, config.publicName);
  const scheme = secure ? 'https' : 'http';
  origins = new Set([...hosts].map((h) => `${scheme}://${h}`));
  const shownHost =
    config.publicName ?? (config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host);
  const origin = `${scheme}://${shownHost}:${port}`;
  return {
    url: `${origin}/?token=${access.token}`,
    origin,
    async close() {
      feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
