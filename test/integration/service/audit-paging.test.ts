/**
 * @module test/integration/service/audit-paging.test
 * Service audit, over real HTTP with the file store and with PostgreSQL: Get with
 * SearchConstraints and PageKey paging over a device catalog built by completing scripted
 * devices' connections (every device exactly once, stable order, also across a restart, the
 * service's cap on MaxEntries, tampered and foreign PageKeys refused with a 400 that names
 * the field); Get by Account, by Identifier (EnvelopedData withheld) and the 404s; and
 * ConnectPending paged over several pending requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import { createPublication } from '../../../src/mesh/connect/cataloged-publication.js';
import { createMessagePin } from '../../../src/mesh/connect/message-pin.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import { verifyProfileAccount } from '../../../src/mesh/profiles/profile-account.js';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import {
  TestOwner,
  acceptStarted,
  makeDevice,
  post,
  startConnection,
  startTestService,
  storeBackend,
  testRandom,
  type Reply,
  type StoreBackend,
  type StoreKind,
  type TestService,
} from './service-harness.js';

const pageKeyOf = (reply: Reply): string | undefined => reply.body['PageKey'] as string | undefined;

/** Re-encodes a store page key so that it points at `key` (what a client could forge). */
const forgedPageKey = (key: string): string => `k1.${Buffer.from(key, 'utf8').toString('base64url')}`;

describe.each<StoreKind>(['file', 'postgres'])(
  'service audit: Get and ConnectPending paging with the %s store',
  (kind) => {
    let backend: StoreBackend;
    beforeAll(async () => {
      backend = await storeBackend(kind);
    });
    afterAll(async () => {
      await backend?.stop();
    });

    async function fresh(
      config?: Partial<ServiceConfig>,
    ): Promise<{ service: TestService; alice: TestOwner; bob: TestOwner }> {
      const service = await startTestService(await backend.fresh(), config === undefined ? {} : { config });
      const alice = new TestOwner('alice@example.com', testRandom(101), service.clock, service.serviceProfile.udf);
      const bob = new TestOwner('bob@example.com', testRandom(102), service.clock, service.serviceProfile.udf);
      expect((await alice.create(service.url)).body['Status']).toBe(201);
      expect((await bob.create(service.url)).body['Status']).toBe(201);
      return { service, alice, bob };
    }

    /** Connects `count` scripted devices to `owner` (ConnectStart + ConnectComplete Accept); their UDFs. */
    async function catalog(service: TestService, owner: TestOwner, count: number, seed: number): Promise<string[]> {
      const udfs: string[] = [];
      for (let i = 0; i < count; i++) {
        const started = await startConnection(service, owner, seed + i);
        expect((await acceptStarted(service, owner, started, seed + 500 + i)).body['Status']).toBe(201);
        udfs.push(started.deviceUdf);
      }
      return udfs;
    }

    async function getDevices(
      service: TestService,
      account: string,
      constraints: Record<string, unknown>,
    ): Promise<Reply> {
      return post(service.url, {
        GetRequest: { Account: account, KeyValues: [{ Key: 'Devices' }], SearchConstraints: constraints },
      });
    }

    /** Follows PageKey until it is absent; the pages' keys. */
    async function allPages(
      service: TestService,
      account: string,
      maxEntries: number,
    ): Promise<{ pages: string[][]; keys: string[] }> {
      const pages: string[][] = [];
      let pageKey: string | undefined;
      do {
        const reply = await getDevices(service, account, {
          MaxEntries: maxEntries,
          ...(pageKey === undefined ? {} : { PageKey: pageKey }),
        });
        expect(reply.body['Status']).toBe(201);
        pages.push(reply.body['DataItems'].map((item: { Key: string }) => item.Key));
        pageKey = pageKeyOf(reply);
        expect(pages.length).toBeLessThan(50);
      } while (pageKey !== undefined);
      return { pages, keys: pages.flat() };
    }

    it("Get Devices pages by MaxEntries and PageKey: every device exactly once, in a stable order, also across a restart; only the account's own", async () => {
      let { service, alice, bob } = await fresh();
      try {
        const aliceDevices = await catalog(service, alice, 7, 1000);
        const bobDevices = await catalog(service, bob, 2, 1100);

        const whole = await getDevices(service, 'alice@example.com', {});
        expect(whole.body['Status']).toBe(201);
        expect(whole.body['PageKey']).toBeUndefined();
        expect(whole.body['DataItems']).toHaveLength(7);
        for (const item of whole.body['DataItems']) {
          expect(item).toEqual({
            Type: 'CatalogedDevice',
            Key: expect.any(String),
            Status: 'Connected',
            Updated: expect.any(String),
          });
        }
        const order = whole.body['DataItems'].map((item: { Key: string }) => item.Key) as string[];
        expect([...order].sort()).toEqual([...aliceDevices].sort());

        const paged = await allPages(service, 'alice@example.com', 3);
        expect(paged.pages.map((p) => p.length)).toEqual([3, 3, 1]);
        expect(paged.keys).toEqual(order);
        expect(new Set(paged.keys).size).toBe(7);
        // An exact multiple ends without a PageKey on its last, full page.
        expect((await allPages(service, 'alice@example.com', 7)).pages).toEqual([order]);
        expect((await allPages(service, 'alice@example.com', 1)).keys).toEqual(order);

        const bobPaged = await allPages(service, 'bob@example.com', 1);
        expect([...bobPaged.keys].sort()).toEqual([...bobDevices].sort());
        expect(bobPaged.keys.some((k) => aliceDevices.includes(k))).toBe(false);

        // A PageKey issued before a restart continues the same listing after it.
        const first = await getDevices(service, 'alice@example.com', { MaxEntries: 2 });
        const held = pageKeyOf(first) as string;
        expect(held).toBeDefined();
        service = await service.restart();
        const continued = await getDevices(service, 'alice@example.com', { MaxEntries: 100, PageKey: held });
        expect(continued.body['DataItems'].map((item: { Key: string }) => item.Key)).toEqual(order.slice(2));
        expect((await allPages(service, 'alice@example.com', 3)).keys).toEqual(order);

        // A record added between pages appears once, in its place, and none is repeated.
        const more = await catalog(service, alice, 1, 1200);
        const after = await allPages(service, 'alice@example.com', 3);
        expect([...after.keys].sort()).toEqual([...aliceDevices, ...more].sort());
        expect(new Set(after.keys).size).toBe(8);
      } finally {
        await service.close();
      }
    }, 60_000);

    it('caps MaxEntries at the service bound, refuses MaxEntries 0, and refuses tampered or foreign PageKeys with a 400 naming the field', async () => {
      const { service, alice, bob } = await fresh({ maxPageEntries: 2 });
      try {
        const aliceDevices = await catalog(service, alice, 3, 1300);
        await catalog(service, bob, 3, 1400);
        const capped = await getDevices(service, 'alice@example.com', { MaxEntries: 1000 });
        expect(capped.body['DataItems']).toHaveLength(2);
        const aliceKey = pageKeyOf(capped) as string;
        expect(aliceKey).toBeDefined();
        const rest = await getDevices(service, 'alice@example.com', { PageKey: aliceKey });
        expect(rest.body['DataItems']).toHaveLength(1);
        expect(rest.body['PageKey']).toBeUndefined();
        expect(
          [...capped.body['DataItems'], ...rest.body['DataItems']].map((i: { Key: string }) => i.Key).sort(),
        ).toEqual([...aliceDevices].sort());

        const zero = await getDevices(service, 'alice@example.com', { MaxEntries: 0 });
        expect(zero.http).toBe(400);
        expect(zero.body['StatusDescription']).toContain('MaxEntries');

        const bobKey = pageKeyOf(await getDevices(service, 'bob@example.com', { MaxEntries: 1 })) as string;
        expect(bobKey).toBeDefined();
        const tampered: Record<string, string> = {
          'not a page key': 'hello',
          'another encoding tag': `k2.${aliceKey.slice(3)}`,
          'bad base64url': `k1.${'@'.repeat(8)}`,
          'invalid UTF-8': `k1.${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url')}`,
          "another account's page key": bobKey,
          'a key re-encoded to point into another account': forgedPageKey('bob@example.com '),
          'a key re-encoded to point before the account': forgedPageKey('alice@example.co'),
        };
        for (const [what, pageKey] of Object.entries(tampered)) {
          const refused = await getDevices(service, 'alice@example.com', { PageKey: pageKey });
          expect({ what, http: refused.http, name: refused.name, status: refused.body['Status'] }).toEqual({
            what,
            http: 400,
            name: 'GetResponse',
            status: 400,
          });
          expect(refused.body['StatusDescription']).toContain('PageKey');
          expect(refused.body['DataItems']).toBeUndefined();
        }
      } finally {
        await service.close();
      }
    }, 60_000);

    it('Get by Account returns the profile; by Identifier withholds EnvelopedData; unknown account, device or identifier is 404', async () => {
      const { service, alice, bob } = await fresh();
      try {
        const got = await post(service.url, { GetRequest: { Account: 'alice@example.com' } });
        expect(got.body['Status']).toBe(201);
        expect(got.body['DataItems']).toHaveLength(1);
        expect(got.body['DataItems'][0]).toEqual({
          Type: 'ProfileAccount',
          Key: 'alice@example.com',
          Updated: expect.any(String),
          Value: alice.profile.json,
        });
        expect(verifyProfileAccount(got.body['DataItems'][0].Value).udf).toBe(alice.profile.udf);
        expect(got.body['PageKey']).toBeUndefined();

        const [udf] = await catalog(service, alice, 1, 1500);
        const one = await post(service.url, {
          GetRequest: { Account: 'alice@example.com', KeyValues: [{ Key: 'Device', Value: udf }] },
        });
        expect(one.body['DataItems']).toEqual([
          expect.objectContaining({ Type: 'CatalogedDevice', Key: udf, Status: 'Connected' }),
        ]);
        // Alice's device is not in Bob's catalog.
        const notBobs = await post(service.url, {
          GetRequest: { Account: 'bob@example.com', KeyValues: [{ Key: 'Device', Value: udf }] },
        });
        expect(notBobs.http).toBe(404);

        const device = makeDevice(1501);
        const published = createPublication({
          deviceSeed: device.deviceSeed,
          makerAccount: 'bob@example.com',
          random: device.random,
        });
        expect(
          (
            await bob.signed(service.url, {
              PublishRequest: { Account: 'bob@example.com', CatalogedPublication: published.publication },
            })
          ).body['Status'],
        ).toBe(201);
        const byId = await post(service.url, { GetRequest: { Identifier: published.publicationId } });
        expect(byId.body['Status']).toBe(201);
        const item = byId.body['DataItems'][0];
        expect(item).toMatchObject({ Type: 'CatalogedPublication', Key: published.publicationId });
        expect(item.Value.EnvelopedData).toBeUndefined();
        expect(byId.raw).not.toContain(JSON.stringify(published.publication.EnvelopedData).slice(0, 60));
        expect(Object.keys(item.Value).every((k) => ['Id', 'Authenticator', 'NotOnOrAfter'].includes(k))).toBe(true);
        expect(item.Value).toMatchObject({
          Id: published.publicationId,
          Authenticator: published.publication.Authenticator,
        });

        const unknownId = makeDevice(1502);
        const other = createPublication({
          deviceSeed: unknownId.deviceSeed,
          makerAccount: 'bob@example.com',
          random: unknownId.random,
        });
        const missing: Array<[string, object]> = [
          ['account', { Account: 'carol@example.com' }],
          ['account, Devices', { Account: 'carol@example.com', KeyValues: [{ Key: 'Devices' }] }],
          ['account, Device', { Account: 'carol@example.com', KeyValues: [{ Key: 'Device', Value: udf }] }],
          ['device', { Account: 'alice@example.com', KeyValues: [{ Key: 'Device', Value: other.profile.udf }] }],
          ['identifier', { Identifier: other.publicationId }],
        ];
        for (const [what, request] of missing) {
          const reply = await post(service.url, { GetRequest: request });
          expect({ what, http: reply.http, status: reply.body['Status'], name: reply.name }).toEqual({
            what,
            http: 404,
            status: 404,
            name: 'GetResponse',
          });
          expect(reply.body['DataItems']).toBeUndefined();
        }
        const neither = await post(service.url, { GetRequest: {} });
        expect(neither.http).toBe(400);
        expect(neither.body['StatusDescription']).toMatch(/Account|Identifier/);
        const badKey = await post(service.url, {
          GetRequest: { Account: 'alice@example.com', KeyValues: [{ Key: 'Everything' }] },
        });
        expect(badKey.http).toBe(400);
        expect(badKey.body['StatusDescription']).toContain('Key');
      } finally {
        await service.close();
      }
    }, 60_000);

    it("ConnectPending pages several pending requests: each unanswered one exactly once, never another account's, PageKey checked", async () => {
      const { service, alice, bob } = await fresh();
      try {
        // Seven requests to Alice, received a minute apart, one validated by a PIN; one is then
        // accepted, so six remain pending. Two requests to Bob.
        const pin = newPin(testRandom(1600));
        const messagePin = createMessagePin({
          pin,
          accountAddress: 'alice@example.com',
          adminKey: alice.admin,
          expires: new Date(service.clock.now + 3600_000),
        });
        expect(
          (
            await alice.signed(service.url, {
              PinRegisterRequest: { AccountAddress: 'alice@example.com', EnvelopedMessagePin: messagePin.json },
            })
          ).body['Status'],
        ).toBe(201);
        const started = [];
        for (let i = 0; i < 7; i++) {
          started.push(await startConnection(service, alice, 1610 + i, i === 3 ? pin : undefined));
          service.clock.advance(60_000);
        }
        const bobStarted = [await startConnection(service, bob, 1620), await startConnection(service, bob, 1621)];
        expect((await acceptStarted(service, alice, started[5]!, 1630)).body['Status']).toBe(201);
        const expected = new Set(started.filter((_, i) => i !== 5).map((s) => s.ack.messageId));

        const seen: string[] = [];
        const pinValidated: string[] = [];
        let pageKey: string | undefined;
        let pages = 0;
        do {
          const reply = await alice.signed(service.url, {
            ConnectPendingRequest: {
              AccountAddress: 'alice@example.com',
              SearchConstraints: { MaxEntries: 2, ...(pageKey === undefined ? {} : { PageKey: pageKey }) },
            },
          });
          expect(reply.body['Status']).toBe(201);
          expect(reply.body['Pending'].length).toBeLessThanOrEqual(2);
          for (const entry of reply.body['Pending']) {
            const ack = verifyAcknowledgeConnection(entry.EnvelopedAcknowledgeConnection, {
              accountProfile: alice.profile,
              serviceKey: service.serviceProfile.keys.serviceSignature,
            });
            seen.push(ack.messageId);
            if (entry.PinValidated === true) pinValidated.push(ack.messageId);
            expect(Date.parse(entry.Expires)).toBeGreaterThan(Date.parse(entry.Received));
          }
          pageKey = pageKeyOf(reply);
          pages++;
          expect(pages).toBeLessThan(20);
        } while (pageKey !== undefined);
        expect(pages).toBeGreaterThanOrEqual(3);
        expect(seen).toHaveLength(6);
        expect(new Set(seen)).toEqual(expected);
        expect(pinValidated).toEqual([started[3]!.ack.messageId]);
        for (const b of bobStarted) expect(seen).not.toContain(b.ack.messageId);

        // NotBefore/Before select by the time received (the first two were received before +2 min).
        const cutoff = new Date(Date.parse('2026-11-21T10:00:00Z') + 2 * 60_000 - 1).toISOString();
        const early = await alice.signed(service.url, {
          ConnectPendingRequest: { AccountAddress: 'alice@example.com', SearchConstraints: { Before: cutoff } },
        });
        expect(
          early.body['Pending']
            .map(
              (e: { EnvelopedAcknowledgeConnection: unknown }) =>
                verifyAcknowledgeConnection(e.EnvelopedAcknowledgeConnection as never, {
                  accountProfile: alice.profile,
                }).messageId,
            )
            .sort(),
        ).toEqual([started[0]!.ack.messageId, started[1]!.ack.messageId].sort());

        // Bob's page key, or a forged one pointing into Bob's requests, is refused for Alice.
        const bobKey = pageKeyOf(
          await bob.signed(service.url, {
            ConnectPendingRequest: { AccountAddress: 'bob@example.com', SearchConstraints: { MaxEntries: 1 } },
          }),
        ) as string;
        expect(bobKey).toBeDefined();
        for (const bad of [bobKey, forgedPageKey('bob@example.com '), 'k1.', 'nonsense']) {
          const refused = await alice.signed(service.url, {
            ConnectPendingRequest: { AccountAddress: 'alice@example.com', SearchConstraints: { PageKey: bad } },
          });
          expect({ bad, status: refused.body['Status'], name: refused.name }).toEqual({
            bad,
            status: 400,
            name: 'ConnectPendingResponse',
          });
          expect(refused.body['StatusDescription']).toContain('PageKey');
        }
      } finally {
        await service.close();
      }
    }, 60_000);
  },
);
