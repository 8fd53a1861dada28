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
import { createRequestConnection, type CreatedRequestConnection } from '../../../src/mesh/connect/request-connection.js';
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
  const profile = options.description === undefined ? undefined : createProfileDevice(device.deviceSeed, { description: options.description });
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
  const sealed = sealObject('RequestConnection', request, { envelopeId: envelopeId(own.messageId), signer: signerOf(keys.profileSignature) });
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
    const service = await startTestService(await backend.fresh(), { config: { rateLimits: { ...DEFAULT_RATE_LIMITS, enabled: false }, ...config } });
    const alice = new TestOwner(ALICE, testRandom(7001), service.clock, service.serviceProfile.udf);
    expect((await alice.create(service.url)).body['Status']).toBe(201);
    return { service, alice };
  }

  async function registerPin(service: TestService, alice: TestOwner, seed: number): Promise<string> {
    const pin = newPin(testRandom(seed));
    const messagePin = createMessagePin({ pin, accountAddress: ALICE, adminKey: alice.admin, expires: new Date(service.clock.now + HOUR), automatic: true });
    const reply = await alice.signed(service.url, { PinRegisterRequest: { AccountAddress: ALICE, EnvelopedMessagePin: messagePin.json } });
    expect(reply.body['Status']).toBe(201);
    return pin;
  }

  const pending = (service: TestService, alice: TestOwner, constraints?: Record<string, unknown>): Promise<Reply> =>
    alice.signed(service.url, { ConnectPendingRequest: { AccountAddress: ALICE, ...(constraints === undefined ? {} : { SearchConstraints: constraints }) } });

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
});
