/**
 * @module test/integration/service/front-door-bounds.test
 * The unauthenticated front door's bounds (docs/security.md "Size limits", "Pending requests
 * per account", "Housekeeping", "PIN lockout", "Replays"), over real HTTP on loopback with
 * the file store and with PostgreSQL, one test per way a stranger could jam an owner: an
 * oversized request, a page of large requests past the owner CLI's cap, a crowd of expired
 * requests hiding a live one, random PinIds locking the owner's PIN, a replayed failing PIN
 * request, a replayed RequestConnection filing twice, and the pending cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessagePin } from '../../../src/mesh/connect/message-pin.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import {
  createRequestConnection,
  type CreatedRequestConnection,
} from '../../../src/mesh/connect/request-connection.js';
import { createProfileDevice, deviceBaseKeyPairs } from '../../../src/mesh/profiles/profile-device.js';
import { sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { envelopeId } from '../../../src/mesh/udf/message-id.js';
import { DEFAULT_RATE_LIMITS } from '../../../src/service/rate-limit/rate-limit-config.js';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import { Containers } from '../../../src/service/records.js';
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

const ALICE = 'alice@example.com';
const HOUR = 3600_000;
const bytesOf = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/** A device's RequestConnection to Alice, optionally with a PIN and a profile Description. */
function deviceRequest(seed: number, options: { pin?: string; description?: string } = {}): CreatedRequestConnection {
  const device = makeDevice(seed);
  const profile =
    options.description === undefined
      ? undefined
      : createProfileDevice(device.deviceSeed, { description: options.description });
  return createRequestConnection({
    deviceSeed: device.deviceSeed,
    accountAddress: ALICE,
    random: device.random,
    ...(options.pin === undefined ? {} : { pin: options.pin }),
    ...(profile === undefined ? {} : { profile }),
  });
}

/**
 * Device `seed`'s request carrying the PinId of `pin` and a PinWitness computed for another
 * device (`witnessSeed`): a guess at a real PIN that fails, as an eavesdropper could make it.
 */
function wrongWitnessRequest(seed: number, witnessSeed: number, pin: string): CreatedRequestConnection {
  const witness = deviceRequest(witnessSeed, { pin });
  const own = deviceRequest(seed, { pin });
  const request = { ...own.request, PinWitness: witness.request.PinWitness };
  const keys = deviceBaseKeyPairs(makeDevice(seed).deviceSeed);
  const sealed = sealObject('RequestConnection', request, {
    envelopeId: envelopeId(own.messageId),
    signer: signerOf(keys.profileSignature),
  });
  return { ...own, envelope: sealed.envelope, json: sealed.json, request };
}

const connectStart = (service: TestService, request: CreatedRequestConnection): Promise<Reply> =>
  post(service.url, { ConnectStartRequest: { AccountAddress: ALICE, EnvelopedRequestConnection: request.json } });

describe.each<StoreKind>(['file', 'postgres'])('front-door bounds with the %s store', (kind) => {
  let backend: StoreBackend;
  beforeAll(async () => {
    backend = await storeBackend(kind);
  });
  afterAll(async () => {
    await backend?.stop();
  });

  async function fresh(config: Partial<ServiceConfig> = {}): Promise<{ service: TestService; alice: TestOwner }> {
    // The token buckets are another layer's (docs/security.md "Rate limits"); off here so each test sees its own bound.
    const service = await startTestService(await backend.fresh(), {
      config: { rateLimits: { ...DEFAULT_RATE_LIMITS, enabled: false }, ...config },
    });
    const alice = new TestOwner(ALICE, testRandom(7001), service.clock, service.serviceProfile.udf);
    expect((await alice.create(service.url)).body['Status']).toBe(201);
    return { service, alice };
  }

  async function registerPin(service: TestService, alice: TestOwner, seed: number): Promise<string> {
    const pin = newPin(testRandom(seed));
    const messagePin = createMessagePin({
      pin,
      accountAddress: ALICE,
      adminKey: alice.admin,
      expires: new Date(service.clock.now + HOUR),
      automatic: true,
    });
    const reply = await alice.signed(service.url, {
      PinRegisterRequest: { AccountAddress: ALICE, EnvelopedMessagePin: messagePin.json },
    });
    expect(reply.body['Status']).toBe(201);
    return pin;
  }

  const pending = (service: TestService, alice: TestOwner, constraints?: Record<string, unknown>): Promise<Reply> =>
    alice.signed(service.url, {
      ConnectPendingRequest: {
        AccountAddress: ALICE,
        ...(constraints === undefined ? {} : { SearchConstraints: constraints }),
      },
    });

  it('refuses an oversized device Description (400) and an oversized envelope or claim (413), naming the field and the limit', async () => {
    const real = deviceRequest(11);
    // A real device's request is a few KB, far under the default 16 KiB.
    expect(bytesOf(real.json)).toBeLessThan(4096);
    const limit = bytesOf(deviceRequest(12, { description: 'd'.repeat(257) }).json) + 10;
    const { service, alice } = await fresh({ maxConnectRequestBytes: limit, maxClaimBytes: 200 });
    try {
      expect((await connectStart(service, real)).body['Status']).toBe(201);

      const described = await connectStart(service, deviceRequest(12, { description: 'd'.repeat(257) }));
      expect(described.body['Status']).toBe(400);
      expect(described.body['StatusDescription']).toContain('ProfileDevice.Description');
      expect(described.body['StatusDescription']).toContain('256');

      const bulky = await connectStart(service, deviceRequest(13, { description: 'é'.repeat(256) }));
      expect(bulky.http).toBe(413);
      expect(bulky.body['Status']).toBe(413);
      expect(bulky.body['StatusDescription']).toContain('EnvelopedRequestConnection');
      expect(bulky.body['StatusDescription']).toContain(String(limit));

      const claim = await post(service.url, { ClaimRequest: { EnvelopedMessageClaim: real.json } });
      expect(claim.http).toBe(413);
      expect(claim.body['StatusDescription']).toContain('EnvelopedMessageClaim');
      expect(claim.body['StatusDescription']).toContain('200');
      // Nothing refused was filed.
      expect((await pending(service, alice)).body['Pending']).toHaveLength(1);
    } finally {
      await service.close();
    }
  });
  it('pages 20 large-but-allowed requests under MaxBytes, and under the service cap without it: every one exactly once', async () => {
    const { service, alice } = await fresh({ maxPageBytes: 40_000 });
    try {
      for (let i = 0; i < 20; i++)
        expect(
          (await connectStart(service, deviceRequest(100 + i, { description: 'D'.repeat(256) }))).body['Status'],
        ).toBe(201);
      for (const maxBytes of [15_000, undefined]) {
        const seen: string[] = [];
        let pageKey: string | undefined;
        let pages = 0;
        do {
          const reply = await pending(service, alice, {
            ...(maxBytes === undefined ? {} : { MaxBytes: maxBytes }),
            ...(pageKey === undefined ? {} : { PageKey: pageKey }),
          });
          expect(reply.body['Status']).toBe(201);
          const entries = reply.body['Pending'] as { EnvelopedAcknowledgeConnection: unknown }[];
          expect(entries.length).toBeGreaterThan(0);
          expect(bytesOf(entries)).toBeLessThanOrEqual(maxBytes ?? 40_000);
          seen.push(...entries.map((e) => JSON.stringify(e.EnvelopedAcknowledgeConnection)));
          pageKey = reply.body['PageKey'];
          expect(++pages).toBeLessThan(25);
        } while (pageKey !== undefined);
        expect(pages).toBeGreaterThan(1);
        expect(seen).toHaveLength(20);
        expect(new Set(seen).size).toBe(20);
      }
      // An entry larger than MaxBytes on its own still comes, alone, so paging progresses.
      const tiny = await pending(service, alice, { MaxBytes: 10 });
      expect(tiny.body['Pending']).toHaveLength(1);
      expect(tiny.body['PageKey']).toBeDefined();
      // Transfer and Get honour MaxBytes too.
      const transfer = await alice.signed(service.url, {
        TransferRequest: { AccountAddress: ALICE, SearchConstraints: { MaxBytes: 15_000 } },
      });
      expect(transfer.body['Status']).toBe(201);
      expect(bytesOf(transfer.body['DataItems'])).toBeLessThanOrEqual(15_000);
      expect(transfer.body['PageKey']).toBeDefined();
    } finally {
      await service.close();
    }
  });

  it('lists a live request behind 1 100 expired ones on the first page; housekeeping purges them, keeps "Expired" for the retention time, and the log still verifies after a restart', async () => {
    let { service, alice } = await fresh({
      pendingLifetimeMs: HOUR,
      expiredRetentionMs: HOUR,
      maxPendingUnvalidated: 2000,
    });
    try {
      const first = await startConnection(service, alice, 200);
      await registerPin(service, alice, 202);
      const stored = await service.running.store.get(
        Containers.requests,
        (await service.running.store.list(Containers.requests, { prefix: `${ALICE} ` })).records[0]!.key,
      );
      // 1 100 expired requests whose keys sort before any real one (written as one batch: the same shape ConnectStart files).
      for (let batch = 0; batch < 2; batch++) {
        await service.running.store.commit(
          Array.from({ length: 550 }, (_, i) => ({
            op: 'put' as const,
            container: Containers.requests,
            key: `${ALICE} 0-${batch}-${String(i).padStart(4, '0')}`,
            value: { ...stored!.value, Expires: '2026-11-21T09:00:00Z' },
          })),
        );
      }
      service.clock.advance(HOUR + 1000);
      // The first request has expired too; a new one is live.
      const live = await startConnection(service, alice, 201);
      const listed = await pending(service, alice);
      expect(listed.body['Pending']).toHaveLength(1);
      expect(listed.body['PageKey']).toBeUndefined();
      expect(listed.body['Pending'][0].EnvelopedAcknowledgeConnection).toEqual(live.ack.json);

      const status = { ConnectStatusRequest: { AccountAddress: ALICE, ResponseId: first.responseId } };
      expect((await post(service.url, status)).body).toMatchObject({ Status: 410, Result: 'Expired' });

      expect(await service.running.service.maintain()).toBeGreaterThanOrEqual(1100);
      const left = await service.running.store.list(Containers.requests, { prefix: `${ALICE} `, limit: 1000 });
      // Expired within the retention time: kept so the device learns "Expired".
      expect(left.records).toHaveLength(2);
      expect((await post(service.url, status)).body).toMatchObject({ Status: 410, Result: 'Expired' });
      service.clock.advance(HOUR);
      await service.running.service.maintain();
      expect(
        (await service.running.store.list(Containers.requests, { prefix: `${ALICE} `, limit: 1000 })).records,
      ).toHaveLength(1);
      expect((await post(service.url, status)).body['Status']).toBe(404);
      // The PIN (expired an hour ago) and the first request's replay index went with it.
      expect((await service.running.store.list(Containers.pins, { prefix: `${ALICE} ` })).records).toHaveLength(0);
      expect(
        (await service.running.store.list(Containers.connectReplays, { prefix: `${ALICE} ` })).records,
      ).toHaveLength(1);
      const before = await service.running.store.verify();
      service = await service.restart();
      // The purges are log entries like any other: the chain and the Merkle root replay.
      const after = await service.running.store.verify();
      expect(after.entries).toBeGreaterThanOrEqual(before.entries);
      expect(after.records).toBe(before.records);
      // The second request has just expired too, and is still kept to say so.
      expect((await pending(service, alice)).body['Pending']).toHaveLength(0);
      expect(
        (await post(service.url, { ConnectStatusRequest: { AccountAddress: ALICE, ResponseId: live.responseId } }))
          .body,
      ).toMatchObject({ Status: 410, Result: 'Expired' });
    } finally {
      await service.close();
    }
  });

  it('returns PageKeys that make progress when the scan budget runs out before a live request', async () => {
    const { service, alice } = await fresh({ maxScanRecords: 300 });
    try {
      const template = await startConnection(service, alice, 300);
      void template;
      const stored = (await service.running.store.list(Containers.requests, { prefix: `${ALICE} ` })).records[0]!;
      await service.running.store.commit(
        Array.from({ length: 800 }, (_, i) => ({
          op: 'put' as const,
          container: Containers.requests,
          key: `${ALICE} 0-${String(i).padStart(4, '0')}`,
          value: { ...stored.value, Expires: '2026-11-21T09:00:00Z' },
        })),
      );
      let pageKey: string | undefined;
      const found: unknown[] = [];
      let requests = 0;
      do {
        const reply = await pending(service, alice, pageKey === undefined ? undefined : { PageKey: pageKey });
        expect(reply.body['Status']).toBe(201);
        expect(reply.body['PageKey']).not.toBe(pageKey);
        found.push(...reply.body['Pending']);
        pageKey = reply.body['PageKey'];
        requests++;
      } while (pageKey !== undefined && found.length === 0);
      expect(found).toHaveLength(1);
      // 801 records at 300 a request: the live one by the third.
      expect(requests).toBeLessThanOrEqual(3);
    } finally {
      await service.close();
    }
  });

  it('five ConnectStarts with random PinIds do not lock the real PIN, but throttle their source', async () => {
    const { service, alice } = await fresh();
    try {
      const pin = await registerPin(service, alice, 400);
      for (let i = 0; i < 5; i++) {
        const reply = await connectStart(service, deviceRequest(401 + i, { pin: newPin(testRandom(450 + i)) }));
        expect(reply.body['Status']).toBe(i < 4 ? 403 : 429);
      }
      const sixth = await connectStart(service, deviceRequest(410, { pin: newPin(testRandom(460)) }));
      expect(sixth.body['Status']).toBe(429);
      expect(sixth.body['RetryAfter']).toBeGreaterThan(0);
      // The owner's real PIN still validates.
      expect((await connectStart(service, deviceRequest(411, { pin }))).body['Status']).toBe(201);
      expect(
        (await pending(service, alice)).body['Pending'].map((p: { PinValidated: boolean }) => p.PinValidated),
      ).toEqual([true]);
    } finally {
      await service.close();
    }
  });

  it('counts five replays of one failing PIN request once; distinct failures lock that PIN, across a restart', async () => {
    let { service, alice } = await fresh();
    try {
      const pin = await registerPin(service, alice, 500);
      const guess = wrongWitnessRequest(501, 502, pin);
      for (let i = 0; i < 5; i++) expect((await connectStart(service, guess)).body['Status']).toBe(403);
      for (let i = 0; i < 3; i++)
        expect((await connectStart(service, wrongWitnessRequest(510 + i, 502, pin))).body['Status']).toBe(403);
      const fifth = await connectStart(service, wrongWitnessRequest(520, 502, pin));
      expect(fifth.body['Status']).toBe(429);
      service = await service.restart();
      const locked = await connectStart(service, deviceRequest(521, { pin }));
      expect(locked.body['Status']).toBe(429);
      expect(locked.body['RetryAfter']).toBeGreaterThan(0);
      service.clock.advance(15 * 60 * 1000 + 1000);
      expect((await connectStart(service, deviceRequest(522, { pin }))).body['Status']).toBe(201);
    } finally {
      await service.close();
    }
  });

  it('answers a replayed RequestConnection with the same acknowledgement and files it once', async () => {
    const { service, alice } = await fresh();
    try {
      const request = deviceRequest(600);
      const replies = await Promise.all([connectStart(service, request), connectStart(service, request)]);
      replies.push(await connectStart(service, request));
      for (const reply of replies) expect(reply.body['Status']).toBe(201);
      const acks = replies.map((r) => JSON.stringify(r.body['EnvelopedAcknowledgeConnection']));
      expect(new Set(acks).size).toBe(1);
      expect((await pending(service, alice)).body['Pending']).toHaveLength(1);
    } finally {
      await service.close();
    }
  });

  it('caps unvalidated pending requests with 429 and RetryAfter, never a PIN-validated one, and frees a place when the owner answers', async () => {
    const { service, alice } = await fresh({ maxPendingUnvalidated: 3, pendingLifetimeMs: HOUR });
    try {
      const started = [];
      for (let i = 0; i < 3; i++) started.push(await startConnection(service, alice, 700 + i));
      service.clock.advance(60_000);
      const refused = await connectStart(service, deviceRequest(710));
      expect(refused.http).toBe(429);
      expect(refused.body['Status']).toBe(429);
      expect(refused.body['RetryAfter']).toBe(HOUR / 1000 - 60);
      const pin = await registerPin(service, alice, 711);
      expect((await connectStart(service, deviceRequest(712, { pin }))).body['Status']).toBe(201);
      expect((await acceptStarted(service, alice, started[0]!, 713)).body['Status']).toBe(201);
      expect((await connectStart(service, deviceRequest(714))).body['Status']).toBe(201);
      expect((await connectStart(service, deviceRequest(715))).body['Status']).toBe(429);
      service.clock.advance(HOUR);
      expect((await connectStart(service, deviceRequest(716))).body['Status']).toBe(201);
    } finally {
      await service.close();
    }
  });
});
