/**
 * @module test/integration/service/service.test
 * The Mesh service over real HTTP on 127.0.0.1, once with the embedded file store and once
 * with PostgreSQL: the seed's ValidateRequest example, accounts, owner
 * signatures (unsigned, wrong key, tampered, stale, replayed, replayed after a restart), a
 * scripted device connecting through ConnectStart/ConnectStatus while the test plays the
 * owner with the library, forged answers, expiry, PIN validation and lockout across a restart,
 * and static-QR claims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import { openCatalogedDevice } from '../../../src/mesh/connect/cataloged-device.js';
import { createPublication } from '../../../src/mesh/connect/cataloged-publication.js';
import { createMessageClaim, verifyClaimOnDevice } from '../../../src/mesh/connect/message-claim.js';
import { createMessagePin } from '../../../src/mesh/connect/message-pin.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import {
  acceptConnection,
  openRespondConnection,
  rejectConnection,
} from '../../../src/mesh/connect/respond-connection.js';
import { deviceAuthenticator, serviceAuthenticator, staticConnectUri } from '../../../src/mesh/connect/static-qr.js';
import { deviceBaseKeyPairs } from '../../../src/mesh/profiles/profile-device.js';
import { verifyProfileAccount } from '../../../src/mesh/profiles/profile-account.js';
import { recipientOf, sealObject, signerOf } from '../../../src/mesh/profiles/signed-object.js';
import { envelopeId, responseId } from '../../../src/mesh/udf/message-id.js';
import {
  TestOwner,
  post,
  seedOf,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type StoreKind,
  type TestService,
} from './service-harness.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each<StoreKind>(['file', 'postgres'])('Mesh service over HTTP with the %s store', (kind) => {
  let backend: StoreBackend;
  beforeAll(async () => {
    backend = await storeBackend(kind);
  });
  afterAll(async () => {
    await backend?.stop();
  });

  async function fresh(config?: Partial<ServiceConfig>): Promise<TestService> {
    return startTestService(await backend.fresh(), config === undefined ? {} : { config });
  }

  /** A device made with the core library only, asking `owner`'s account to connect. */
  function makeDevice(seed: number) {
    const random = testRandom(seed);
    const deviceSeed = seedOf('MeshProfileDevice', random);
    return { random, deviceSeed, baseKeys: deviceBaseKeyPairs(deviceSeed) };
  }

  it("answers the seed's ValidateRequest example in the seed's shape", async () => {
    const service = await fresh();
    try {
      const reply = await post(
        service.url,
        '{"ValidateRequest": {"Account": "alice@example.com", "Language": ["en-uk"]}}',
      );
      expect(reply.http).toBe(200);
      expect(reply.name).toBe('ValidateResponse');
      expect(reply.body).toMatchObject({
        Status: 201,
        Valid: true,
        Minimum: 1,
        InvalidCharacters: '.,:;{}()[]<>?|\\@#',
      });
      expect(typeof reply.body['StatusDescription']).toBe('string');
      expect(typeof reply.body['Maximum']).toBe('number');
      const bad = await post(service.url, { ValidateRequest: { Account: 'al.ice@example.com' } });
      expect(bad.body).toMatchObject({ Status: 201, Valid: false });
      expect(bad.body['Reason']).toContain('"."');
    } finally {
      await service.close();
    }
  });

  it('creates, reads and deletes an account; a second create is 409', async () => {
    const service = await fresh();
    try {
      const alice = new TestOwner('alice@example.com', testRandom(1), service.clock, service.serviceProfile.udf);
      expect((await alice.create(service.url)).body['Status']).toBe(201);
      const again = await alice.create(service.url);
      expect(again.body['Status']).toBe(409);
      const validate = await post(service.url, { ValidateRequest: { Account: 'alice@example.com' } });
      expect(validate.body).toMatchObject({ Valid: false, Reason: 'the account already exists' });
      const got = await post(service.url, { GetRequest: { Account: 'Alice@Example.com' } });
      expect(got.body['Status']).toBe(201);
      expect(got.body['DataItems'][0]).toMatchObject({ Type: 'ProfileAccount', Key: 'alice@example.com' });
      expect(verifyProfileAccount(got.body['DataItems'][0].Value).udf).toBe(alice.profile.udf);
      const deleted = await alice.signed(service.url, { DeleteRequest: { Account: 'alice@example.com' } });
      expect(deleted.body['Status']).toBe(201);
      expect((await post(service.url, { GetRequest: { Account: 'alice@example.com' } })).body['Status']).toBe(404);
      // A profile for another address, or signed by a key not in the profile, is refused.
      const mallory = new TestOwner('mallory@example.com', testRandom(2), service.clock);
      const body = JSON.stringify({
        CreateRequest: { Account: 'bob@example.com', EnvelopedProfileAccount: mallory.profile.json },
      });
      expect(
        (await post(service.url, body, mallory.authorize(body, { account: 'bob@example.com' }))).body['Status'],
      ).toBe(400);
      const wrongKey = JSON.stringify({
        CreateRequest: { Account: 'mallory@example.com', EnvelopedProfileAccount: mallory.profile.json },
      });
      expect(
        (await post(service.url, wrongKey, mallory.authorize(wrongKey, { key: alice.keys.administratorSignature })))
          .body['Status'],
      ).toBe(401);
    } finally {
      await service.close();
    }
  });

  it('refuses owner requests that are unsigned, wrongly signed, tampered, stale or replayed, also after a restart', async () => {
    let service = await fresh();
    try {
      const alice = new TestOwner('alice@example.com', testRandom(3), service.clock, service.serviceProfile.udf);
      const bob = new TestOwner('bob@example.com', testRandom(4), service.clock, service.serviceProfile.udf);
      await alice.create(service.url);
      await bob.create(service.url);
      const request = { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } };
      const body = JSON.stringify(request);

      const unsigned = await post(service.url, body);
      expect(unsigned).toMatchObject({ http: 401, name: 'ConnectPendingResponse' });
      expect(unsigned.body['StatusDescription']).toContain('Mesh-Authorization');

      const wrongKey = await post(service.url, body, alice.authorize(body, { key: bob.keys.administratorSignature }));
      expect(wrongKey.body['Status']).toBe(401);
      expect(wrongKey.body['StatusDescription']).toContain('kid');

      const otherAccount = await post(service.url, body, bob.authorize(body));
      expect(otherAccount.body['Status']).toBe(401);

      const headers = alice.authorize(body);
      // Same meaning to a JSON reader, other bytes: the signature covers the bytes.
      const tampered = await post(service.url, body.replace('{"AccountAddress"', '{ "AccountAddress"'), headers);
      expect(tampered.body['Status']).toBe(401);

      const stale = await post(service.url, body, alice.authorize(body, { created: service.clock.now - 301_000 }));
      expect(stale.body['Status']).toBe(401);
      expect(stale.body['StatusDescription']).toContain('stale');
      const future = await post(service.url, body, alice.authorize(body, { created: service.clock.now + 301_000 }));
      expect(future.body['Status']).toBe(401);

      const garbled = await post(service.url, body, {
        'mesh-authorization': 'Mesh account="alice@example.com", kid=x',
      });
      expect(garbled.body['Status']).toBe(401);

      const first = await post(service.url, body, headers);
      expect(first.body['Status']).toBe(201);
      const replay = await post(service.url, body, headers);
      expect(replay.body['Status']).toBe(401);
      expect(replay.body['StatusDescription']).toContain('replayed');

      service = await service.restart();
      const replayAfterRestart = await post(service.url, body, headers);
      expect(replayAfterRestart.body['Status']).toBe(401);
      expect(replayAfterRestart.body['StatusDescription']).toContain('replayed');
      expect((await alice.signed(service.url, request)).body['Status']).toBe(201);
    } finally {
      await service.close();
    }
  });

  it('connects a scripted device: ConnectStart, Pending, owner accepts, device completes and verifies; forged answers refused; revocation', async () => {
    const service = await fresh();
    try {
      const alice = new TestOwner('alice@example.com', testRandom(5), service.clock, service.serviceProfile.udf);
      const bob = new TestOwner('bob@example.com', testRandom(6), service.clock, service.serviceProfile.udf);
      await alice.create(service.url);
      await bob.create(service.url);
      const device = makeDevice(7);

      // Device: ConnectStart, then check the acknowledgement itself (design decision 4).
      const request = createRequestConnection({
        deviceSeed: device.deviceSeed,
        accountAddress: 'alice@example.com',
        random: device.random,
      });
      const started = await post(service.url, {
        ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: request.json },
      });
      expect(started.body['Status']).toBe(201);
      const accountSeenByDevice = verifyProfileAccount(started.body['EnvelopedProfileAccount']);
      expect(accountSeenByDevice.udf).toBe(alice.profile.udf);
      const ackOnDevice = verifyAcknowledgeConnection(started.body['EnvelopedAcknowledgeConnection'], {
        accountProfile: accountSeenByDevice,
        serviceKey: service.serviceProfile.keys.serviceSignature,
        expectedRequestMessageId: request.messageId,
      });
      const status = {
        ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: responseId(ackOnDevice.messageId) },
      };
      const pending = await post(service.url, status);
      expect(pending).toMatchObject({ http: 202, body: { Status: 202, Result: 'Pending' } });
      expect(pending.body['RetryAfter']).toBeGreaterThan(0);

      // Owner: list, verify (recomputing the witness), accept.
      const listed = await alice.signed(service.url, {
        ConnectPendingRequest: { AccountAddress: 'alice@example.com' },
      });
      expect(listed.body['Pending']).toHaveLength(1);
      expect(listed.body['Pending'][0].PinValidated).toBe(false);
      const ackOnOwner = verifyAcknowledgeConnection(listed.body['Pending'][0].EnvelopedAcknowledgeConnection, {
        accountProfile: alice.profile,
        serviceKey: service.serviceProfile.keys.serviceSignature,
      });
      expect(ackOnOwner.witness).toBe(ackOnDevice.witness);
      const toService = [recipientOf(service.serviceProfile.keys.serviceEncryption!)];

      // Forgeries: an answer signed by another account's admin key, or by the device itself.
      const forged = (signer: ReturnType<typeof signerOf>) =>
        sealObject(
          'RespondConnection',
          { MessageId: responseId(ackOnOwner.messageId), Result: 'Reject' },
          {
            envelopeId: envelopeId(responseId(ackOnOwner.messageId)),
            signer,
            recipients: [recipientOf(ackOnOwner.request.device.keys.encryption), ...toService],
            random: testRandom(9),
          },
        ).json;
      for (const signer of [bob.admin, signerOf(device.baseKeys.profileSignature)]) {
        const refused = await alice.signed(service.url, {
          ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: forged(signer) },
        });
        expect(refused.body['Status']).toBe(403);
        expect(refused.body['StatusDescription']).toContain('AdministratorSignature');
      }
      // Bob cannot post into Alice's account even with a correctly signed envelope of his own.
      const bobPosts = await bob.signed(service.url, {
        ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: forged(bob.admin) },
      });
      expect(bobPosts.body['Status']).toBe(401);
      expect((await post(service.url, status)).body['Result']).toBe('Pending');

      const accepted = acceptConnection({
        acknowledgement: ackOnOwner,
        accountProfile: alice.profile,
        accountKeys: alice.keys,
        roles: ['thermostat'],
        random: testRandom(10),
        now: service.clock.date(),
        additionalRecipients: toService,
      });
      const completeRequest = {
        ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: accepted.json },
      };
      expect((await alice.signed(service.url, completeRequest)).body['Status']).toBe(201);
      // The same signed answer again (a retry after a lost reply) succeeds; a different answer is a conflict.
      expect((await alice.signed(service.url, completeRequest)).body['Status']).toBe(201);
      const second = acceptConnection({
        acknowledgement: ackOnOwner,
        accountProfile: alice.profile,
        accountKeys: alice.keys,
        roles: ['thermostat'],
        random: testRandom(11),
        now: service.clock.date(),
        additionalRecipients: toService,
      });
      const otherAnswer = {
        ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: second.json },
      };
      expect((await alice.signed(service.url, otherAnswer)).body['Status']).toBe(409);

      // Device: fetch the answer and verify everything itself.
      const answered = await post(service.url, status);
      expect(answered.body).toMatchObject({ Status: 201, Result: 'Accept' });
      const opened = openRespondConnection(answered.body['EnvelopedRespondConnection'], {
        accountProfile: accountSeenByDevice,
        decryptionKey: device.baseKeys.encryption,
        answers: ackOnDevice.messageId,
      });
      expect(opened.respond.Result).toBe('Accept');
      const connection = openCatalogedDevice({
        catalogedDevice: opened.respond.CatalogedDevice!,
        baseKeys: device.baseKeys,
        deviceUdf: request.profile.udf,
        accountProfile: accountSeenByDevice,
      });
      expect(connection.connection.Roles).toEqual(['thermostat']);
      expect(
        (await alice.signed(service.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } })).body[
          'Pending'
        ],
      ).toHaveLength(0);

      // Catalog and revocation.
      const catalog = await post(service.url, {
        GetRequest: { Account: 'alice@example.com', KeyValues: [{ Key: 'Devices' }] },
      });
      expect(catalog.body['DataItems']).toEqual([
        expect.objectContaining({ Type: 'CatalogedDevice', Key: request.profile.udf, Status: 'Connected' }),
      ]);
      expect(
        (
          await alice.signed(service.url, {
            PublishRequest: { Account: 'alice@example.com', RevokeDevice: request.profile.udf },
          })
        ).body['Status'],
      ).toBe(201);
      const revoked = await post(service.url, status);
      expect(revoked.body).toMatchObject({ Status: 201, Result: 'Revoked' });
      expect(revoked.body['EnvelopedRespondConnection']).toBeUndefined();

      // A second request from another device, rejected.
      const other = makeDevice(11);
      const request2 = createRequestConnection({
        deviceSeed: other.deviceSeed,
        accountAddress: 'alice@example.com',
        random: other.random,
      });
      const started2 = await post(service.url, {
        ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: request2.json },
      });
      const ack2 = verifyAcknowledgeConnection(started2.body['EnvelopedAcknowledgeConnection'], {
        accountProfile: alice.profile,
      });
      const rejected = rejectConnection({
        acknowledgement: ack2,
        accountProfile: alice.profile,
        accountKeys: alice.keys,
        random: testRandom(12),
        additionalRecipients: toService,
      });
      expect(
        (
          await alice.signed(service.url, {
            ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: rejected.json },
          })
        ).body['Status'],
      ).toBe(201);
      const status2 = await post(service.url, {
        ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: responseId(ack2.messageId) },
      });
      expect(status2.body['Result']).toBe('Reject');

      // A RequestConnection whose signature does not verify is refused (401), a malformed one is 400.
      const tampered = structuredClone(request.json) as unknown as unknown[];
      tampered[1] = Buffer.from(
        Buffer.from(String(tampered[1]), 'base64url').toString('utf8').replace('"ClientNonce":"', '"ClientNonce":"A'),
        'utf8',
      ).toString('base64url');
      const badSignature = await post(service.url, {
        ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: tampered },
      });
      expect([400, 401]).toContain(badSignature.body['Status']);
      const toOther = await post(service.url, {
        ConnectStartRequest: { AccountAddress: 'bob@example.com', EnvelopedRequestConnection: request.json },
      });
      expect(toOther.body['Status']).toBe(400);
      expect(toOther.body['StatusDescription']).toContain('AccountAddress');
    } finally {
      await service.close();
    }
  });

  it('expires an unanswered request after 24 h', async () => {
    const service = await fresh();
    try {
      const alice = new TestOwner('alice@example.com', testRandom(13), service.clock, service.serviceProfile.udf);
      await alice.create(service.url);
      const device = makeDevice(14);
      const request = createRequestConnection({
        deviceSeed: device.deviceSeed,
        accountAddress: 'alice@example.com',
        random: device.random,
      });
      const started = await post(service.url, {
        ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: request.json },
      });
      const ack = verifyAcknowledgeConnection(started.body['EnvelopedAcknowledgeConnection'], {
        accountProfile: alice.profile,
      });
      const status = {
        ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: responseId(ack.messageId) },
      };
      service.clock.advance(DAY - 1000);
      expect((await post(service.url, status)).body['Result']).toBe('Pending');
      service.clock.advance(1000);
      const expired = await post(service.url, status);
      expect(expired).toMatchObject({ http: 410, body: { Status: 410, Result: 'Expired' } });
      expect(
        (await alice.signed(service.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } })).body[
          'Pending'
        ],
      ).toHaveLength(0);
      const late = acceptConnection({
        acknowledgement: ack,
        accountProfile: alice.profile,
        accountKeys: alice.keys,
        random: testRandom(15),
        now: service.clock.date(),
        additionalRecipients: [recipientOf(service.serviceProfile.keys.serviceEncryption!)],
      });
      expect(
        (
          await alice.signed(service.url, {
            ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: late.json },
          })
        ).body['Status'],
      ).toBe(410);
    } finally {
      await service.close();
    }
  });

  it('marks PIN-validated requests, uses a PIN once, and throttles a source after 5 guesses at unregistered PinIds', async () => {
    const service = await fresh();
    try {
      const alice = new TestOwner('alice@example.com', testRandom(16), service.clock, service.serviceProfile.udf);
      await alice.create(service.url);
      const pin = newPin(testRandom(17));
      const messagePin = createMessagePin({
        pin,
        accountAddress: 'alice@example.com',
        adminKey: alice.admin,
        expires: new Date(service.clock.now + 3600_000),
        automatic: true,
      });
      const registered = await alice.signed(service.url, {
        PinRegisterRequest: { AccountAddress: 'alice@example.com', EnvelopedMessagePin: messagePin.json },
      });
      expect(registered.body['Status']).toBe(201);
      // A MessagePin signed by someone else is refused.
      const mallory = new TestOwner('alice@example.com', testRandom(18), service.clock);
      const forgedPin = createMessagePin({
        pin,
        accountAddress: 'alice@example.com',
        adminKey: mallory.admin,
        expires: new Date(service.clock.now + 3600_000),
      });
      expect(
        (
          await alice.signed(service.url, {
            PinRegisterRequest: { AccountAddress: 'alice@example.com', EnvelopedMessagePin: forgedPin.json },
          })
        ).body['Status'],
      ).toBe(403);

      const connect = async (seed: number, devicePin: string) => {
        const device = makeDevice(seed);
        const request = createRequestConnection({
          deviceSeed: device.deviceSeed,
          accountAddress: 'alice@example.com',
          random: device.random,
          pin: devicePin,
        });
        return post(service.url, {
          ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: request.json },
        });
      };
      expect((await connect(19, pin)).body['Status']).toBe(201);
      const listed = await alice.signed(service.url, {
        ConnectPendingRequest: { AccountAddress: 'alice@example.com' },
      });
      expect(listed.body['Pending'].map((p: { PinValidated: boolean }) => p.PinValidated)).toEqual([true]);
      const reused = await connect(20, pin);
      expect(reused.body['Status']).toBe(403);
      expect(reused.body['StatusDescription']).toContain('already used');

      // A PIN that was never registered names no PIN of the account: five such failures
      // throttle the source, never the account's real PINs (docs/security.md "PIN lockout";
      // the lock of a real PIN across a restart is tested in front-door-bounds.test.ts).
      const wrong = newPin(testRandom(21));
      for (let i = 0; i < 4; i++) expect((await connect(30 + i, wrong)).body['Status']).toBe(403);
      const fifth = await connect(40, wrong);
      expect(fifth.body['Status']).toBe(429);
      const throttled = await connect(41, wrong);
      expect(throttled.body['Status']).toBe(429);
      expect(throttled.body['RetryAfter']).toBeGreaterThan(0);
      // PIN-less requests still work while the source is throttled.
      expect((await connect(42, undefined as unknown as string)).body['Status']).toBe(201);
      service.clock.advance(15 * 60 * 1000 + 1000);
      expect((await connect(43, wrong)).body['Status']).toBe(403);
    } finally {
      await service.close();
    }
  });

  it('lets a claimant with the ConnectKey claim a published device, refuses a wrong authenticator, and the device polls the claim', async () => {
    const service = await fresh();
    try {
      const maker = new TestOwner('maker@example.com', testRandom(22), service.clock, service.serviceProfile.udf);
      const bob = new TestOwner('bob@example.com', testRandom(23), service.clock, service.serviceProfile.udf);
      await maker.create(service.url);
      await bob.create(service.url);
      const device = makeDevice(24);
      const published = createPublication({
        deviceSeed: device.deviceSeed,
        makerAccount: 'maker@example.com',
        random: device.random,
      });
      const publication = { ...published.publication, EnvelopedData: published.publication.EnvelopedData };
      expect(
        (
          await maker.signed(service.url, {
            PublishRequest: { Account: 'maker@example.com', CatalogedPublication: publication },
          })
        ).body['Status'],
      ).toBe(201);
      const poll = {
        PollClaimRequest: { PublicationId: published.publicationId, TargetAccountAddress: 'maker@example.com' },
      };
      const none = await post(service.url, poll);
      expect(none.body['Status']).toBe(201);
      expect(none.body['EnvelopedMessageClaim']).toBeUndefined();
      const visible = await post(service.url, { GetRequest: { Identifier: published.publicationId } });
      expect(visible.body['DataItems'][0].Value.EnvelopedData).toBeUndefined();

      // A claim made with another ConnectKey for the same PublicationId fails the 125-bit check.
      const otherKeyUri = staticConnectUri(seedOf('MeshProfileDevice', testRandom(25)), 'maker@example.com');
      const wrongClaim = createMessageClaim({
        claimantProfile: bob.profile,
        adminKey: bob.admin,
        connectUri: otherKeyUri,
        random: testRandom(26),
      });
      const patched = { ...wrongClaim.claim, PublicationId: published.publicationId };
      const wrongEnvelope = sealObject('MessageClaim', patched, {
        envelopeId: envelopeId(patched.MessageId),
        signer: bob.admin,
      }).json;
      const refused = await post(service.url, { ClaimRequest: { EnvelopedMessageClaim: wrongEnvelope } });
      expect(refused.body['Status']).toBe(403);
      expect(refused.body['StatusDescription']).toContain('ServiceAuthenticate');
      expect((await post(service.url, poll)).body['EnvelopedMessageClaim']).toBeUndefined();

      const claim = createMessageClaim({
        claimantProfile: bob.profile,
        adminKey: bob.admin,
        connectUri: published.connectUri,
        random: testRandom(27),
      });
      const claimed = await post(service.url, { ClaimRequest: { EnvelopedMessageClaim: claim.json } });
      expect(claimed.body['Status']).toBe(201);
      expect(claimed.body['CatalogedPublication'].EnvelopedData).toBeDefined();
      const polled = await post(service.url, poll);
      const onDevice = verifyClaimOnDevice(polled.body['EnvelopedMessageClaim'], {
        publicationId: published.publicationId,
        serviceAuthenticator: serviceAuthenticator(published.connectKey),
        deviceAuthenticator: deviceAuthenticator(published.connectKey),
      });
      expect(onDevice.claimant.accountAddress).toBe('bob@example.com');
      const wrongTarget = await post(service.url, {
        PollClaimRequest: { PublicationId: published.publicationId, TargetAccountAddress: 'bob@example.com' },
      });
      expect(wrongTarget.body['Status']).toBe(404);
    } finally {
      await service.close();
    }
  });
});
