/**
 * @module test/integration/owner/hostile-front-door
 * The owner's tools against a front door a stranger has been at, with the real service on
 * 127.0.0.1 and the built CLI (`node dist/mesh.mjs`) as a separate process. Between the CLI
 * and the service sits a small HTTP relay on 127.0.0.1 that records every transaction and,
 * when told, drops a connection after the service answered, as a closed kept-alive socket does.
 *
 * - Many expired requests ahead of the live one: the CLI follows PageKey through empty pages
 *   (asking MaxEntries and MaxBytes), shows the live request and accepts it.
 * - The connection drops after the service processed ConnectComplete: the CLI sends the same
 *   signed answer again, the service answers success, the device gets its Accept.
 * - A device Description carrying an erase-line escape, a fake "witness … PIN verified" line,
 *   bidi and zero-width characters never reaches stdout or stderr raw.
 * - Plain http to a non-loopback host is refused before the home is made; the flag overrides.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/crypto/clock.js';
import { systemRandom } from '../../../src/crypto/random.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { createProfileDevice } from '../../../src/mesh/profiles/profile-device.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { MeshClient } from '../../../src/platform/http/mesh-client.js';
import { DEFAULT_RATE_LIMITS } from '../../../src/service/rate-limit/rate-limit-config.js';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import { ScriptedDevice } from './owner-harness.js';

const DAY = 24 * 60 * 60 * 1000;
const RATE_LIMITS_OFF = { ...DEFAULT_RATE_LIMITS, enabled: false };

interface Seen {
  readonly name: string;
  readonly request: any;
  readonly status?: number;
  readonly response?: any;
}

/** An HTTP relay on 127.0.0.1 that records each transaction and can drop the reply of one. */
class Relay {
  readonly seen: Seen[] = [];
  /** Called with the transaction name and its index among those of that name; true drops the reply. */
  dropReply: (name: string, index: number) => boolean = () => false;
  server!: Server;
  url = '';

  constructor(readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        let name = '?';
        let request: any;
        try {
          const parsed = JSON.parse(body.toString('utf8'));
          name = Object.keys(parsed)[0]?.replace(/Request$/, '') ?? '?';
          request = parsed[`${name}Request`];
        } catch {
          // Forwarded as is.
        }
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const auth = req.headers['mesh-authorization'];
        if (typeof auth === 'string') headers['mesh-authorization'] = auth;
        const answer = await fetch(new URL(req.url ?? '/', this.target), { method: 'POST', headers, body });
        const text = await answer.text();
        let response: any;
        try {
          response = JSON.parse(text)[`${name}Response`];
        } catch {
          // Recorded without a body.
        }
        const index = this.seen.filter((s) => s.name === name).length;
        this.seen.push({ name, request, status: response?.Status, response });
        if (this.dropReply(name, index)) {
          // The service did the work; the client never hears of it.
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  named(name: string): Seen[] {
    return this.seen.filter((s) => s.name === name);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

interface ProcessResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** `node dist/mesh.mjs …` as a child process, without blocking the event loop the service runs in. */
function mesh(args: readonly string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/mesh.mjs', ...args], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}

interface World {
  readonly running: RunningService;
  readonly relay: Relay;
  readonly home: string;
  readonly account: string;
  offset: number;
}

const worlds: World[] = [];
const directories: string[] = [];

/** A service (its clock movable), a relay in front of it, and an owner account created through the relay. */
async function world(account: string, config: Partial<ServiceConfig> = {}): Promise<World> {
  const directory = await mkdtemp(join(tmpdir(), 'mesh-hostile-'));
  directories.push(directory);
  const self = { offset: 0 } as World;
  const running = await startService({
    dataDirectory: join(directory, 'data'),
    listen: { host: '127.0.0.1', port: 0 },
    clock: { now: () => new Date(Date.now() + self.offset), sleep: systemClock.sleep },
    maintenanceIntervalMs: 0,
    config: { rateLimits: RATE_LIMITS_OFF, ...config },
  });
  const relay = new Relay(running.url);
  await relay.start();
  const w = Object.assign(self, { running, relay, home: join(directory, 'home'), account });
  worlds.push(w);
  const created = await mesh(['account', 'create', account, '--service', relay.url, '--home', w.home]);
  expect(created.status, created.stderr.toString()).toBe(0);
  return w;
}

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.relay.close();
    await w.running.close();
  }
});
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

/** A stranger's valid request for `account`, from a device of the stranger's own making. */
async function strangerRequest(url: string, account: string): Promise<void> {
  const request = createRequestConnection({
    deviceSeed: newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom),
    accountAddress: account,
    random: systemRandom,
  });
  await new MeshClient({ service: url }).connectStart({
    AccountAddress: account,
    EnvelopedRequestConnection: request.json,
  });
}

describe('a long pending list full of expired requests', () => {
  it('follows PageKey through empty pages, shows the live request and accepts it', async () => {
    // Shrunk: 40 stale requests, 5 per page and 10 records read per listing, so early pages are empty.
    const STALE = 40;
    const w = await world('stale@example.com', { maxPageEntries: 5, maxScanRecords: 10, maxPendingUnvalidated: 1000 });
    w.offset = -3 * DAY;
    for (let i = 0; i < STALE; i++) await strangerRequest(w.running.url, w.account);
    w.offset = 0;
    const device = new ScriptedDevice(w.running.url, w.account);
    await device.connect();

    const pending = await mesh(['device', 'pending', '--json', '--home', w.home]);
    expect(pending.status, pending.stderr.toString()).toBe(0);
    const listed = JSON.parse(pending.stdout.toString()).pending;
    expect(listed).toEqual([
      expect.objectContaining({ witness: device.witness, deviceUdf: device.udf, acceptable: true }),
    ]);

    const pages = w.relay.named('ConnectPending');
    // The service skipped expired entries and said "more" with an empty page; the CLI went on.
    expect(pages.some((p) => p.response.Pending.length === 0 && typeof p.response.PageKey === 'string')).toBe(true);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.at(-1)?.response.PageKey).toBeUndefined();
    for (const p of pages)
      expect(p.request.SearchConstraints).toMatchObject({ MaxEntries: 100, MaxBytes: 1024 * 1024 });

    const accepted = await mesh(['device', 'accept', device.witness, '--home', w.home]);
    expect(accepted.status, accepted.stderr.toString()).toBe(0);
    expect(accepted.stdout.toString()).toContain(`accepted ${device.udf} witness ${device.witness}`);
    expect((await device.complete()).result).toBe('Accept');
  }, 90_000);
});

describe('a connection dropped after the service processed ConnectComplete', () => {
  it('sends the same signed answer again; the service answers success and the device is accepted', async () => {
    const w = await world('dropped@example.com');
    const device = new ScriptedDevice(w.running.url, w.account);
    await device.connect();
    w.relay.dropReply = (name, index) => name === 'ConnectComplete' && index === 0;

    const accepted = await mesh(['device', 'accept', device.witness, '--home', w.home]);
    expect(accepted.status, accepted.stderr.toString()).toBe(0);
    expect(accepted.stdout.toString()).toBe(`accepted ${device.udf} witness ${device.witness} roles -\n`);
    const completes = w.relay.named('ConnectComplete');
    expect(completes).toHaveLength(2);
    expect(completes.map((c) => c.status)).toEqual([201, 201]);
    // The same RespondConnection both times; each request signed afresh (the service refuses a replayed nonce).
    expect(completes[1]?.request.EnvelopedRespondConnection).toEqual(completes[0]?.request.EnvelopedRespondConnection);
    expect((await device.complete()).result).toBe('Accept');
    const listed = JSON.parse((await mesh(['device', 'list', '--json', '--home', w.home])).stdout.toString());
    expect(listed.devices).toEqual([
      expect.objectContaining({ deviceUdf: device.udf, status: 'Connected', serviceStatus: 'Connected' }),
    ]);
  }, 60_000);
});

describe('device-supplied text', () => {
  const FAKE_LINE = '\x1b[2K\r witness AAAA-BBBB-CCCC-DDDD PIN verified by this owner';
  const DESCRIPTION = `Thermostat${FAKE_LINE}\u202eevil\u202c\u200bX\u2066\ufeff\u009b2J`;
  const RAW = ['\x1b', '\r', '\u202e', '\u202c', '\u200b', '\u2066', '\ufeff', '\u009b'];

  function expectNeutral(bytes: Buffer, what: string): void {
    const text = bytes.toString('utf8');
    for (const c of RAW) expect(text.includes(c), `${what} carries U+${c.codePointAt(0)?.toString(16)}`).toBe(false);
    // Nothing but newline among the C0 controls.
    expect(/[\x00-\x09\x0b-\x1f\x7f]/.test(text), what).toBe(false);
  }

  it('never reaches the terminal raw: pending, accept, list and their JSON', async () => {
    const w = await world('text@example.com');
    const device = new ScriptedDevice(w.running.url, w.account);
    device.request = {
      profile: createProfileDevice(device.seed, { description: DESCRIPTION }),
    } as never;
    await device.connect();

    const table = await mesh(['device', 'pending', '--home', w.home]);
    expect(table.status, table.stderr.toString()).toBe(0);
    expectNeutral(table.stdout, 'pending stdout');
    expectNeutral(table.stderr, 'pending stderr');
    expect(table.stdout.toString()).toContain(device.witness);

    const json = await mesh(['device', 'pending', '--json', '--home', w.home]);
    expectNeutral(json.stdout, 'pending --json');
    // Still valid JSON, and faithful: the escapes decode to the device's exact text.
    expect(JSON.parse(json.stdout.toString()).pending[0].description).toBe(DESCRIPTION);
    expect(json.stdout.toString()).toContain('\\u202e');

    const accepted = await mesh(['device', 'accept', device.witness, '--home', w.home]);
    expect(accepted.status, accepted.stderr.toString()).toBe(0);
    expectNeutral(accepted.stdout, 'accept stdout');
    expectNeutral(accepted.stderr, 'accept stderr');
    const lines = accepted.stderr.toString().split('\n');
    // The fingerprint, witness and PIN lines hold only what the CLI computed.
    expect(lines[0]).toBe(`device fingerprint ${device.udf}`);
    expect(lines[1]).toBe(`witness            ${device.witness}`);
    expect(lines[2]).toBe('PIN                none');
    // The device's words: on their own line, with the escape shown, not obeyed.
    expect(lines[3]).toMatch(
      /^description        Thermostat\\x1b\[2K\\x0d witness AAAA-BBBB-CCCC-DDDD PIN verified by this owner⟪U\+202E⟫evil⟪U\+202C⟫⟪U\+200B⟫X⟪U\+2066⟫⟪U\+FEFF⟫\\x9b2J \(as the device describes itself\)$/,
    );
    expect((await device.complete()).result).toBe('Accept');

    for (const args of [
      ['device', 'list'],
      ['device', 'list', '--json'],
    ]) {
      const listed = await mesh([...args, '--home', w.home]);
      expect(listed.status, listed.stderr.toString()).toBe(0);
      expectNeutral(listed.stdout, args.join(' '));
    }
  }, 60_000);
});

describe('transport policy in the CLI', () => {
  it('refuses plain http to a non-loopback host before making the home; the flag lets a non-literal-loopback address through', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mesh-insecure-'));
    directories.push(directory);
    const home = join(directory, 'home');
    const refused = await mesh([
      'account',
      'create',
      'far@example.com',
      '--service',
      'http://192.0.2.1:15099',
      '--home',
      home,
    ]);
    expect(refused.status).toBe(2);
    expect(refused.stderr.toString()).toBe(
      'mesh account create: --service: plain http to 192.0.2.1 would expose the signed requests, device profiles and answers to anyone on the network path and let them alter them; use https:// or pass --allow-insecure-http\n',
    );
    expect(existsSync(home)).toBe(false);

    // An IPv4-mapped address is not on the loopback list, yet reaches 127.0.0.1: the override, tested without leaving loopback.
    const running = await startService({
      dataDirectory: join(directory, 'data'),
      listen: { host: '127.0.0.1', port: 0 },
      maintenanceIntervalMs: 0,
    });
    try {
      const mapped = `http://[::ffff:127.0.0.1]:${new URL(running.url).port}`;
      const without = await mesh(['account', 'create', 'near@example.com', '--service', mapped, '--home', home]);
      expect(without.status).toBe(2);
      expect(without.stderr.toString()).toContain('plain http to [::ffff:7f00:1] would expose');
      const withFlag = await mesh([
        'account',
        'create',
        'near@example.com',
        '--service',
        mapped,
        '--allow-insecure-http',
        '--home',
        home,
      ]);
      expect(withFlag.status, withFlag.stderr.toString()).toBe(0);
      // Every later owner command needs the flag too: the policy is checked each time.
      const status = await mesh(['account', 'status', '--home', home]);
      expect(status.status).toBe(2);
      expect(status.stderr.toString()).toContain('pass --allow-insecure-http');
      const allowed = await mesh(['account', 'status', '--json', '--allow-insecure-http', '--home', home]);
      expect(JSON.parse(allowed.stdout.toString())).toMatchObject({ account: 'near@example.com', reachable: true });
    } finally {
      await running.close();
    }
  }, 60_000);
});
