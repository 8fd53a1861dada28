/**
 * @module test/unit/cli/console/console-server-access
 * The console's gate as the server wires it (docs/console.md "Security"), in process on
 * 127.0.0.1 with stand-in page assets and no owner command ever run: a Host that is not the
 * console is 403 before anything else; no session is 401; the token is traded for the cookie
 * with a 303 to `/`; a POST needs the session's own CSRF token, a JSON body, and no Origin or
 * Sec-Fetch-Site naming another site. A request that passes every check reaches the action
 * table, shown here by the 404 of an action that does not exist.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  type RunningConsole,
  startConsole,
} from '../../../../src/cli/console/console-server.js';
import { parseListen } from '../../../../src/cli/console/listen-address.js';
import { seededRandom } from '../../../../src/crypto/random.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

let dir: string;
let running: RunningConsole;
let port: number;
let host: string;

/** One request with exactly these headers (node:http, so Host, Origin and Sec-Fetch-* are ours to set). */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Loads the printed URL: the session cookie to send, and the CSRF token its page carries. */
async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const url = new URL(running.url);
  const opened = await call('GET', `/?${url.searchParams.toString()}`);
  expect(opened.status).toBe(303);
  const setCookie = opened.headers['set-cookie']?.[0] ?? '';
  const cookie = setCookie.split(';')[0] as string;
  const page = await call('GET', '/', { Cookie: cookie });
  expect(page.status).toBe(200);
  const csrf = /<meta name="csrf-token" content="([A-Za-z0-9_-]{43})">/.exec(page.body)?.[1];
  if (csrf === undefined) throw new Error('the page carries no CSRF token');
  return { cookie, csrf };
}

/** A POST as the page makes it, with `override` replacing or (undefined) removing headers. */
function post(
  session: { cookie: string; csrf: string },
  action: string,
  override: Record<string, string | undefined> = {},
  body = '{}',
): Promise<Answer> {
  const headers: Record<string, string | undefined> = {
    Cookie: session.cookie,
    'Content-Type': 'application/json',
    'X-CSRF-Token': session.csrf,
    Origin: `http://${host}`,
    'Sec-Fetch-Site': 'same-origin',
    ...override,
  };
  const present: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) present[k] = v;
  return call('POST', `/api/${action}`, present, body);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-console-unit-'));
  const assets = join(dir, 'assets');
  await mkdir(assets);
  await writeFile(join(assets, 'console.js'), '// stand-in for dist/console/console.js\n');
  await writeFile(join(assets, 'console.css'), '/* stand-in */\n');
  running = await startConsole({
    // Never opened: no request in this file reaches an owner command.
    home: join(dir, 'no-home'),
    listen: parseListen('127.0.0.1:0'),
    allowInsecureHttp: false,
    pollMinMs: 1000,
    pollMaxMs: 2000,
    random: seededRandom(42),
    assetsDirectory: assets,
  });
  const origin = new URL(running.origin);
  port = Number(origin.port);
  host = origin.host;
});

afterAll(async () => {
  await running?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('the Host check', () => {
  it('answers the console’s own loopback names with its port', async () => {
    for (const name of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`])
      expect((await call('GET', '/', { Host: name })).status, name).toBe(401);
  });

  it('a foreign Host is 403 before the token or the cookie is looked at', async () => {
    const session = await signIn();
    const token = new URL(running.url).search;
    for (const name of ['attacker.example', `attacker.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`]) {
      for (const [path, headers] of [
        ['/', { Cookie: session.cookie }],
        [`/${token}`, {}],
        ['/console.js', { Cookie: session.cookie }],
      ] as const) {
        const answer = await call('GET', path, { ...headers, Host: name });
        expect(answer.status, `${name} ${path}`).toBe(403);
        expect(answer.headers['set-cookie']).toBeUndefined();
        expect(answer.body).toContain('this Host is not the console');
      }
      expect((await post(session, 'nothing-here', { Host: name })).status).toBe(403);
    }
  });
});

describe('token and session', () => {
  it('without a session every path is 401, with the security headers', async () => {
    for (const path of ['/', '/console.js', '/api/overview', '/api/events', '/nothing'])
      expect((await call('GET', path)).status, path).toBe(401);
    const bare = await call('GET', '/');
    expect(bare.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(bare.headers['x-frame-options']).toBe('DENY');
    expect(bare.headers['cache-control']).toBe('no-store');
    expect((await call('POST', '/api/pin', { 'Content-Type': 'application/json' }, '{}')).status).toBe(401);
    // A cookie that names no session of ours is no session.
    expect((await call('GET', '/', { Cookie: 'mesh_console=forged' })).status).toBe(401);
  });

  it('a wrong token is 401 and sets no cookie', async () => {
    const token = new URL(running.url).searchParams.get('token') as string;
    for (const wrong of ['', 'wrong', token.slice(0, -1), `${token}x`]) {
      const answer = await call('GET', `/?token=${encodeURIComponent(wrong)}`);
      expect(answer.status, wrong).toBe(401);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('the token is traded for an HttpOnly, SameSite=Strict cookie and a 303 to /', async () => {
    const opened = await call('GET', new URL(running.url).pathname + new URL(running.url).search);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/');
    const setCookie = opened.headers['set-cookie'] ?? [];
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^mesh_console=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(opened.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    // The token stays good while the console runs: a second browser gets its own session.
    const first = await signIn();
    const second = await signIn();
    expect(second.cookie).not.toBe(first.cookie);
    expect(second.csrf).not.toBe(first.csrf);
  });
});

describe('state-changing requests', () => {
  it('with the session’s CSRF token, a JSON body and same-origin, a POST reaches the action table', async () => {
    const session = await signIn();
    const answer = await post(session, 'no-such-action');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: 'no such action' });
    // A browser that sends neither Origin nor Sec-Fetch-Site still needs the CSRF token.
    expect((await post(session, 'no-such-action', { Origin: undefined, 'Sec-Fetch-Site': undefined })).status).toBe(
      404,
    );
    // Any of the console's own loopback origins is the console.
    expect((await post(session, 'no-such-action', { Origin: `http://localhost:${port}` })).status).toBe(404);
  });

  it('a missing, wrong or other session’s CSRF token is 403', async () => {
    const session = await signIn();
    const other = await signIn();
    for (const csrf of [undefined, '', 'x'.repeat(43), session.csrf.slice(0, -1), other.csrf]) {
      const answer = await post(session, 'pin', { 'X-CSRF-Token': csrf });
      expect(answer.status, String(csrf)).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ error: 'missing or wrong x-csrf-token header' });
    }
  });

  it('an Origin that is not the console is 403, even with the right CSRF token', async () => {
    const session = await signIn();
    for (const origin of [
      'http://attacker.example',
      `http://attacker.example:${port}`,
      `https://${host}`,
      `http://127.0.0.1:${port + 1}`,
      `http://${host}.attacker.example`,
      'null',
    ]) {
      const answer = await post(session, 'pin', { Origin: origin });
      expect(answer.status, origin).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ error: 'cross-origin request refused' });
    }
  });

  it('a Sec-Fetch-Site other than same-origin is 403, even with the right CSRF token', async () => {
    const session = await signIn();
    for (const site of ['cross-site', 'same-site', 'none']) {
      const answer = await post(session, 'pin', { 'Sec-Fetch-Site': site });
      expect(answer.status, site).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ error: 'cross-origin request refused' });
    }
  });

  it('a body that is not JSON (what a form could send) or is too large is refused before any command runs', async () => {
    const session = await signIn();
    const form = await post(session, 'pin', { 'Content-Type': 'text/plain' }, 'expires=1h');
    expect(form.status).toBe(415);
    expect((await post(session, 'pin', {}, 'not json')).status).toBe(400);
    expect((await post(session, 'pin', {}, '[]')).status).toBe(400);
    expect((await post(session, 'pin', {}, JSON.stringify({ roles: 'x'.repeat(70 * 1024) }))).status).toBe(413);
  });

  it('a GET to an action, or another method, does nothing', async () => {
    const session = await signIn();
    expect((await call('GET', '/api/pin', { Cookie: session.cookie })).status).toBe(404);
    expect((await call('PUT', '/api/pin', { Cookie: session.cookie, 'X-CSRF-Token': session.csrf }, '{}')).status).toBe(
      405,
    );
  });
});
