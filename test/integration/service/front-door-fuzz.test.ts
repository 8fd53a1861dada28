/**
 * @module test/integration/service/front-door-fuzz.test
 * The unauthenticated front door under generated malformed input (docs/security.md "Soak and
 * fuzz"; mesh-security-05 §3.12): a few hundred requests drawn by fast-check (truncated JSON,
 * wrong types, huge numbers, deep nesting, unknown transactions, bad base64, bad envelopes,
 * oversized fields, forged device signatures, bad Mesh-Authorization headers, chunked
 * oversize, unknown methods and paths) sent to the real service on 127.0.0.1. Every reply is
 * one `{"<Name>Response": {Status, StatusDescription}}` object with a 4xx Status that the HTTP
 * status mirrors (never a 5xx, never a non-JSON reply), and the service still answers Hello.
 * The long run of the same idea is `npm run soak` (scripts/soak/), not part of CI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import { TestClock, TestOwner, seedOf, testRandom } from './service-harness.js';

/** Shrunk so an oversized body costs kilobytes, not megabytes. */
const MAX_BODY = 16 * 1024;
const RUNS = 300;
const ACCOUNT = 'fuzz@example.com';

interface Malformed {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string | Uint8Array | 'chunked-oversize';
  readonly headers?: Record<string, string>;
}

type Envelope = [Record<string, unknown>, string, Record<string, unknown>];

describe('front door fuzz (fast-check, real service on loopback)', () => {
  let directory: string;
  let running: RunningService;
  let base: string;
  let envelope: Envelope;
  let owner: TestOwner;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mesh-front-door-fuzz-'));
    const clock = new TestClock();
    clock.now = Date.now();
    running = await startService({
      dataDirectory: directory,
      listen: { host: '127.0.0.1', port: 0 },
      clock: clock.read,
      maintenanceIntervalMs: 0,
      bodyLimits: { maxBodyBytes: MAX_BODY },
    });
    base = new URL(running.url).origin;
    owner = new TestOwner(ACCOUNT, testRandom(7), clock);
    const created = await owner.create(running.url);
    expect(created.body['Status']).toBe(201);
    const random = testRandom(8);
    envelope = createRequestConnection({
      deviceSeed: seedOf('MeshProfileDevice', random),
      accountAddress: ACCOUNT,
      random,
    }).json as unknown as Envelope;
  });

  afterAll(async () => {
    await running?.close();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  const post = (what: string, body: string | Uint8Array, headers?: Record<string, string>): Malformed => ({
    what,
    method: 'POST',
    path: '/.well-known/mmm/',
    body,
    ...(headers === undefined ? {} : { headers }),
  });
  const connectStart = (request: unknown): string => JSON.stringify({ ConnectStartRequest: request });

  /** Each arbitrary yields only input the service must refuse. */
  const malformed = (): fc.Arbitrary<Malformed> => {
    const valid = (): string => connectStart({ AccountAddress: ACCOUNT, EnvelopedRequestConnection: envelope });
    const notString = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
    );
    const notEnvelope = fc.oneof(
      notString,
      fc.string({ maxLength: 20 }),
      fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }),
    );
    return fc.oneof(
      fc.nat().map((cut) => {
        const text = valid();
        return post('truncated JSON', text.slice(0, cut % text.length));
      }),
      fc
        .tuple(notString, notEnvelope)
        .map(([address, env]) =>
          post('wrong types', connectStart({ AccountAddress: address, EnvelopedRequestConnection: env })),
        ),
      fc
        .integer({ min: 310, max: 4000 })
        .map((digits) =>
          post(
            'huge number',
            `{"ConnectStartRequest": {"AccountAddress": 1${'0'.repeat(digits)}, "EnvelopedRequestConnection": []}}`,
          ),
        ),
      fc
        .tuple(fc.integer({ min: 33, max: 3000 }), fc.constantFrom('[', '{"a":'))
        .map(([depth, open]) =>
          post(
            'deep nesting',
            `{"ConnectStartRequest": ${open.repeat(depth)}${(open === '[' ? ']' : '}').repeat(depth)}}`,
          ),
        ),
      fc
        .stringMatching(/^[A-Za-z][A-Za-z0-9]{0,20}$/)
        .filter(
          (n) =>
            ![
              'Hello',
              'Validate',
              'Create',
              'Delete',
              'Get',
              'Publish',
              'Status',
              'Transfer',
              'Claim',
              'PollClaim',
              'PinRegister',
              'ApplicationPublish',
              'ApplicationGet',
            ].includes(n) && !n.startsWith('Connect'),
        )
        .map((name) => post('unknown transaction', JSON.stringify({ [`${name}Request`]: {} }))),
      fc
        .constantFrom('@@@', '!!!!', 'a', '====', '\u00e9t\u00e9', 'eyJ')
        .map((payload) =>
          post(
            'bad base64',
            connectStart({ AccountAddress: ACCOUNT, EnvelopedRequestConnection: [envelope[0], payload, envelope[2]] }),
          ),
        ),
      fc
        .oneof(
          fc.constant([] as unknown[]),
          fc.constant([envelope[0]]),
          fc.constant([envelope[1], envelope[0], envelope[2]]),
          fc.constant([null, envelope[1], null]),
          fc.constant([envelope[0], envelope[1], envelope[2], envelope[2]]),
        )
        .map((env) => post('bad envelope', connectStart({ AccountAddress: ACCOUNT, EnvelopedRequestConnection: env }))),
      fc
        .integer({ min: 1, max: 4 * MAX_BODY })
        .map((n) =>
          post(
            'oversized field',
            connectStart({ AccountAddress: 'x'.repeat(MAX_BODY + n), EnvelopedRequestConnection: envelope }),
          ),
        ),
      fc.nat().map((i) => {
        // One signature character changed: a forged or corrupted device signature.
        const trailer = structuredClone(envelope[2]) as { signatures: { signature: string }[] };
        const sig = trailer.signatures[0]!.signature;
        const at = i % sig.length;
        trailer.signatures[0]!.signature = sig.slice(0, at) + (sig[at] === 'A' ? 'B' : 'A') + sig.slice(at + 1);
        return post(
          'wrong signature',
          connectStart({ AccountAddress: ACCOUNT, EnvelopedRequestConnection: [envelope[0], envelope[1], trailer] }),
        );
      }),
      fc
        .oneof(
          fc.constantFrom(
            'Mesh',
            'Basic Zm9v',
            'Mesh a="b"',
            'Mesh account="fuzz@example.com", kid="x", created="2026-11-21T10:00:00Z", nonce="AAAAAAAAAAAAAAAAAAAAAA", signature="@@"',
          ),
          fc
            .string({ maxLength: 200 })
            .filter((s) => /^[\x20-\x7e]*$/.test(s))
            .map((s) => `Mesh ${s}`),
        )
        .map((header) =>
          post('bad Mesh-Authorization', JSON.stringify({ ConnectPendingRequest: { AccountAddress: ACCOUNT } }), {
            'mesh-authorization': header,
          }),
        ),
      fc.constant({
        what: 'chunked oversize',
        method: 'POST',
        path: '/.well-known/mmm/',
        body: 'chunked-oversize',
      } as Malformed),
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS').map((method) => ({
        what: 'unknown method',
        method,
        path: '/.well-known/mmm/',
        ...(method === 'GET' || method === 'OPTIONS' ? {} : { body: valid() }),
      })),
      fc
        .constantFrom('/', '/.well-known/', '/.well-known/mmm/x', '/../etc/passwd', '/%00')
        .map((path) => ({ what: 'unknown path', method: 'POST', path, body: valid() })),
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .filter((b) => b[0] !== 0x7b)
        .map((bytes) => post('garbage bytes', bytes)),
    );
  };

  async function send(c: Malformed): Promise<Response> {
    const headers = { 'content-type': 'application/json', ...c.headers };
    if (c.body === 'chunked-oversize') {
      // No Content-Length: the service must count the chunks itself and refuse past the limit.
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > MAX_BODY + 8192) return controller.close();
          const chunk = new TextEncoder().encode(
            sent === 0 ? '{"ConnectStartRequest": {"AccountAddress": "' : 'x'.repeat(4096),
          );
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      return fetch(base + c.path, { method: c.method, headers, body: stream, duplex: 'half' } as RequestInit);
    }
    return fetch(base + c.path, { method: c.method, headers, ...(c.body === undefined ? {} : { body: c.body }) });
  }

  it(`answers ${RUNS} generated malformed requests in the protocol's shape with a 4xx, and still says Hello`, async () => {
    const problems: string[] = [];
    const seen = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(malformed(), async (c) => {
        let response: Response;
        let raw: string;
        try {
          response = await send(c);
          raw = await response.text();
        } catch (error) {
          problems.push(`${c.what}: no reply (${String(error)})`);
          return true;
        }
        let json: Record<string, any>;
        try {
          json = JSON.parse(raw) as Record<string, any>;
        } catch {
          problems.push(`${c.what}: HTTP ${response.status} not JSON: ${raw.slice(0, 120)}`);
          return true;
        }
        const names = Object.keys(json);
        const inner = json[names[0] as string];
        const status = inner?.Status;
        const ok =
          names.length === 1 &&
          /^[A-Za-z][A-Za-z0-9]*Response$/.test(names[0] as string) &&
          Number.isInteger(status) &&
          status >= 400 &&
          status < 500 &&
          typeof inner.StatusDescription === 'string' &&
          inner.StatusDescription.length > 0 &&
          response.status === status;
        if (!ok) problems.push(`${c.what}: HTTP ${response.status} ${raw.slice(0, 200)}`);
        if (!seen.has(c.what)) seen.set(c.what, new Set());
        seen.get(c.what)!.add(status);
      }),
      // Every case runs (no early stop), so one failure does not hide the others' replies.
      { numRuns: RUNS, seed: Number(process.env['MESH_FUZZ_SEED'] ?? 20261202) },
    );
    expect(problems.slice(0, 10)).toEqual([]);
    // The generator reached every kind of malformation (a property over nothing proves nothing).
    expect([...seen.keys()].sort()).toEqual(
      [
        'bad Mesh-Authorization',
        'bad base64',
        'bad envelope',
        'chunked oversize',
        'deep nesting',
        'garbage bytes',
        'huge number',
        'oversized field',
        'truncated JSON',
        'unknown method',
        'unknown path',
        'unknown transaction',
        'wrong signature',
        'wrong types',
      ].sort(),
    );
    expect([...(seen.get('oversized field') ?? [])]).toEqual([413]);
    expect([...(seen.get('chunked oversize') ?? [])]).toEqual([413]);
    expect([...(seen.get('wrong signature') ?? [])].every((s) => s === 400 || s === 401)).toBe(true);

    const hello = await fetch(running.url, {
      method: 'POST',
      body: JSON.stringify({ HelloRequest: {} }),
      headers: { 'content-type': 'application/json' },
    });
    const reply = (await hello.json()) as { HelloResponse?: { Status?: number } };
    expect(reply.HelloResponse?.Status).toBe(201);
  }, 30_000);
});
