#!/usr/bin/env node
/**
 * The front-door soak (docs/security.md "Soak and fuzz"): runs the Mesh service in its own
 * process on 127.0.0.1 in a temp data directory, sends it a long, bounded stream of malformed
 * requests and the four jamming patterns (many small ConnectStarts, a few oversized ones,
 * stale requests, strangers against the owner's PIN), and after each pattern has an owner use
 * the built CLI (`node dist/mesh.mjs`) to list and accept a real device. Prints what happened
 * and exits 1 when something failed. Not part of CI: `npm run soak -- --help`.
 *
 * Rate limits: the malformed stream and patterns 2-4 run against a service with its rate
 * limits off, so every request reaches the parsers and the pending cap, PIN and size checks
 * decide, not the limiter; a 429 is still counted as its own category. Pattern 1 runs twice:
 * limits off (the pending cap decides) and on (a second service, default limits: the limiter
 * refuses the flood with 429).
 */
import { build } from 'esbuild';
import { fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const DAY = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------- arguments
const usage = `usage: npm run soak -- [--requests N] [--seconds S] [--concurrency C] [--flood N] [--stale N] [--big N] [--host 127.0.0.1] [--seed N] [--max-rss-growth-mb M] [--keep]
  --requests N     malformed requests to send (default 100000)
  --seconds S      stop the malformed stream after S seconds, whatever N (default 600)
  --concurrency C  requests in flight (default 32)
  --flood N        pattern 1: small ConnectStarts for one account (default 2000)
  --stale N        pattern 3: requests filed three days ago (default 1200)
  --big N          pattern 2: ~240 KB ConnectStarts (default 20)
  --host H         the loopback address the service listens on (127.0.0.0/8 or ::1 only)`;

function parseArgs(argv) {
  const o = {
    requests: 100_000,
    seconds: 600,
    concurrency: 32,
    flood: 2000,
    stale: 1200,
    big: 20,
    host: '127.0.0.1',
    seed: 20261202,
    maxRssGrowthMb: 256,
    keep: false,
  };
  const names = {
    '--requests': 'requests',
    '--seconds': 'seconds',
    '--concurrency': 'concurrency',
    '--flood': 'flood',
    '--stale': 'stale',
    '--big': 'big',
    '--seed': 'seed',
    '--max-rss-growth-mb': 'maxRssGrowthMb',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (a === '--keep') o.keep = true;
    else if (a === '--host') o.host = argv[++i];
    else if (a in names) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) fail(`${a} expected a whole number, got ${JSON.stringify(argv[i])}`);
      o[names[a]] = v;
    } else fail(`unknown argument ${JSON.stringify(a)}\n${usage}`);
  }
  // The soak floods what it talks to: only the loopback interface, never a real service.
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(o.host ?? '') && o.host !== '::1') {
    fail(
      `--host expected a loopback address (127.0.0.0/8 or ::1), got ${JSON.stringify(o.host)}: the soak only floods a service it started itself`,
    );
  }
  if (o.concurrency < 1) fail('--concurrency expected at least 1');
  return o;
}

function fail(message) {
  console.error(`soak: ${message}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- build
const outdir = join(root, '.tmp', 'soak');
await mkdir(outdir, { recursive: true });
if (!existsSync(join(root, 'dist', 'mesh.mjs'))) {
  console.log('soak: building dist/ (node scripts/build.mjs)');
  await run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
}
for (const name of ['service-child', 'soak-lib']) {
  await build({
    entryPoints: [join(here, `${name}.ts`)],
    outfile: join(outdir, `${name}.mjs`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    packages: 'external',
  });
}
const lib = await import(pathToFileURL(join(outdir, 'soak-lib.mjs')).href);

// ---------------------------------------------------------------- the service process
/** The service process could not be started (it exited, or never said where it listens). */
class ServiceStartError extends Error {
  name = 'ServiceStartError';
}

class ServiceProcess {
  constructor(dataDirectory, rateLimits) {
    this.dataDirectory = dataDirectory;
    this.rateLimits = rateLimits;
    this.port = 0;
    this.crashes = 0;
    this.exits = [];
    this.stopping = false;
  }

  async start() {
    this.child = fork(
      join(outdir, 'service-child.mjs'),
      [
        JSON.stringify({
          dataDirectory: this.dataDirectory,
          host: opts.host,
          port: this.port,
          rateLimits: this.rateLimits,
        }),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    this.stderr = '';
    this.child.stderr.on('data', (c) => {
      this.stderr = (this.stderr + c.toString()).slice(-4000);
    });
    const url = await new Promise((resolve, reject) => {
      this.child.once('message', (m) =>
        m.url ? resolve(m.url) : reject(new ServiceStartError('service child sent no URL')),
      );
      this.child.once('exit', (code, signal) =>
        reject(new ServiceStartError(`service child exited (${code ?? signal}) before serving: ${this.stderr}`)),
      );
    });
    this.url = url;
    this.port = Number(new URL(url).port);
    this.child.on('exit', (code, signal) => {
      if (this.stopping) return;
      // A crash: count it, keep its last words, and bring the service back on the same port.
      this.crashes++;
      this.exits.push(`exit ${code ?? signal}: ${this.stderr.slice(-500)}`);
      this.restarting = this.start().catch((e) => this.exits.push(`restart failed: ${e.message}`));
    });
    return url;
  }

  async rss() {
    try {
      const status = await readFile(`/proc/${this.child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
    } catch {
      return NaN;
    }
  }

  setOffset(offset) {
    return new Promise((resolve) => {
      const on = (m) => {
        if (m.offsetSet === offset) {
          this.child.off('message', on);
          resolve();
        }
      };
      this.child.on('message', on);
      this.child.send({ offset });
    });
  }

  async stop() {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

function run(file, args, timeoutMs = 120_000) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout: stdout.trim(), stderr: stderr.trim(), ms: performance.now() - started });
    });
  });
}

// ---------------------------------------------------------------- statistics
const stats = {
  sent: 0,
  byStatus: new Map(),
  fiveHundreds: [],
  nonJson: [],
  cut: 0,
  clientClosed: 0,
  latencies: [],
  byKind: new Map(),
  errors: new Map(),
};
const categoryOf = (status) =>
  status === 429 ? '429 (refused by a limit: expected)' : status >= 500 ? '5xx' : `${Math.floor(status / 100)}xx`;
function record(what, reply, ms) {
  stats.sent++;
  stats.latencies.push(ms);
  const kind = stats.byKind.get(what) ?? { n: 0, total: 0, max: 0 };
  kind.n++;
  kind.total += ms;
  kind.max = Math.max(kind.max, ms);
  stats.byKind.set(what, kind);
  if (reply.kind === 'cut') {
    stats.cut++;
    const key = `${what}: ${reply.code ?? 'closed'}`;
    stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
    return;
  }
  if (reply.kind === 'client-closed') {
    stats.clientClosed++;
    return;
  }
  const status = reply.status;
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
  if (reply.json === undefined) stats.nonJson.push(`${what}: HTTP ${reply.http} ${String(reply.raw).slice(0, 120)}`);
  if (reply.http >= 500 || status >= 500)
    stats.fiveHundreds.push(`${what}: HTTP ${reply.http} ${String(reply.raw).slice(0, 160)}`);
}

function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

// ---------------------------------------------------------------- HTTP
const agents = new Map();
function agentFor(localAddress) {
  let agent = agents.get(localAddress);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, localAddress, maxSockets: 64 });
    agents.set(localAddress, agent);
  }
  return agent;
}

/** One request; resolves { kind: 'reply', http, status, json, raw } or { kind: 'cut' }. */
function send(
  url,
  {
    method = 'POST',
    path,
    body,
    headers = {},
    chunked = false,
    localAddress = opts.host === '::1' ? '::1' : '127.0.0.2',
  },
) {
  const target = new URL(url);
  if (path !== undefined) target.pathname = path;
  return new Promise((resolve) => {
    const h = { 'content-type': 'application/json', ...headers };
    if (body !== undefined && !chunked) h['content-length'] = Buffer.byteLength(body);
    const req = request(target, { method, agent: agentFor(localAddress), headers: h, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(parseReply(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', (e) => resolve({ kind: 'cut', code: e.code }));
    });
    req.on('error', (e) => resolve({ kind: 'cut', code: e.code }));
    req.on('timeout', () => req.destroy());
    if (body === undefined) req.end();
    else if (chunked) {
      // Chunked, no Content-Length: the service must count as it reads.
      const piece = Buffer.alloc(16 * 1024, 0x61);
      let n = 0;
      const more = () => {
        while (n < body) {
          n += piece.length;
          if (!req.write(piece)) return req.once('drain', more);
        }
        req.end();
      };
      req.write('{"ConnectStartRequest": {"AccountAddress": "');
      more();
    } else req.end(body);
  });
}

function parseReply(http, raw) {
  let json;
  let status;
  try {
    json = JSON.parse(raw);
    const names = Object.keys(json);
    const inner = json[names[0]];
    if (
      names.length !== 1 ||
      !/Response$/.test(names[0]) ||
      typeof inner?.Status !== 'number' ||
      typeof inner.StatusDescription !== 'string'
    )
      json = undefined;
    else status = inner.Status;
  } catch {
    json = undefined;
  }
  return {
    kind: 'reply',
    http,
    status: status ?? http,
    json,
    raw,
    retryAfter: json?.[Object.keys(json)[0]]?.RetryAfter,
  };
}

/** A request over a raw socket: a slow body, or one the client abandons half-way. */
function sendRaw(url, { body, declared, pauseMs, abandon }) {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port),
      localAddress: opts.host === '::1' ? '::1' : '127.0.0.2',
    });
    let raw = '';
    socket.on('data', (c) => (raw += c.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (abandon) return resolve({ kind: 'client-closed' });
      const split = raw.indexOf('\r\n\r\n');
      const http = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      if (split < 0) return resolve({ kind: 'cut' });
      resolve(parseReply(http, raw.slice(split + 4)));
    });
    socket.on('connect', () => {
      socket.write(
        `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`,
      );
      const half = Math.floor(body.length / 2);
      socket.write(body.slice(0, half));
      setTimeout(() => {
        if (abandon) return socket.destroy();
        socket.end(body.slice(half));
      }, pauseMs);
    });
  });
}

// ---------------------------------------------------------------- malformed requests
/** mulberry32, seeded, so a run can be repeated. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function malformedGenerator(account, validBody, seed) {
  const rnd = prng(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pick = (xs) => xs[int(xs.length)];
  const valid = JSON.parse(validBody).ConnectStartRequest;
  const [header, payload, trailer] = valid.EnvelopedRequestConnection;
  const cs = (v) => JSON.stringify({ ConnectStartRequest: v });
  const wrong = () => pick([0, -1, 1.5, true, null, [], {}, [1, 2], { a: 1 }, 'x', 2 ** 64, -1e308]);
  const kinds = [
    ['truncated JSON', () => ({ body: validBody.slice(0, int(validBody.length)) })],
    ['wrong types', () => ({ body: cs({ AccountAddress: wrong(), EnvelopedRequestConnection: wrong() }) })],
    [
      'huge number',
      () => ({
        body: `{"ConnectStartRequest": {"AccountAddress": 1${'0'.repeat(310 + int(5000))}, "EnvelopedRequestConnection": [1e999999]}}`,
      }),
    ],
    ['deep nesting', () => ({ body: `{"ConnectStartRequest": ${'['.repeat(33 + int(20000))}` })],
    [
      'unknown transaction',
      () => ({
        body: JSON.stringify({ [`${pick(['Foo', 'Connect', 'Admin', 'Shutdown', 'X'])}${int(1e6)}Request`]: {} }),
      }),
    ],
    [
      'bad base64',
      () => ({
        body: cs({
          AccountAddress: account,
          EnvelopedRequestConnection: [header, pick(['@@@', '!!', '====', 'a', payload.slice(1)]), trailer],
        }),
      }),
    ],
    [
      'bad envelope',
      () => ({
        body: cs({
          AccountAddress: account,
          EnvelopedRequestConnection: pick([
            [],
            [header],
            [payload, header, trailer],
            [null, payload, null],
            [header, payload, trailer, trailer],
            'envelope',
          ]),
        }),
      }),
    ],
    [
      'oversized field',
      () => ({ body: cs({ AccountAddress: 'x'.repeat(300 * 1024 + int(4096)), EnvelopedRequestConnection: [] }) }),
    ],
    [
      'wrong signature',
      () => {
        const t = structuredClone(trailer);
        const s = t.signatures[0].signature;
        const at = int(s.length);
        t.signatures[0].signature = s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
        return { body: cs({ AccountAddress: account, EnvelopedRequestConnection: [header, payload, t] }) };
      },
    ],
    [
      'bad Mesh-Authorization',
      () => ({
        body: JSON.stringify({ ConnectPendingRequest: { AccountAddress: account } }),
        headers: {
          'mesh-authorization': pick([
            'Mesh',
            'Basic Zm9v',
            'Mesh a="b"',
            `Mesh account="${account}", kid="${'A'.repeat(int(8000))}"`,
            `Mesh account="${account}", kid="x", created="2026-11-21T10:00:00Z", nonce="AAAAAAAAAAAAAAAAAAAAAA", signature="@@"`,
          ]),
        },
      }),
    ],
    ['chunked oversize', () => ({ body: 300 * 1024 + int(64 * 1024), chunked: true })],
    [
      'unknown method',
      () => ({
        method: pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND']),
        ...(rnd() < 0.5 ? {} : { body: validBody }),
      }),
    ],
    [
      'unknown path',
      () => ({
        path: pick(['/', '/.well-known/', '/.well-known/mmm/x', '/admin', '/.well-known/mmm/../../etc/passwd']),
        body: validBody,
      }),
    ],
    [
      'garbage bytes',
      () => {
        const b = Buffer.alloc(1 + int(512));
        for (let i = 0; i < b.length; i++) b[i] = int(256);
        return { body: b };
      },
    ],
    [
      'wrong transaction shape',
      () => ({
        body: JSON.stringify(
          pick([
            [],
            null,
            1,
            'ConnectStartRequest',
            { ConnectStartRequest: {}, ClaimRequest: {} },
            { ClaimRequest: { EnvelopedMessageClaim: wrong() } },
            { PollClaimRequest: { PublicationId: wrong() } },
          ]),
        ),
      }),
    ],
  ];
  return (i) => {
    // One in 500 is a slow or abandoned body over a raw socket (bounded: at most 300 ms each).
    if (i % 500 === 499)
      return [
        'slow body',
        { raw: true, body: validBody.slice(0, 200) + '}', declared: 201, pauseMs: 50 + int(250), abandon: false },
      ];
    if (i % 500 === 249)
      return [
        'abandoned body',
        { raw: true, body: validBody, declared: validBody.length + 100, pauseMs: 50 + int(250), abandon: true },
      ];
    const [what, make] = kinds[i % kinds.length];
    return [what, make()];
  };
}

async function pool(count, concurrency, task, deadline = Infinity) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < deadline) await task(next++);
    }),
  );
  return next;
}

// ---------------------------------------------------------------- owner checks
const checks = [];
async function check(name, fn) {
  const started = performance.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail, ms: performance.now() - started });
  } catch (error) {
    checks.push({ name, ok: false, detail: error?.message ?? String(error), ms: performance.now() - started });
  }
}

/** An owner check saw the owner or the device fail; the message says which step. */
class CheckFailed extends Error {
  name = 'CheckFailed';
}

async function mesh(home, ...args) {
  return run(process.execPath, [join(root, 'dist', 'mesh.mjs'), ...args, '--home', home]);
}
async function meshJson(home, ...args) {
  const r = await mesh(home, ...args, '--json');
  if (r.status !== 0)
    throw new CheckFailed(
      `mesh ${args.join(' ')} exited ${r.status} after ${Math.round(r.ms)} ms: ${r.stderr.slice(0, 400)}`,
    );
  return { ...JSON.parse(r.stdout), ms: r.ms };
}

/** The owner lists the real device (among whatever else) and accepts it; the device learns of it. */
async function ownerAccepts(home, device, { autoPin = false } = {}) {
  const pending = await meshJson(home, 'device', 'pending');
  const mine = pending.pending.filter((p) => p.deviceUdf === device.udf);
  if (mine.length !== 1 || mine[0].witness !== device.witness)
    throw new CheckFailed(`the real device is not listed once among ${pending.pending.length} pending`);
  let acceptMs;
  if (autoPin) {
    const auto = await meshJson(home, 'device', 'accept', '--auto-pin');
    if (!auto.accepted.some((a) => a.deviceUdf === device.udf))
      throw new CheckFailed(`--auto-pin did not accept the real device (accepted ${auto.accepted.length})`);
    acceptMs = auto.ms;
  } else {
    const accepted = await mesh(home, 'device', 'accept', device.witness);
    if (accepted.status !== 0)
      throw new CheckFailed(`device accept exited ${accepted.status}: ${accepted.stderr.slice(0, 400)}`);
    acceptMs = accepted.ms;
  }
  const outcome = await device.outcome();
  if (outcome !== 'Accept') throw new CheckFailed(`the device's ConnectStatus says ${outcome}`);
  return `listed among ${pending.pending.length} pending in ${Math.round(pending.ms)} ms, accepted in ${Math.round(acceptMs)} ms, device verified Accept`;
}

async function ownerAccount(service, home, account) {
  const created = await mesh(home, 'account', 'create', account, '--service', service.url, '--json');
  if (created.status !== 0) throw new CheckFailed(`account create ${account}: ${created.stderr.slice(0, 300)}`);
}

function countStatuses(replies) {
  const m = new Map();
  for (const r of replies) {
    const key = r.kind === 'reply' ? r.status : r.kind;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...m].sort());
}

async function flood(url, bodies, concurrency, localAddress) {
  // Fresh connections: a kept-alive socket left idle while the bodies were signed may be
  // closed by the service's keep-alive timeout just as it is reused.
  for (const a of agents.values()) a.destroy();
  agents.clear();
  const replies = new Array(bodies.length);
  await pool(bodies.length, concurrency, async (i) => {
    const started = performance.now();
    const reply = await send(url, {
      body: bodies[i],
      localAddress: typeof localAddress === 'function' ? localAddress(i) : localAddress,
    });
    replies[i] = reply;
    record('jam ConnectStart', reply, performance.now() - started);
  });
  return replies;
}

// ---------------------------------------------------------------- the run
const work = await mkdtemp(join(tmpdir(), 'mesh-soak-'));
const service = new ServiceProcess(join(work, 'data'), false);
let limited;
const started = performance.now();
let exitCode = 0;
try {
  await service.start();
  console.log(`soak: service pid ${service.child.pid} on ${service.url} (rate limits off), data ${work}`);
  const rssBefore = await service.rss();
  const owner = join(work, 'owner');
  const account = 'soak@example.com';
  await ownerAccount(service, owner, account);

  // 1. The malformed stream.
  const next = malformedGenerator(account, lib.strangerConnectStart(account), opts.seed);
  const deadline = performance.now() + opts.seconds * 1000;
  let lastReport = performance.now();
  const malformedSent = await pool(
    opts.requests,
    opts.concurrency,
    async (i) => {
      const [what, c] = next(i);
      const t0 = performance.now();
      const url = service.url;
      const reply = c.raw ? await sendRaw(url, c) : await send(url, c);
      record(what, reply, performance.now() - t0);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(
          `soak: ${stats.sent} sent, ${Math.round((performance.now() - started) / 1000)} s, service RSS ${Math.round((await service.rss()) / 2 ** 20)} MiB, crashes ${service.crashes}`,
        );
      }
    },
    deadline,
  );
  const malformedLatencies = [...stats.latencies];
  console.log(`soak: malformed stream done: ${malformedSent} requests`);

  // 2. Pattern 1 (limits off): many small ConnectStarts; the owner accepts a PIN-validated device.
  const home1 = join(work, 'owner-many');
  const account1 = 'many@example.com';
  const p1 = {};
  await check(
    `pattern 1, limits off: ${opts.flood} small ConnectStarts, then the owner accepts a PIN-validated device`,
    async () => {
      await ownerAccount(service, home1, account1);
      const bodies = Array.from({ length: opts.flood }, () => lib.strangerConnectStart(account1));
      p1.replies = countStatuses(await flood(service.url, bodies, 16, '127.0.0.2'));
      const pin = await meshJson(home1, 'account', 'pin');
      const device = new lib.RealDevice(service.url, account1);
      await device.connect(pin.pin);
      return `stranger got ${JSON.stringify(p1.replies)}; ${await ownerAccepts(home1, device, { autoPin: true })}`;
    },
  );

  // 3. Pattern 2: a few oversized ConnectStarts.
  await check(`pattern 2: ${opts.big} ConnectStarts of ~240 KB, then the owner accepts a device`, async () => {
    const home = join(work, 'owner-big');
    await ownerAccount(service, home, 'big@example.com');
    const bodies = Array.from({ length: opts.big }, () =>
      lib.strangerConnectStart('big@example.com', { descriptionLength: 120_000 }),
    );
    const replies = countStatuses(await flood(service.url, bodies, 4, '127.0.0.2'));
    const device = new lib.RealDevice(service.url, 'big@example.com');
    await device.connect();
    return `stranger got ${JSON.stringify(replies)}; ${await ownerAccepts(home, device)}`;
  });

  // 4. Pattern 3: stale requests filed three days ago, then back to now.
  await check(
    `pattern 3: ${opts.stale} requests filed days ago (all expired), then the owner accepts a live device`,
    async () => {
      const home = join(work, 'owner-stale');
      await ownerAccount(service, home, 'stale@example.com');
      const bodies = Array.from({ length: opts.stale }, () => lib.strangerConnectStart('stale@example.com'));
      // The pending cap holds a stranger to a few dozen live requests at once, so the pile is
      // built the only way it can be: batches below the cap, each filed two days after the last
      // one expired, the newest three days ago.
      const batch = 50;
      const batches = Math.ceil(bodies.length / batch);
      const all = [];
      try {
        for (let k = 0; k < batches; k++) {
          await service.setOffset(-(3 + 2 * (batches - 1 - k)) * DAY);
          all.push(...(await flood(service.url, bodies.slice(k * batch, (k + 1) * batch), 4, '127.0.0.2')));
        }
      } finally {
        await service.setOffset(0);
      }
      const replies = countStatuses(all);
      const device = new lib.RealDevice(service.url, 'stale@example.com');
      await device.connect();
      return `stranger got ${JSON.stringify(replies)}; ${await ownerAccepts(home, device)}`;
    },
  );

  // 5. Pattern 4: guessed PinIds from many sources, and a replayed PIN request.
  await check('pattern 4: 40 guessed PinIds from 20 sources, then the real device uses the genuine PIN', async () => {
    const home = join(work, 'owner-pin');
    await ownerAccount(service, home, 'pin@example.com');
    const pin = await meshJson(home, 'account', 'pin');
    const bodies = Array.from({ length: 40 }, () => lib.strangerConnectStart('pin@example.com', { pin: true }));
    const replies = countStatuses(await flood(service.url, bodies, 4, (i) => `127.0.0.${10 + (i % 20)}`));
    const device = new lib.RealDevice(service.url, 'pin@example.com');
    await device.connect(pin.pin);
    return `stranger got ${JSON.stringify(replies)}; ${await ownerAccepts(home, device, { autoPin: true })}`;
  });
  await check(
    'pattern 4: an intercepted PIN request replayed 5 times, then a second device uses a new PIN',
    async () => {
      const home = join(work, 'owner-replay');
      await ownerAccount(service, home, 'replay@example.com');
      const first = await meshJson(home, 'account', 'pin');
      const intercepted = new lib.RealDevice(service.url, 'replay@example.com');
      await intercepted.connect(first.pin);
      const replies = countStatuses(
        await flood(
          service.url,
          Array.from({ length: 5 }, () => intercepted.body),
          1,
          '127.0.0.2',
        ),
      );
      const second = await meshJson(home, 'account', 'pin');
      const device = new lib.RealDevice(service.url, 'replay@example.com');
      await device.connect(second.pin);
      return `replays got ${JSON.stringify(replies)}; ${await ownerAccepts(home, device, { autoPin: true })}`;
    },
  );

  // 6. After everything: the flooded account's owner still accepts another real device.
  await check('after the whole run: the flooded account accepts one more PIN-validated device', async () => {
    const pin = await meshJson(home1, 'account', 'pin');
    const device = new lib.RealDevice(service.url, account1);
    await device.connect(pin.pin);
    return await ownerAccepts(home1, device, { autoPin: true });
  });
  const rssAfter = await service.rss();

  // 7. Pattern 1 with the default rate limits, on a second service.
  limited = new ServiceProcess(join(work, 'data-limited'), true);
  await limited.start();
  await check(
    `pattern 1, limits on: ${opts.flood} small ConnectStarts from one address, then the owner accepts a PIN-validated device`,
    async () => {
      const home = join(work, 'owner-limited');
      await ownerAccount(limited, home, 'limited@example.com');
      const bodies = Array.from({ length: opts.flood }, () => lib.strangerConnectStart('limited@example.com'));
      const replies = await flood(limited.url, bodies, 16, '127.0.0.2');
      const refused = replies.filter((r) => r.kind === 'reply' && r.status === 429);
      if (refused.length === 0)
        throw new CheckFailed(`the limiter refused none of ${opts.flood}: ${JSON.stringify(countStatuses(replies))}`);
      if (!refused.every((r) => typeof r.retryAfter === 'number' && r.retryAfter > 0))
        throw new CheckFailed('a 429 without RetryAfter');
      // Over the seconds a full-size flood lasts, the source bucket's refill lets the stranger
      // reach the pending cap; a PIN-validated device is the one the cap never crowds out.
      const pin = await meshJson(home, 'account', 'pin');
      const device = new lib.RealDevice(limited.url, 'limited@example.com');
      await device.connect(pin.pin);
      return `stranger got ${JSON.stringify(countStatuses(replies))}; ${await ownerAccepts(home, device, { autoPin: true })}`;
    },
  );

  // ---------------------------------------------------------------- report
  const alive = service.child.exitCode === null && service.child.signalCode === null;
  const hello = await send(service.url, {
    body: '{"HelloRequest": {}}',
    localAddress: opts.host === '::1' ? '::1' : '127.0.0.1',
  });
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const lines = [
    `requests sent: ${stats.sent} (${malformedSent} malformed of ${opts.requests} asked, then the jamming patterns) in ${Math.round((performance.now() - started) / 1000)} s, concurrency ${opts.concurrency}, seed ${opts.seed}`,
    `service crashes: ${service.crashes + (limited?.crashes ?? 0)} (restarts: ${service.crashes + (limited?.crashes ?? 0)})${service.exits.length ? ` ${service.exits.join(' | ')}` : ''}; alive at the end: ${alive}; Hello afterwards: ${hello.status}`,
    `replies by Status: ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort((a, b) => a[0] - b[0])))}`,
    `by category: ${JSON.stringify(Object.fromEntries(Object.keys(Object.fromEntries([...stats.byStatus].map(([s]) => [categoryOf(s), 0]))).map((k) => [k, [...stats.byStatus].filter(([s]) => categoryOf(s) === k).reduce((n, [, c]) => n + c, 0)])))}`,
    `5xx: ${stats.fiveHundreds.length}${stats.fiveHundreds.length ? ` e.g. ${stats.fiveHundreds.slice(0, 3).join(' | ')}` : ''}`,
    `non-JSON replies: ${stats.nonJson.length}${stats.nonJson.length ? ` e.g. ${stats.nonJson.slice(0, 3).join(' | ')}` : ''}`,
    `connections that ended without a reply: ${stats.cut} ${JSON.stringify(Object.fromEntries(stats.errors))}; bodies the soak abandoned on purpose: ${stats.clientClosed}`,
    `mean / max latency by kind (ms): ${[...stats.byKind].map(([k, v]) => `${k} ${(v.total / v.n).toFixed(0)}/${v.max.toFixed(0)}`).join(', ')}`,
    `latency of the malformed stream: p50 ${quantile(malformedLatencies, 0.5).toFixed(1)} ms, p99 ${quantile(malformedLatencies, 0.99).toFixed(1)} ms, max ${Math.max(...malformedLatencies).toFixed(1)} ms; whole run: p99 ${quantile(stats.latencies, 0.99).toFixed(1)} ms, max ${Math.max(...stats.latencies).toFixed(1)} ms`,
    `service RSS: ${mib(rssBefore)} before, ${mib(rssAfter)} after the malformed stream and patterns`,
    ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
  ];
  console.log(`\n== soak report ==\n${lines.join('\n')}`);
  const failures = [];
  if (service.crashes + (limited?.crashes ?? 0) > 0 || !alive) failures.push('the service crashed');
  if (hello.status !== 201) failures.push('no Hello afterwards');
  if (stats.fiveHundreds.length > 0) failures.push(`${stats.fiveHundreds.length} 5xx replies`);
  if (stats.nonJson.length > 0) failures.push(`${stats.nonJson.length} non-JSON replies`);
  if (checks.some((c) => !c.ok)) failures.push(`${checks.filter((c) => !c.ok).length} owner check(s) failed`);
  if (rssAfter - rssBefore > opts.maxRssGrowthMb * 2 ** 20)
    failures.push(`RSS grew more than ${opts.maxRssGrowthMb} MiB`);
  console.log(failures.length === 0 ? 'soak: PASS' : `soak: FAIL (${failures.join('; ')})`);
  exitCode = failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`soak: could not run: ${error?.stack ?? error}`);
  exitCode = 1;
} finally {
  for (const a of agents.values()) a.destroy();
  await service.stop().catch(() => undefined);
  await limited?.stop().catch(() => undefined);
  if (!opts.keep) await rm(work, { recursive: true, force: true });
}
process.exit(exitCode);
