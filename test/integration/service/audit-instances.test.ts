/**
 * @module test/integration/service/audit-instances.test
 * Service audit: "several service instances can share one database". Two services over
 * one PostgreSQL database (and one data directory, so one service identity) at once: a
 * device starts at one and completes at the other, nonces seen by one are replays at the
 * other, page keys and checkpoints are the same at both, and a deletion or profile change
 * made at one is seen at the other at once (the account cache is keyed by record version).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import {
  TestClock,
  TestOwner,
  acceptStarted,
  post,
  startConnection,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type TestService,
} from './service-harness.js';

describe('service audit: two service instances on one PostgreSQL database', () => {
  let backend: StoreBackend;
  beforeAll(async () => {
    backend = await storeBackend('postgres');
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('serves one account from both: connect across instances, shared nonces, paging and checkpoints, deletion seen at once', async () => {
    const location = await backend.fresh();
    const clock = new TestClock();
    const a: TestService = await startTestService(location, { clock });
    const b: TestService = await startTestService(location, { clock });
    try {
      expect(b.serviceProfile.udf).toBe(a.serviceProfile.udf);
      expect(b.url).not.toBe(a.url);
      const alice = new TestOwner('alice@example.com', testRandom(401), clock, a.serviceProfile.udf);
      expect((await alice.create(a.url)).body['Status']).toBe(201);
      expect((await alice.create(b.url)).body['Status']).toBe(409);
      expect((await post(b.url, { GetRequest: { Account: 'alice@example.com' } })).body['DataItems'][0].Value).toEqual(
        alice.profile.json,
      );

      // The device talks to B, the owner to A.
      const started = await startConnection(b, alice, 402);
      const listed = await alice.signed(a.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } });
      expect(listed.body['Pending']).toHaveLength(1);
      const ack = verifyAcknowledgeConnection(listed.body['Pending'][0].EnvelopedAcknowledgeConnection, {
        accountProfile: alice.profile,
        serviceKey: a.serviceProfile.keys.serviceSignature,
      });
      expect(ack.witness).toBe(started.ack.witness);
      expect((await acceptStarted(a, alice, started, 403)).body['Status']).toBe(201);
      expect(
        (
          await post(b.url, {
            ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: started.responseId },
          })
        ).body['Result'],
      ).toBe('Accept');

      // A request signed once is a replay at the other instance.
      const body = JSON.stringify({ ConnectPendingRequest: { AccountAddress: 'alice@example.com' } });
      const headers = alice.authorize(body);
      expect((await post(a.url, body, headers)).body['Status']).toBe(201);
      const replay = await post(b.url, body, headers);
      expect(replay.http).toBe(401);
      expect(replay.body['StatusDescription']).toContain('replayed');

      // Paging continues across instances; checkpoints agree.
      for (let i = 0; i < 3; i++) {
        const more = await startConnection(i % 2 === 0 ? a : b, alice, 410 + i);
        expect((await acceptStarted(i % 2 === 0 ? b : a, alice, more, 420 + i)).body['Status']).toBe(201);
      }
      const devices = { Account: 'alice@example.com', KeyValues: [{ Key: 'Devices' }] };
      const whole = (await post(a.url, { GetRequest: devices })).body['DataItems'].map((i: { Key: string }) => i.Key);
      expect(whole).toHaveLength(4);
      const first = await post(a.url, { GetRequest: { ...devices, SearchConstraints: { MaxEntries: 2 } } });
      const second = await post(b.url, {
        GetRequest: { ...devices, SearchConstraints: { PageKey: first.body['PageKey'] } },
      });
      expect([...first.body['DataItems'], ...second.body['DataItems']].map((i: { Key: string }) => i.Key)).toEqual(
        whole,
      );
      const statusA = await post(a.url, { StatusRequest: {} });
      const statusB = await post(b.url, { StatusRequest: {} });
      expect(statusB.body).toEqual(statusA.body);

      // Deleted at B: gone at A at once, even though A had the account cached.
      expect((await alice.signed(b.url, { DeleteRequest: { Account: 'alice@example.com' } })).body['Status']).toBe(201);
      expect((await post(a.url, { GetRequest: { Account: 'alice@example.com' } })).http).toBe(404);
      expect((await alice.signed(a.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } })).http).toBe(
        404,
      );
      // Created again at A by another owner: B takes the new key and refuses the old one.
      const alice2 = new TestOwner('alice@example.com', testRandom(430), clock, a.serviceProfile.udf);
      expect((await alice2.create(a.url)).body['Status']).toBe(201);
      expect((await alice.signed(b.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } })).http).toBe(
        401,
      );
      expect(
        (await alice2.signed(b.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } })).body[
          'Pending'
        ],
      ).toEqual([]);
      expect((await post(b.url, { GetRequest: devices })).body['DataItems']).toEqual([]);
      expect((await b.running.store.verify()).checkpoint.index).toBe((await a.running.store.checkpoint()).index);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
