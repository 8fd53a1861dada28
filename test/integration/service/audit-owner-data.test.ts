/**
 * @module test/integration/service/audit-owner-data.test
 * Service audit, over real HTTP with the file store and with PostgreSQL: Transfer
 * (owner-signed, exactly the account's records as DataItems, paged, never another account's),
 * Status (the store's checkpoint, moving with every write, equal across a restart), and
 * DeleteAccount (signed; afterwards the account is gone for Get, ConnectStart, ConnectStatus
 * and signed requests, and the name can be created again, starting empty).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublication } from '../../../src/mesh/connect/cataloged-publication.js';
import { createMessagePin } from '../../../src/mesh/connect/message-pin.js';
import { newPin } from '../../../src/mesh/connect/pin.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { rejectConnection } from '../../../src/mesh/connect/respond-connection.js';
import { base64urlEncode } from '../../../src/mesh/encoding/base64url.js';
import { recipientOf, sealObject } from '../../../src/mesh/profiles/signed-object.js';
import { verifyProfileAccount } from '../../../src/mesh/profiles/profile-account.js';
import { envelopeId } from '../../../src/mesh/udf/message-id.js';
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

interface Item {
  Type: string;
  Key: string;
  Updated: string;
  Value: Record<string, any>;
}

describe.each<StoreKind>(['file', 'postgres'])(
  'service audit: Transfer, Status and DeleteAccount with the %s store',
  (kind) => {
    let backend: StoreBackend;
    beforeAll(async () => {
      backend = await storeBackend(kind);
    });
    afterAll(async () => {
      await backend?.stop();
    });

    async function fresh(): Promise<{ service: TestService; alice: TestOwner; bob: TestOwner }> {
      const service = await startTestService(await backend.fresh());
      const alice = new TestOwner('alice@example.com', testRandom(201), service.clock, service.serviceProfile.udf);
      const bob = new TestOwner('bob@example.com', testRandom(202), service.clock, service.serviceProfile.udf);
      expect((await alice.create(service.url)).body['Status']).toBe(201);
      expect((await bob.create(service.url)).body['Status']).toBe(201);
      return { service, alice, bob };
    }

    async function registerPin(
      service: TestService,
      owner: TestOwner,
      seed: number,
    ): Promise<{ pin: string; pinId: string }> {
      const pin = newPin(testRandom(seed));
      const messagePin = createMessagePin({
        pin,
        accountAddress: owner.account,
        adminKey: owner.admin,
        expires: new Date(service.clock.now + 3600_000),
      });
      const reply = await owner.signed(service.url, {
        PinRegisterRequest: { AccountAddress: owner.account, EnvelopedMessagePin: messagePin.json },
      });
      expect(reply.body['Status']).toBe(201);
      return { pin, pinId: reply.body['PinId'] as string };
    }

    /** Every DataItem of a Transfer, following PageKey; and the pages' sizes. */
    async function transferAll(
      service: TestService,
      owner: TestOwner,
      maxEntries?: number,
    ): Promise<{ items: Item[]; sizes: number[]; raw: string }> {
      const items: Item[] = [];
      const sizes: number[] = [];
      let raw = '';
      let pageKey: string | undefined;
      do {
        const constraints = {
          ...(maxEntries === undefined ? {} : { MaxEntries: maxEntries }),
          ...(pageKey === undefined ? {} : { PageKey: pageKey }),
        };
        const reply = await owner.signed(service.url, {
          TransferRequest: { AccountAddress: owner.account, SearchConstraints: constraints },
        });
        expect(reply.body['Status']).toBe(201);
        items.push(...reply.body['DataItems']);
        sizes.push(reply.body['DataItems'].length);
        raw += reply.raw;
        pageKey = reply.body['PageKey'];
        expect(sizes.length).toBeLessThan(50);
      } while (pageKey !== undefined);
      return { items, sizes, raw };
    }

    it("Transfer is owner-signed and returns exactly what was done in the account, paged, and never another account's data", async () => {
      let { service, alice, bob } = await fresh();
      try {
        // Alice: three devices accepted, one rejected, two still pending, one PIN. Bob: one device, one PIN, one pending.
        const accepted = [];
        for (let i = 0; i < 3; i++) {
          const started = await startConnection(service, alice, 2000 + i);
          expect((await acceptStarted(service, alice, started, 2100 + i)).body['Status']).toBe(201);
          accepted.push(started);
        }
        const rejected = await startConnection(service, alice, 2010);
        const no = rejectConnection({
          acknowledgement: rejected.ack,
          accountProfile: alice.profile,
          accountKeys: alice.keys,
          random: testRandom(2011),
          additionalRecipients: [recipientOf(service.serviceProfile.keys.serviceEncryption!)],
        });
        expect(
          (
            await alice.signed(service.url, {
              ConnectCompleteRequest: { AccountAddress: 'alice@example.com', EnvelopedRespondConnection: no.json },
            })
          ).body['Status'],
        ).toBe(201);
        const pending = [await startConnection(service, alice, 2020), await startConnection(service, alice, 2021)];
        const alicePin = await registerPin(service, alice, 2030);
        const bobDevice = await startConnection(service, bob, 2040);
        expect((await acceptStarted(service, bob, bobDevice, 2041)).body['Status']).toBe(201);
        const bobPending = await startConnection(service, bob, 2042);
        const bobPin = await registerPin(service, bob, 2043);

        // Authentication: unsigned, signed by another account's admin key, Bob for Alice's account, replayed.
        const request = { TransferRequest: { AccountAddress: 'alice@example.com' } };
        const body = JSON.stringify(request);
        const unsigned = await post(service.url, body);
        expect(unsigned).toMatchObject({ http: 401, name: 'TransferResponse' });
        expect(unsigned.body['DataItems']).toBeUndefined();
        const otherKey = await post(service.url, body, alice.authorize(body, { key: bob.keys.administratorSignature }));
        expect(otherKey.http).toBe(401);
        expect(otherKey.body['StatusDescription']).toContain('kid');
        const bobForAlice = await post(service.url, body, bob.authorize(body));
        expect(bobForAlice.http).toBe(401);
        expect(bobForAlice.body['DataItems']).toBeUndefined();
        const headers = alice.authorize(body);
        expect((await post(service.url, body, headers)).body['Status']).toBe(201);
        const replayed = await post(service.url, body, headers);
        expect(replayed.http).toBe(401);
        expect(replayed.body['DataItems']).toBeUndefined();

        // Everything in one page: the profile first, then devices, requests and PINs, each once.
        const whole = await transferAll(service, alice);
        expect(whole.sizes).toHaveLength(1);
        const byType = (type: string) => whole.items.filter((item) => item.Type === type);
        expect(whole.items.map((item) => item.Type)).toEqual([
          'ProfileAccount',
          ...Array(3).fill('CatalogedDevice'),
          ...Array(6).fill('ConnectionRequest'),
          'MessagePin',
        ]);
        expect(whole.items[0]).toMatchObject({ Key: 'alice@example.com', Value: alice.profile.json });
        expect(verifyProfileAccount(whole.items[0]!.Value as never).udf).toBe(alice.profile.udf);
        expect(
          byType('CatalogedDevice')
            .map((i) => i.Key)
            .sort(),
        ).toEqual(accepted.map((s) => s.deviceUdf).sort());
        expect(byType('CatalogedDevice').every((i) => i.Value['Status'] === 'Connected')).toBe(true);
        const requests = byType('ConnectionRequest');
        expect(requests.map((i) => i.Key).sort()).toEqual(
          [...accepted, rejected, ...pending].map((s) => envelopeId(s.responseId)).sort(),
        );
        const state = (s: { responseId: string }) =>
          requests.find((i) => i.Value['ResponseId'] === s.responseId)?.Value['State'];
        expect(accepted.map(state)).toEqual(['Accept', 'Accept', 'Accept']);
        expect(state(rejected)).toBe('Reject');
        expect(pending.map(state)).toEqual(['Pending', 'Pending']);
        expect(requests.every((i) => i.Value['Account'] === 'alice@example.com')).toBe(true);
        expect(byType('MessagePin').map((i) => i.Key)).toEqual([alicePin.pinId]);
        // Nothing of Bob's: his address, profile, devices, requests or PIN.
        for (const foreign of [
          'bob@example.com',
          bob.profile.udf,
          bobDevice.deviceUdf,
          bobPending.deviceUdf,
          bobPending.responseId,
          bobPin.pinId,
        ]) {
          expect(whole.raw).not.toContain(foreign);
        }
        const bobs = await transferAll(service, bob, 1);
        expect(bobs.items.map((i) => i.Type)).toEqual([
          'ProfileAccount',
          'CatalogedDevice',
          'ConnectionRequest',
          'ConnectionRequest',
          'MessagePin',
        ]);
        expect(bobs.raw).not.toContain('alice@example.com');

        // Paged at every size: the same items in the same order, no page over MaxEntries.
        for (const size of [1, 3]) {
          const paged = await transferAll(service, alice, size);
          expect(paged.items).toEqual(whole.items);
          expect(Math.max(...paged.sizes)).toBeLessThanOrEqual(size);
          expect(paged.sizes.length).toBeGreaterThanOrEqual(Math.ceil(whole.items.length / size));
        }

        // Page keys: tampered, out of range, or Bob's are 400 naming the field.
        const first = await alice.signed(service.url, {
          TransferRequest: { AccountAddress: 'alice@example.com', SearchConstraints: { MaxEntries: 2 } },
        });
        const aliceKey = first.body['PageKey'] as string;
        // Three items end Bob's page inside his requests, so his key holds a store position.
        const bobKey = (
          await bob.signed(service.url, {
            TransferRequest: { AccountAddress: 'bob@example.com', SearchConstraints: { MaxEntries: 3 } },
          })
        ).body['PageKey'] as string;
        expect(bobKey).toMatch(/^1\.k1\./);
        expect(aliceKey).toBeDefined();
        expect(bobKey).toBeDefined();
        expect(bobKey).not.toBe(aliceKey);
        const forged = `1.k1.${Buffer.from(`bob@example.com ${envelopeId(bobPending.responseId)}`.slice(0, -1), 'utf8').toString('base64url')}`;
        for (const bad of ['x', '9.', '3.', '1.garbage', `${aliceKey}x`.replace(/\.k1\./, '.k9.'), bobKey, forged]) {
          const refused = await alice.signed(service.url, {
            TransferRequest: { AccountAddress: 'alice@example.com', SearchConstraints: { PageKey: bad } },
          });
          expect({ bad, status: refused.body['Status'], name: refused.name }).toEqual({
            bad,
            status: 400,
            name: 'TransferResponse',
          });
          expect(refused.body['StatusDescription']).toContain('PageKey');
          expect(refused.raw).not.toContain('bob@example.com ');
        }

        // The same after a restart.
        service = await service.restart();
        expect((await transferAll(service, alice, 4)).items).toEqual(whole.items);
      } finally {
        await service.close();
      }
    }, 60_000);

    it('Status reports the store checkpoint: it moves with every write, not with reads, and is the same across a restart', async () => {
      let { service, alice, bob } = await fresh();
      try {
        const status = async (): Promise<Reply> => {
          const reply = await post(service.url, { StatusRequest: {} });
          expect(reply).toMatchObject({ http: 200, name: 'StatusResponse', body: { Status: 201, StoreKind: kind } });
          const checkpoint = await service.running.store.checkpoint();
          expect(reply.body).toMatchObject({
            CheckpointIndex: checkpoint.index,
            CheckpointValue: base64urlEncode(checkpoint.root),
            ChainValue: base64urlEncode(checkpoint.chain),
          });
          expect(Buffer.from(reply.body['CheckpointValue'], 'base64url')).toHaveLength(64);
          expect(Buffer.from(reply.body['ChainValue'], 'base64url')).toHaveLength(64);
          return reply;
        };
        const seen = new Set<string>();
        let last = await status();
        expect(last.body['CheckpointIndex']).toBeGreaterThan(0);
        seen.add(last.body['CheckpointValue']);
        const expectMoved = async (what: string): Promise<void> => {
          const now = await status();
          expect({ what, moved: now.body['CheckpointIndex'] > last.body['CheckpointIndex'] }).toEqual({
            what,
            moved: true,
          });
          expect({ what, fresh: !seen.has(now.body['CheckpointValue']) }).toEqual({ what, fresh: true });
          expect(now.body['ChainValue']).not.toBe(last.body['ChainValue']);
          seen.add(now.body['CheckpointValue']);
          last = now;
        };
        const expectStill = async (what: string): Promise<void> => {
          const now = await status();
          expect({ what, body: now.body }).toEqual({ what, body: last.body });
        };

        const started = await startConnection(service, alice, 2200);
        await expectMoved('ConnectStart');
        await post(service.url, {
          ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: started.responseId },
        });
        await post(service.url, { GetRequest: { Account: 'alice@example.com' } });
        await post(service.url, { HelloRequest: {} });
        await post(service.url, { ValidateRequest: { Account: 'carol@example.com' } });
        await post(service.url, {
          ConnectStartRequest: { AccountAddress: 'alice@example.com', EnvelopedRequestConnection: 'not an envelope' },
        });
        await expectStill('reads and refusals');
        await alice.signed(service.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } });
        await expectMoved('ConnectPending (its nonce is recorded)');
        expect((await acceptStarted(service, alice, started, 2201)).body['Status']).toBe(201);
        await expectMoved('ConnectComplete');
        await registerPin(service, alice, 2202);
        await expectMoved('PinRegister');
        expect(
          (
            await alice.signed(service.url, {
              PublishRequest: { Account: 'alice@example.com', RevokeDevice: started.deviceUdf },
            })
          ).body['Status'],
        ).toBe(201);
        await expectMoved('Publish RevokeDevice');
        expect((await bob.signed(service.url, { DeleteRequest: { Account: 'bob@example.com' } })).body['Status']).toBe(
          201,
        );
        await expectMoved('DeleteAccount');
        const carol = new TestOwner('carol@example.com', testRandom(2203), service.clock, service.serviceProfile.udf);
        expect((await carol.create(service.url)).body['Status']).toBe(201);
        await expectMoved('CreateAccount');

        const before = last.body;
        service = await service.restart();
        expect((await status()).body).toEqual(before);
        const report = await service.running.store.verify();
        expect(report.checkpoint.index).toBe(before['CheckpointIndex']);
        expect(base64urlEncode(report.checkpoint.root)).toBe(before['CheckpointValue']);
        await startConnection(service, carol, 2204);
        await expectMoved('ConnectStart after the restart');
      } finally {
        await service.close();
      }
    }, 60_000);

    it('DeleteAccount is owner-signed; afterwards Get, ConnectStart, ConnectStatus and signed requests find no account, and the name can be created again, empty', async () => {
      let { service, alice, bob } = await fresh();
      try {
        const connected = await startConnection(service, alice, 2300);
        expect((await acceptStarted(service, alice, connected, 2301)).body['Status']).toBe(201);
        const waiting = await startConnection(service, alice, 2302);
        const oldPin = await registerPin(service, alice, 2303);
        const device = makeDevice(2304);
        const published = createPublication({
          deviceSeed: device.deviceSeed,
          makerAccount: 'alice@example.com',
          random: device.random,
        });
        expect(
          (
            await alice.signed(service.url, {
              PublishRequest: { Account: 'alice@example.com', CatalogedPublication: published.publication },
            })
          ).body['Status'],
        ).toBe(201);
        const application = (owner: TestOwner, seed: number) =>
          sealObject(
            'RespondConnection',
            { MessageId: connected.responseId, Result: 'Reject' },
            {
              signer: owner.admin,
              recipients: [recipientOf(connected.device.baseKeys.encryption)],
              random: testRandom(seed),
            },
          ).json;
        const applicationPublished = await alice.signed(service.url, {
          ApplicationPublishRequest: {
            Account: 'alice@example.com',
            Device: connected.deviceUdf,
            EnvelopedApplicationEntry: application(alice, 2305),
          },
        });
        expect(applicationPublished.body['Status']).toBe(201);
        const bobDevice = await startConnection(service, bob, 2306);
        expect((await acceptStarted(service, bob, bobDevice, 2307)).body['Status']).toBe(201);

        // Refused: unsigned, signed by Bob's key, Bob for Alice's account.
        const request = { DeleteRequest: { Account: 'alice@example.com' } };
        const body = JSON.stringify(request);
        expect(await post(service.url, body)).toMatchObject({ http: 401, name: 'DeleteResponse' });
        expect(
          (await post(service.url, body, alice.authorize(body, { key: bob.keys.administratorSignature }))).http,
        ).toBe(401);
        expect((await post(service.url, body, bob.authorize(body))).http).toBe(401);
        expect((await post(service.url, { GetRequest: { Account: 'alice@example.com' } })).body['Status']).toBe(201);

        const headers = alice.authorize(body);
        expect((await post(service.url, body, headers)).body['Status']).toBe(201);
        expect((await post(service.url, body, headers)).body['Status']).not.toBe(201);

        const gone = async (what: string, reply: Promise<Reply>): Promise<void> => {
          const r = await reply;
          expect({ what, http: r.http, status: r.body['Status'] }).toEqual({ what, http: 404, status: 404 });
        };
        const checkGone = async (): Promise<void> => {
          await gone('Get', post(service.url, { GetRequest: { Account: 'alice@example.com' } }));
          await gone(
            'Get Devices',
            post(service.url, { GetRequest: { Account: 'alice@example.com', KeyValues: [{ Key: 'Devices' }] } }),
          );
          await gone('Get Identifier', post(service.url, { GetRequest: { Identifier: published.publicationId } }));
          const late = makeDevice(2310);
          const lateRequest = createRequestConnection({
            deviceSeed: late.deviceSeed,
            accountAddress: 'alice@example.com',
            random: late.random,
          });
          await gone(
            'ConnectStart',
            post(service.url, {
              ConnectStartRequest: {
                AccountAddress: 'alice@example.com',
                EnvelopedRequestConnection: lateRequest.json,
              },
            }),
          );
          await gone(
            'ConnectStatus (answered)',
            post(service.url, {
              ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: connected.responseId },
            }),
          );
          await gone(
            'ConnectStatus (pending)',
            post(service.url, {
              ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: waiting.responseId },
            }),
          );
          await gone(
            'ConnectPending',
            alice.signed(service.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } }),
          );
          await gone(
            'Transfer',
            alice.signed(service.url, { TransferRequest: { AccountAddress: 'alice@example.com' } }),
          );
          await gone(
            'ApplicationGet',
            post(service.url, { ApplicationGetRequest: { Account: 'alice@example.com', Device: connected.deviceUdf } }),
          );
        };
        await checkGone();
        const validate = await post(service.url, { ValidateRequest: { Account: 'alice@example.com' } });
        expect(validate.body).toMatchObject({ Status: 201, Valid: true });
        // Bob's account is untouched.
        const bobCatalog = await post(service.url, {
          GetRequest: { Account: 'bob@example.com', KeyValues: [{ Key: 'Devices' }] },
        });
        expect(bobCatalog.body['DataItems'].map((i: { Key: string }) => i.Key)).toEqual([bobDevice.deviceUdf]);

        service = await service.restart();
        await checkGone();

        // The name again, by another owner: it starts empty, and the old key has no power over it.
        const alice2 = new TestOwner('alice@example.com', testRandom(2320), service.clock, service.serviceProfile.udf);
        expect((await alice2.create(service.url)).body['Status']).toBe(201);
        const got = await post(service.url, { GetRequest: { Account: 'alice@example.com' } });
        expect(verifyProfileAccount(got.body['DataItems'][0].Value).udf).toBe(alice2.profile.udf);
        expect(
          (await post(service.url, { GetRequest: { Account: 'alice@example.com', KeyValues: [{ Key: 'Devices' }] } }))
            .body['DataItems'],
        ).toEqual([]);
        expect((await transferAll(service, alice2)).items.map((i) => i.Type)).toEqual(['ProfileAccount']);
        expect(
          (await alice2.signed(service.url, { ConnectPendingRequest: { AccountAddress: 'alice@example.com' } })).body[
            'Pending'
          ],
        ).toEqual([]);
        const oldKey = await alice.signed(service.url, {
          ConnectPendingRequest: { AccountAddress: 'alice@example.com' },
        });
        expect(oldKey.http).toBe(401);
        await gone(
          'old request',
          post(service.url, {
            ConnectStatusRequest: { AccountAddress: 'alice@example.com', ResponseId: connected.responseId },
          }),
        );
        await gone('old publication', post(service.url, { GetRequest: { Identifier: published.publicationId } }));
        await gone(
          'old claim poll',
          post(service.url, {
            PollClaimRequest: { PublicationId: published.publicationId, TargetAccountAddress: 'alice@example.com' },
          }),
        );
        // The old PIN does not validate a request to the new account.
        const pinned = makeDevice(2321);
        const pinnedRequest = createRequestConnection({
          deviceSeed: pinned.deviceSeed,
          accountAddress: 'alice@example.com',
          random: pinned.random,
          pin: oldPin.pin,
        });
        expect(
          (
            await post(service.url, {
              ConnectStartRequest: {
                AccountAddress: 'alice@example.com',
                EnvelopedRequestConnection: pinnedRequest.json,
              },
            })
          ).body['Status'],
        ).toBe(403);
        // The same device connected again to the new account sees no entry the old owner filed.
        const again = await startConnection(service, alice2, 2300);
        expect(again.deviceUdf).toBe(connected.deviceUdf);
        expect((await acceptStarted(service, alice2, again, 2322)).body['Status']).toBe(201);
        await gone(
          'old application entry',
          post(service.url, { ApplicationGetRequest: { Account: 'alice@example.com', Device: connected.deviceUdf } }),
        );
      } finally {
        await service.close();
      }
    }, 60_000);
  },
);
