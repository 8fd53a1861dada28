/**
 * @module test/integration/service/front-door-limits.test
 * The front door's rate limits and account policy against the real service on loopback
 * (docs/security.md "Rate limits", "Account names and hosted domains"), with small buckets
 * and the test's clock: a burst over the limit is a 429 in the protocol's shape with
 * RetryAfter mirrored in Retry-After; another source (127.0.0.2) or account is unaffected;
 * the bucket refills when the clock moves; X-Forwarded-For counts only from a trusted proxy;
 * a signed request's account bucket is not drained by strangers; hosted domains, reserved
 * names and the account-name normalisation apply at every entry point.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageClaim } from '../../../src/mesh/connect/message-claim.js';
import { createMessagePin } from '../../../src/mesh/connect/message-pin.js';
import { staticConnectUri } from '../../../src/mesh/connect/static-qr.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../../../src/service/rate-limit/rate-limit-config.js';
import { DEFAULT_SERVICE_CONFIG, type ServiceConfig } from '../../../src/service/service-config.js';
import { startService } from '../../../src/service/service-runner.js';
import {
  TestClock,
  TestOwner,
  makeDevice,
  post,
  seedOf,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type TestService,
} from './service-harness.js';

interface RawReply {
  readonly http: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly name: string;
  readonly body: Record<string, any>;
}

/** POST from a chosen loopback source address (every 127/8 address is the lo interface). */
function postFrom(
  url: string,
  body: object,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<RawReply> {
  const target = new URL(url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...options.headers },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, Record<string, any>>;
          const name = Object.keys(json)[0] as string;
          resolve({ http: res.statusCode ?? 0, headers: res.headers, name, body: json[name] as Record<string, any> });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const limits = (classes: RateLimitConfig['classes']): Partial<ServiceConfig> => ({
  rateLimits: { ...DEFAULT_RATE_LIMITS, classes },
});

/** A ConnectStart body for `account` from a fresh scripted device. */
function connectStart(account: string, seed: number, address = account): object {
  const device = makeDevice(seed);
  const request = createRequestConnection({
    deviceSeed: device.deviceSeed,
    accountAddress: account,
    random: device.random,
  });
  return { ConnectStartRequest: { AccountAddress: address, EnvelopedRequestConnection: request.json } };
}

describe('front door rate limits over HTTP', () => {
  let backend: StoreBackend;
  const services: TestService[] = [];
  beforeAll(async () => {
    backend = await storeBackend('file');
  });
  afterAll(async () => {
    for (const s of services) await s.close();
    await backend?.stop();
  });
  const fresh = async (config: Partial<ServiceConfig>): Promise<TestService> => {
    const service = await startTestService(await backend.fresh(), { config });
    services.push(service);
    return service;
  };

  it('a burst from one source over the limit is 429 with RetryAfter in the protocol shape; another source is unaffected; the clock refills it', async () => {
    // 3 at once, then one every 10 s.
    const service = await fresh(limits({ ConnectStart: { source: { burst: 3, perMinute: 6 } } }));
    const alice = new TestOwner('alice@example.com', testRandom(1), service.clock, service.serviceProfile.udf);
    expect((await alice.create(service.url)).body['Status']).toBe(201);
    for (let i = 0; i < 3; i++)
      expect((await postFrom(service.url, connectStart(alice.account, 10 + i))).body['Status']).toBe(201);
    const refused = await postFrom(service.url, connectStart(alice.account, 20));
    expect(refused.http).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.name).toBe('ConnectStartResponse');
    expect(refused.body).toEqual({
      Status: 429,
      StatusDescription: expect.stringMatching(/too many ConnectStart requests from this address/),
      RetryAfter: 10,
    });

    // Another source has its own bucket.
    expect((await postFrom(service.url, connectStart(alice.account, 21), { from: '127.0.0.2' })).body['Status']).toBe(
      201,
    );

    // 6 s later still 4 s to wait; 10 s later exactly one more.
    service.clock.advance(6_000);
    expect((await postFrom(service.url, connectStart(alice.account, 22))).body).toMatchObject({
      Status: 429,
      RetryAfter: 4,
    });
    service.clock.advance(4_000);
    expect((await postFrom(service.url, connectStart(alice.account, 23))).body['Status']).toBe(201);
    expect((await postFrom(service.url, connectStart(alice.account, 24))).body['Status']).toBe(429);
    // Transactions without limits are never refused for it.
    expect((await postFrom(service.url, { HelloRequest: {} })).body['Status']).toBe(201);
  });

  it('counts per account after normalisation, across sources; another account is unaffected', async () => {
    const service = await fresh(
      limits({ ConnectStart: { source: { burst: 100, perMinute: 60 }, account: { burst: 2, perMinute: 1 } } }),
    );
    const alice = new TestOwner('alice@example.com', testRandom(2), service.clock, service.serviceProfile.udf);
    const bob = new TestOwner('bob@example.com', testRandom(3), service.clock, service.serviceProfile.udf);
    await alice.create(service.url);
    await bob.create(service.url);
    expect((await postFrom(service.url, connectStart(alice.account, 30), { from: '127.0.0.3' })).body['Status']).toBe(
      201,
    );
    // Another spelling of the same account is the same account (and the same bucket).
    expect(
      (await postFrom(service.url, connectStart(alice.account, 31, 'Alice@EXAMPLE.com'), { from: '127.0.0.4' })).body[
        'Status'
      ],
    ).toBe(201);
    const refused = await postFrom(service.url, connectStart(alice.account, 32, 'ALICE@example.COM'), {
      from: '127.0.0.5',
    });
    expect(refused.body).toEqual({
      Status: 429,
      StatusDescription: expect.stringContaining('"alice@example.com"'),
      RetryAfter: 60,
    });
    expect(refused.headers['retry-after']).toBe('60');
    expect((await postFrom(service.url, connectStart(bob.account, 33), { from: '127.0.0.5' })).body['Status']).toBe(
      201,
    );
  });

  it("a signed transaction's account bucket counts only requests whose signature verified: a stranger cannot drain it", async () => {
    const service = await fresh(
      limits({ PinRegister: { source: { burst: 100, perMinute: 60 }, account: { burst: 1, perMinute: 1 } } }),
    );
    const alice = new TestOwner('alice@example.com', testRandom(4), service.clock, service.serviceProfile.udf);
    const mallory = new TestOwner('alice@example.com', testRandom(5), service.clock, service.serviceProfile.udf);
    await alice.create(service.url);
    const pinRequest = (owner: TestOwner, seed: number) => ({
      PinRegisterRequest: {
        AccountAddress: 'alice@example.com',
        EnvelopedMessagePin: createMessagePin({
          pin: newPin(testRandom(seed)),
          accountAddress: 'alice@example.com',
          adminKey: owner.admin,
          expires: new Date(service.clock.now + 3600_000),
        }).json,
      },
    });
    for (let i = 0; i < 4; i++)
      expect((await mallory.signed(service.url, pinRequest(mallory, 40 + i))).body['Status']).toBe(401);
    expect((await alice.signed(service.url, pinRequest(alice, 50))).body['Status']).toBe(201);
    expect((await alice.signed(service.url, pinRequest(alice, 51))).body).toMatchObject({
      Status: 429,
      RetryAfter: 60,
    });
  });

  it('limits Claim, PollClaim and CreateAccount per source as configured', async () => {
    const one = { source: { burst: 1, perMinute: 1 } };
    const service = await fresh(limits({ Claim: one, PollClaim: one, CreateAccount: one }));
    const carol = new TestOwner('carol@example.com', testRandom(6), service.clock, service.serviceProfile.udf);
    const dave = new TestOwner('dave@example.com', testRandom(7), service.clock, service.serviceProfile.udf);
    expect((await carol.create(service.url)).body['Status']).toBe(201);
    expect((await dave.create(service.url)).body).toMatchObject({ Status: 429, RetryAfter: 60 });
    const poll = { PollClaimRequest: { PublicationId: 'AAAA-BBBB-CCCC', TargetAccountAddress: 'carol@example.com' } };
    expect((await post(service.url, poll)).body['Status']).toBe(404);
    expect((await post(service.url, poll)).body).toMatchObject({ Status: 429, RetryAfter: 60 });
    const claim = { ClaimRequest: { EnvelopedMessageClaim: [{ dig: 'S512' }, 'e30'] } };
    expect((await post(service.url, claim)).body['Status']).toBe(400);
    expect((await post(service.url, claim)).body).toMatchObject({ Status: 429, RetryAfter: 60 });
  });

  it('with limits off nothing is refused for rate', async () => {
    const service = await fresh({
      rateLimits: {
        ...DEFAULT_RATE_LIMITS,
        enabled: false,
        classes: { ConnectStart: { source: { burst: 1, perMinute: 1 } } },
      },
    });
    const alice = new TestOwner('alice@example.com', testRandom(8), service.clock, service.serviceProfile.udf);
    await alice.create(service.url);
    for (let i = 0; i < 5; i++)
      expect((await postFrom(service.url, connectStart(alice.account, 60 + i))).body['Status']).toBe(201);
  });
});

describe('X-Forwarded-For and trusted proxies', () => {
  let backend: StoreBackend;
  beforeAll(async () => {
    backend = await storeBackend('file');
  });
  afterAll(async () => backend?.stop());

  const run = async (
    trustProxy: readonly string[],
    body: (url: string, clock: TestClock, owner: TestOwner) => Promise<void>,
  ): Promise<void> => {
    const location = await backend.fresh();
    const clock = new TestClock();
    const running = await startService({
      dataDirectory: location.dataDirectory,
      store: location.spec,
      listen: { host: '127.0.0.1', port: 0 },
      clock: clock.read,
      maintenanceIntervalMs: 0,
      trustProxy,
      config: limits({ ConnectStart: { source: { burst: 2, perMinute: 1 } } }),
    });
    try {
      const owner = new TestOwner('alice@example.com', testRandom(9), clock);
      expect((await owner.create(running.url)).body['Status']).toBe(201);
      await body(running.url, clock, owner);
    } finally {
      await running.close();
    }
  };

  it('ignores X-Forwarded-For when no proxy is trusted: a client cannot pick its own bucket', async () => {
    await run([], async (url, _clock, owner) => {
      for (let i = 0; i < 2; i++) {
        expect(
          (await postFrom(url, connectStart(owner.account, 70 + i), { headers: { 'x-forwarded-for': `127.9.0.${i}` } }))
            .body['Status'],
        ).toBe(201);
      }
      expect(
        (await postFrom(url, connectStart(owner.account, 72), { headers: { 'x-forwarded-for': '127.9.0.99' } })).body[
          'Status'
        ],
      ).toBe(429);
    });
  });

  it('honours X-Forwarded-For from a trusted proxy (right-most untrusted hop), and only from it', async () => {
    await run(['127.0.0.1'], async (url, _clock, owner) => {
      const via = (hops: string, seed: number, from = '127.0.0.1') =>
        postFrom(url, connectStart(owner.account, seed), { from, headers: { 'x-forwarded-for': hops } });
      expect((await via('127.9.0.1', 80)).body['Status']).toBe(201);
      // The client wrote the left part; the proxy appended the address it saw.
      expect((await via('127.50.50.50, 127.9.0.1', 81)).body['Status']).toBe(201);
      expect((await via('127.51.51.51, 127.9.0.1', 82)).body['Status']).toBe(429);
      // Another client behind the same proxy has its own bucket.
      expect((await via('127.9.0.2', 83)).body['Status']).toBe(201);
      // An untrusted peer's header is ignored: 127.0.0.6 is counted as itself.
      expect((await via('127.9.0.3', 84, '127.0.0.6')).body['Status']).toBe(201);
      expect((await via('127.9.0.4', 85, '127.0.0.6')).body['Status']).toBe(201);
      expect((await via('127.9.0.5', 86, '127.0.0.6')).body['Status']).toBe(429);
    });
  });
});

describe('account names and hosted domains', () => {
  let backend: StoreBackend;
  let service: TestService;
  beforeAll(async () => {
    backend = await storeBackend('file');
    service = await startTestService(await backend.fresh(), {
      config: { account: { ...DEFAULT_SERVICE_CONFIG.account, hostedDomains: ['example.com', 'example.net'] } },
    });
  });
  afterAll(async () => {
    await service?.close();
    await backend?.stop();
  });

  it('refuses CreateAccount for a domain it does not host, naming the domain; ConnectStart, Claim and PollClaim there are "not hosted here"', async () => {
    const erin = new TestOwner('erin@example.org', testRandom(11), service.clock, service.serviceProfile.udf);
    const created = await erin.create(service.url);
    expect(created.http).toBe(403);
    expect(created.body).toEqual({
      Status: 403,
      StatusDescription:
        'the account domain "example.org" is not hosted here (this service hosts example.com, example.net)',
    });
    const start = await post(service.url, connectStart('erin@example.org', 90));
    expect(start.body).toMatchObject({
      Status: 404,
      StatusDescription: expect.stringContaining('"example.org" is not hosted here'),
    });
    const poll = await post(service.url, {
      PollClaimRequest: { PublicationId: 'AAAA-BBBB', TargetAccountAddress: 'maker@EXAMPLE.org' },
    });
    expect(poll.body).toMatchObject({
      Status: 404,
      StatusDescription: expect.stringContaining('"example.org" is not hosted here'),
    });
    // Claim: by the publisher's account (the claim's Recipient), whoever the claimant is.
    const claimant = new TestOwner('claimant@example.com', testRandom(15), service.clock, service.serviceProfile.udf);
    const claimFor = (publisher: string) =>
      createMessageClaim({
        claimantProfile: claimant.profile,
        adminKey: claimant.admin,
        connectUri: staticConnectUri(seedOf('MeshProfileDevice', testRandom(16)), publisher),
        random: testRandom(17),
      }).json;
    const foreignClaim = await post(service.url, {
      ClaimRequest: { EnvelopedMessageClaim: claimFor('Maker@Example.org') },
    });
    expect(foreignClaim.body).toMatchObject({
      Status: 404,
      StatusDescription: expect.stringContaining('"example.org" is not hosted here'),
    });
    const hostedClaim = await post(service.url, {
      ClaimRequest: { EnvelopedMessageClaim: claimFor('maker@example.com') },
    });
    expect(hostedClaim.body).toMatchObject({
      Status: 404,
      StatusDescription: expect.stringMatching(/^no publication/),
    });
    const validate = await post(service.url, { ValidateRequest: { Account: 'erin@example.org' } });
    expect(validate.body).toMatchObject({
      Status: 201,
      Valid: false,
      Reason: expect.stringContaining('"example.org" is not hosted here'),
    });
    // A hosted domain, in any case, is served.
    const frank = new TestOwner('frank@Example.NET', testRandom(12), service.clock, service.serviceProfile.udf);
    expect(
      (
        await frank.signed(
          service.url,
          { CreateRequest: { Account: 'frank@Example.NET', EnvelopedProfileAccount: frank.profile.json } },
          { account: 'frank@example.net' },
        )
      ).body['Status'],
    ).toBe(201);
  });

  it('refuses reserved user parts at CreateAccount and ValidateAccount, in any case', async () => {
    for (const user of [
      'admin',
      'Postmaster',
      'ROOT',
      'abuse',
      'noreply',
      'security',
      'webmaster',
      'hostmaster',
      'administrator',
    ]) {
      const account = `${user}@example.com`;
      const validate = await post(service.url, { ValidateRequest: { Account: account } });
      expect(validate.body).toMatchObject({
        Status: 201,
        Valid: false,
        Reason: `the account name ${JSON.stringify(user.toLowerCase())} is reserved`,
      });
      const owner = new TestOwner(account, testRandom(13), service.clock, service.serviceProfile.udf);
      const created = await owner.signed(
        service.url,
        { CreateRequest: { Account: account, EnvelopedProfileAccount: owner.profile.json } },
        { account: account.toLowerCase() },
      );
      expect(created.body).toEqual({
        Status: 400,
        StatusDescription: `"CreateRequest.Account": the account name ${JSON.stringify(user.toLowerCase())} is reserved`,
      });
    }
    expect(
      (await post(service.url, { ValidateRequest: { Account: 'administrators@example.com' } })).body['Valid'],
    ).toBe(true);
  });

  it('normalises account names the same way everywhere: case folded; padding, non-ASCII and look-alikes refused, naming the field', async () => {
    const grace = new TestOwner('grace@example.com', testRandom(14), service.clock, service.serviceProfile.udf);
    expect((await grace.create(service.url)).body['Status']).toBe(201);
    expect((await post(service.url, { ValidateRequest: { Account: 'GRACE@example.COM' } })).body).toMatchObject({
      Valid: false,
      Reason: 'the account already exists',
    });
    expect((await post(service.url, connectStart('grace@example.com', 91, 'Grace@Example.Com'))).body['Status']).toBe(
      201,
    );
    for (const bad of [
      ' grace@example.com',
      'grace@example.com ',
      'gráce@example.com',
      'ｇrace@example.com',
      'grace@exämple.com',
      'grace@example.com.',
      'grace@@example.com',
    ]) {
      const reply = await post(service.url, connectStart('grace@example.com', 92, bad));
      expect({ bad, reply: reply.body }).toEqual({
        bad,
        reply: { Status: 400, StatusDescription: expect.stringContaining('ConnectStartRequest.AccountAddress') },
      });
      const validate = await post(service.url, { ValidateRequest: { Account: bad } });
      expect({ bad, valid: validate.body['Valid'] }).toEqual({ bad, valid: false });
    }
  });
});
