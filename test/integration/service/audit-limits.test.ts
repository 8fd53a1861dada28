/**
 * @module test/integration/service/audit-limits.test
 * Service audit over real HTTP (file store): the seed's ValidateRequest example
 * answered in exactly the seed's shape, the naming rules it reports (Minimum, Maximum,
 * InvalidCharacters) applied; the body size limit (413, declared or streamed, at the exact
 * boundary), the JSON depth limit (400 at 33 levels, not at 32), other methods (405 with
 * `Allow: POST`) and paths (404), and the refusal shapes of docs/service-protocol.md
 * "Refinements" (unknown transaction under its own name, `ErrorResponse` before a name is
 * known, RetryAfter mirrored in Retry-After, every field named when wrong).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TestOwner,
  post,
  startConnection,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type TestService,
} from './service-harness.js';

const LIMIT = 256 * 1024;
const SEED_INVALID_CHARACTERS = '.,:;{}()[]<>?|\\@#';

/** Raw HTTP exchange, for methods, paths and streamed bodies that fetch makes awkward. */
function exchange(
  url: string,
  options: { method?: string; path?: string; chunks?: readonly Buffer[]; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? target.pathname,
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe('service audit: response shapes and limits over HTTP', () => {
  let backend: StoreBackend;
  let service: TestService;
  beforeAll(async () => {
    backend = await storeBackend('file');
    service = await startTestService(await backend.fresh());
  });
  afterAll(async () => {
    await service?.close();
    await backend?.stop();
  });

  it("answers the seed's ValidateRequest example with exactly the seed's members", async () => {
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ValidateRequest": {"Account": "alice@example.com", "Language": ["en-uk"]}}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await response.json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(json)).toEqual(['ValidateResponse']);
    const body = json['ValidateResponse']!;
    expect(Object.keys(body).sort()).toEqual([
      'InvalidCharacters',
      'Maximum',
      'Minimum',
      'Status',
      'StatusDescription',
      'Valid',
    ]);
    expect(body).toEqual({
      Status: 201,
      StatusDescription: expect.any(String),
      Valid: true,
      Minimum: 1,
      Maximum: 64,
      InvalidCharacters: SEED_INVALID_CHARACTERS,
    });
    expect((body['StatusDescription'] as string).length).toBeGreaterThan(0);
  });

  it('applies the rules it reports: Minimum, Maximum, each InvalidCharacter, user@domain; a malformed request is 400 naming the field', async () => {
    const validate = async (account: string) =>
      (await post(service.url, { ValidateRequest: { Account: account } })).body;
    expect(await validate(`${'a'.repeat(64)}@example.com`)).toMatchObject({ Status: 201, Valid: true });
    const long = await validate(`${'a'.repeat(65)}@example.com`);
    expect(long).toMatchObject({ Status: 201, Valid: false, Maximum: 64 });
    expect(long['Reason']).toContain('64');
    const empty = await validate('@example.com');
    expect(empty).toMatchObject({ Status: 201, Valid: false });
    expect(empty['Reason']).toContain('1');
    for (const c of SEED_INVALID_CHARACTERS.replace('@', '')) {
      const reply = await validate(`al${c}ice@example.com`);
      expect({ c, valid: reply['Valid'], status: reply['Status'] }).toEqual({ c, valid: false, status: 201 });
      expect(reply['Reason']).toContain(JSON.stringify(c));
    }
    const noDomain = await validate('alice');
    expect(noDomain).toMatchObject({ Status: 201, Valid: false });
    expect(noDomain['Reason']).toContain('user@domain');
    for (const [what, request, field] of [
      ['Account missing', {}, 'Account'],
      ['Account a number', { Account: 7 }, 'Account'],
      ['Language not an array', { Account: 'alice@example.com', Language: 'en-uk' }, 'Language'],
      ['Reserve not a boolean', { Account: 'alice@example.com', Reserve: 'yes' }, 'Reserve'],
    ] as const) {
      const reply = await post(service.url, { ValidateRequest: request });
      expect({ what, http: reply.http, name: reply.name }).toEqual({ what, http: 400, name: 'ValidateResponse' });
      expect(reply.body['StatusDescription']).toContain(field);
      expect(reply.body['Valid']).toBeUndefined();
    }
  });

  it('takes a body of exactly 256 KiB and refuses one byte more with 413, declared or streamed, and stays up', async () => {
    const head = '{"ValidateRequest": {"Account": "alice@example.com"}';
    const exact = Buffer.from(`${head}${' '.repeat(LIMIT - head.length - 1)}}`);
    expect(exact.length).toBe(LIMIT);
    const taken = await exchange(service.url, { chunks: [exact] });
    expect(taken.status).toBe(200);
    expect(JSON.parse(taken.body).ValidateResponse).toMatchObject({ Status: 201, Valid: true });

    const over = Buffer.from(`${head}${' '.repeat(LIMIT - head.length)}}`);
    expect(over.length).toBe(LIMIT + 1);
    const declared = await exchange(service.url, { chunks: [over] });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({
      ErrorResponse: { Status: 413, StatusDescription: expect.stringContaining(String(LIMIT)) },
    });

    // Chunked, no Content-Length: the limit is counted as the body arrives.
    const streamed = await exchange(service.url, {
      chunks: [over.subarray(0, 100_000), over.subarray(100_000, 200_000), over.subarray(200_000)],
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).ErrorResponse).toMatchObject({ Status: 413 });
    expect((await post(service.url, { HelloRequest: {} })).body['Status']).toBe(201);
  });

  it('refuses JSON nested past 32 levels with 400 naming the limit, and parses 32 levels', async () => {
    // {"ValidateRequest": {... "Language": [[...]]}}: two object levels plus n arrays.
    const nested = (n: number) =>
      `{"ValidateRequest": {"Account": "alice@example.com", "Language": ${'['.repeat(n)}${']'.repeat(n)}}}`;
    const deep = await post(service.url, nested(31));
    expect(deep).toMatchObject({ http: 400, name: 'ErrorResponse' });
    expect(deep.body['StatusDescription']).toContain('32 levels');
    const atLimit = await post(service.url, nested(30));
    expect(atLimit).toMatchObject({ http: 400, name: 'ValidateResponse' });
    expect(atLimit.body['StatusDescription']).not.toContain('levels');
    expect(atLimit.body['StatusDescription']).toContain('Language');
    // Brackets inside strings do not count.
    const inString = await post(
      service.url,
      `{"ValidateRequest": {"Account": "alice@example.com", "Language": ["${'['.repeat(100)}"]}}`,
    );
    expect(inString.body['StatusDescription']).not.toContain('levels');
    const veryDeep = await post(
      service.url,
      `{"GetRequest": {"Account": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    );
    expect(veryDeep).toMatchObject({ http: 400, name: 'ErrorResponse' });
  });

  it('answers other methods 405 with Allow: POST and other paths 404, in the ErrorResponse shape', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
      const reply = await exchange(service.url, { method });
      expect({ method, status: reply.status, allow: reply.headers['allow'] }).toEqual({
        method,
        status: 405,
        allow: 'POST',
      });
      if (method !== 'HEAD')
        expect(JSON.parse(reply.body)).toEqual({
          ErrorResponse: { Status: 405, StatusDescription: expect.stringContaining('POST') },
        });
    }
    const elsewhere = await exchange(service.url, {
      path: '/.well-known/other/',
      chunks: [Buffer.from('{"HelloRequest": {}}')],
    });
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body)).toEqual({
      ErrorResponse: { Status: 404, StatusDescription: expect.stringContaining('/.well-known/mmm/') },
    });
    // The path without its trailing slash is the same service.
    const noSlash = await exchange(service.url, {
      path: '/.well-known/mmm',
      chunks: [Buffer.from('{"HelloRequest": {}}')],
    });
    expect(JSON.parse(noSlash.body).HelloResponse).toMatchObject({ Status: 201 });
  });

  it('names refusals as docs/service-protocol.md says: unknown transactions under their own name, unreadable bodies as ErrorResponse', async () => {
    const unknown = await post(service.url, { FrobnicateRequest: {} });
    expect(unknown).toMatchObject({ http: 400, name: 'FrobnicateResponse', body: { Status: 400 } });
    expect(unknown.body['StatusDescription']).toContain('Frobnicate');
    for (const [what, body] of [
      ['empty', ''],
      ['not JSON', '{"HelloRequest": '],
      ['an array', '[]'],
      ['two members', '{"HelloRequest": {}, "StatusRequest": {}}'],
      ['not a Request', '{"Hello": {}}'],
      ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ] as const) {
      const reply = await post(service.url, body);
      expect({ what, http: reply.http, name: reply.name, status: reply.body['Status'] }).toEqual({
        what,
        http: 400,
        name: 'ErrorResponse',
        status: 400,
      });
      expect(typeof reply.body['StatusDescription']).toBe('string');
    }
  });

  it("refuses every owner transaction unsigned, signed by another account's key, or replayed, with 401 under its own name", async () => {
    const owner = new TestOwner('olivia@example.com', testRandom(310), service.clock, service.serviceProfile.udf);
    const other = new TestOwner('oscar@example.com', testRandom(311), service.clock, service.serviceProfile.udf);
    expect((await owner.create(service.url)).body['Status']).toBe(201);
    expect((await other.create(service.url)).body['Status']).toBe(201);
    const account = 'olivia@example.com';
    const requests: Record<string, object> = {
      DeleteRequest: { Account: account },
      PublishRequest: { Account: account, EnvelopedProfileAccount: owner.profile.json },
      ConnectPendingRequest: { AccountAddress: account },
      ConnectCompleteRequest: { AccountAddress: account, EnvelopedRespondConnection: owner.profile.json },
      TransferRequest: { AccountAddress: account },
      PinRegisterRequest: { AccountAddress: account, EnvelopedMessagePin: owner.profile.json },
    };
    for (const [name, request] of Object.entries(requests)) {
      const body = JSON.stringify({ [name]: request });
      const response = name.replace(/Request$/, 'Response');
      for (const [what, headers] of [
        ['unsigned', {}],
        ["another account's key", owner.authorize(body, { key: other.keys.administratorSignature })],
        ["another account's signature", other.authorize(body)],
        ['a signature over other bytes', owner.authorize(`${body} `)],
      ] as const) {
        const reply = await post(service.url, body, headers);
        expect({ name, what, http: reply.http, response: reply.name }).toEqual({ name, what, http: 401, response });
      }
    }
    // Replayed: the one transaction here that succeeds without changing the account.
    const body = JSON.stringify({ ConnectPendingRequest: { AccountAddress: account } });
    const headers = owner.authorize(body);
    expect((await post(service.url, body, headers)).body['Status']).toBe(201);
    expect((await post(service.url, body, headers)).http).toBe(401);
    // Nothing was done: the account is still there, as created.
    expect((await post(service.url, { GetRequest: { Account: account } })).body['DataItems'][0].Value).toEqual(
      owner.profile.json,
    );
  });

  it('names the wrong field of each transaction, and mirrors RetryAfter in Retry-After', async () => {
    const alice = new TestOwner('alice@example.com', testRandom(301), service.clock, service.serviceProfile.udf);
    expect((await alice.create(service.url)).body['Status']).toBe(201);
    const cases: Array<[string, object, string]> = [
      ['ConnectStatusRequest', { AccountAddress: 'alice@example.com', ResponseId: 'not a udf' }, 'ResponseId'],
      ['ConnectStatusRequest', { ResponseId: 'MB2G-K6DU-ORQW-4ZLT' }, 'AccountAddress'],
      ['ConnectStartRequest', { AccountAddress: 'alice@example.com' }, 'EnvelopedRequestConnection'],
      [
        'ConnectStartRequest',
        { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: [{}, '@@'] },
        'EnvelopedRequestConnection',
      ],
      [
        'GetRequest',
        {
          Account: 'alice@example.com',
          KeyValues: [{ Key: 'Devices' }],
          SearchConstraints: { NotBefore: 'yesterday' },
        },
        'NotBefore',
      ],
      [
        'GetRequest',
        { Account: 'alice@example.com', KeyValues: [{ Key: 'Devices' }], SearchConstraints: { MaxEntries: 1.5 } },
        'MaxEntries',
      ],
      ['GetRequest', { Identifier: 42 }, 'Identifier'],
      ['PollClaimRequest', { PublicationId: 'MB2G_K6DU', TargetAccountAddress: 'alice@example.com' }, 'PublicationId'],
      ['ClaimRequest', { EnvelopedMessageClaim: 'x' }, 'EnvelopedMessageClaim'],
      [
        'CreateRequest',
        { Account: 'carol@example.com', EnvelopedProfileAccount: [{}, 'AA'] },
        'EnvelopedProfileAccount',
      ],
    ];
    for (const [name, request, field] of cases) {
      const reply = await post(service.url, { [name]: request });
      expect({ name, field, http: reply.http, response: reply.name }).toEqual({
        name,
        field,
        http: 400,
        response: name.replace(/Request$/, 'Response'),
      });
      expect(reply.body['StatusDescription']).toContain(field);
    }
    // Signed transactions check their fields too (after authentication).
    const signedBad = await alice.signed(service.url, {
      ConnectPendingRequest: { AccountAddress: 'alice@example.com', SearchConstraints: { MaxEntries: -1 } },
    });
    expect(signedBad.http).toBe(400);
    expect(signedBad.body['StatusDescription']).toContain('MaxEntries');

    const started = await startConnection(service, alice, 302);
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: started.responseId },
      }),
    });
    const pending = ((await response.json()) as Record<string, Record<string, number>>)['ConnectStatusResponse']!;
    expect(response.status).toBe(202);
    expect(pending['RetryAfter']).toBeGreaterThan(0);
    expect(response.headers.get('retry-after')).toBe(String(Math.ceil(pending['RetryAfter']!)));
  });
});
