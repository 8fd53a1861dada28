/**
 * @module test/integration/service/dialects.test
 * The seed's own dialect on the wire (docs/service-protocol.md "Dialects"): every transaction
 * of mesh-security-05 §3.5–§3.16 sent with the field names exactly as the seed writes them, to
 * the real service on 127.0.0.1, is understood (a meaningful answer, never a 400 about a field
 * name), and its answer comes back in the seed's names. Where the seed's message has no field
 * for something the service needs (CreateRequest's profile, PublishRequest's content), the
 * reference's extension field is added, as the seed's "[No fields]" leaves it to the service.
 * One field spelt both ways is a 400 naming both spellings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAcknowledgeConnection } from '../../../src/mesh/connect/acknowledge-connection.js';
import { createRequestConnection } from '../../../src/mesh/connect/request-connection.js';
import { acceptConnection } from '../../../src/mesh/connect/respond-connection.js';
import { recipientOf } from '../../../src/mesh/profiles/signed-object.js';
import { responseId } from '../../../src/mesh/udf/message-id.js';
import {
  TestOwner,
  makeDevice,
  post,
  startTestService,
  storeBackend,
  testRandom,
  type StoreBackend,
  type TestService,
} from './service-harness.js';

describe("the seed's dialect against the real service", () => {
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

  it('understands a request of every transaction of §3 in the seed names and answers in them', async () => {
    const url = service.url;
    const alice = new TestOwner('alice@example.com', testRandom(71), service.clock, service.serviceProfile.udf);

    // §3.5 Hello
    const hello = await post(url, { HelloRequest: { Portal: 'example.com' } });
    expect(hello).toMatchObject({ name: 'HelloResponse', body: { Status: 201 } });
    expect(hello.body['Version']).toMatchObject({ Major: 3, Minor: 0, Encodings: ['JSON'] });

    // §3.6.1 ValidateRequest
    const validate = await post(url, {
      ValidateRequest: { Portal: 'example.com', Account: alice.account, Reserve: false, Language: ['en'] },
    });
    expect(validate.body).toMatchObject({ Status: 201, Valid: true, Minimum: 1 });

    // §3.7.1 CreateRequest: the seed's one field, Account, reaches the service; the profile it
    // cannot carry is named as what is missing.
    const bare = await alice.signed(url, { CreateRequest: { Account: alice.account } });
    expect(bare.body['Status']).toBe(400);
    expect(bare.body['StatusDescription']).toContain('CreateRequest.EnvelopedProfileAccount');
    const created = await alice.signed(url, {
      CreateRequest: { Account: alice.account, EnvelopedProfileAccount: alice.profile.json },
    });
    expect(created).toMatchObject({ name: 'CreateResponse', body: { Status: 201 } });

    // §3.9.1 GetRequest, every field of it
    const got = await post(url, {
      GetRequest: {
        Account: alice.account,
        KeyValues: [],
        SearchConstraints: { MaxEntries: 10 },
        Multiple: false,
        Full: false,
      },
    });
    expect(got.body['Status']).toBe(201);
    expect(got.body['DataItems'][0]).toMatchObject({ Type: 'ProfileAccount', Key: alice.account });

    // §3.10.1 PublishRequest ([No fields]; the account and profile are the service's own fields)
    const published = await alice.signed(url, {
      PublishRequest: { Account: alice.account, EnvelopedProfileAccount: alice.profile.json },
    });
    expect(published).toMatchObject({ name: 'PublishResponse', body: { Status: 201 } });

    // §3.11.1 StatusRequest
    const status = await post(url, { StatusRequest: {} });
    expect(status.body['Status']).toBe(201);
    expect(typeof status.body['CheckpointValue']).toBe('string');

    // §3.12.1 ConnectStartRequest {SignedRequest, AccountID}
    const device = makeDevice(72);
    const request = createRequestConnection({
      deviceSeed: device.deviceSeed,
      accountAddress: alice.account,
      random: device.random,
    });
    const start = await post(url, { ConnectStartRequest: { SignedRequest: request.json, AccountID: alice.account } });
    expect(start).toMatchObject({ name: 'ConnectStartResponse', body: { Status: 201 } });
    const ack = verifyAcknowledgeConnection(start.body['EnvelopedAcknowledgeConnection'], {
      accountProfile: alice.profile,
      serviceKey: service.serviceProfile.keys.serviceSignature,
      expectedRequestMessageId: request.messageId,
    });
    const deviceId = responseId(ack.messageId);

    // §3.13.1 ConnectStatusRequest {AccountID, DeviceID}: pending, so no Result yet (§3.13.2)
    const pendingStatus = await post(url, { ConnectStatusRequest: { AccountID: alice.account, DeviceID: deviceId } });
    expect(pendingStatus.body).toMatchObject({ Status: 202, Outcome: 'Pending' });
    expect(pendingStatus.body).not.toHaveProperty('Result');
    expect(pendingStatus.body).not.toHaveProperty('AccountAddress');

    // §3.14.1 ConnectPendingRequest {AccountID, SearchConstraints}: Pending is the signed requests (§3.14.2)
    const pending = await alice.signed(url, {
      ConnectPendingRequest: { AccountID: alice.account, SearchConstraints: { MaxEntries: 10 } },
    });
    expect(pending.body['Status']).toBe(201);
    expect(pending.body['Pending']).toHaveLength(1);
    const listed = verifyAcknowledgeConnection(pending.body['Pending'][0], {
      accountProfile: alice.profile,
      serviceKey: service.serviceProfile.keys.serviceSignature,
    });
    expect(listed.messageId).toBe(ack.messageId);

    // §3.15.1 ConnectCompleteRequest {Result, AccountID}
    const accepted = acceptConnection({
      acknowledgement: ack,
      accountProfile: alice.profile,
      accountKeys: alice.keys,
      roles: ['web'],
      random: testRandom(73),
      now: service.clock.date(),
      additionalRecipients: [recipientOf(service.serviceProfile.keys.serviceEncryption!)],
    });
    const complete = await alice.signed(url, {
      ConnectCompleteRequest: { Result: accepted.json, AccountID: alice.account },
    });
    expect(complete).toMatchObject({ name: 'ConnectCompleteResponse', body: { Status: 201 } });

    // §3.13.2: the answer's Result is the signed connection result
    const answered = await post(url, { ConnectStatusRequest: { AccountID: alice.account, DeviceID: deviceId } });
    expect(answered.body).toMatchObject({ Status: 201, Outcome: 'Accept', Result: accepted.json });
    expect(answered.body).not.toHaveProperty('EnvelopedRespondConnection');

    // §3.16.1 TransferRequest {SearchConstraints}: no account field; the signature names the owner
    const transfer = await alice.signed(url, { TransferRequest: { SearchConstraints: { MaxEntries: 50 } } });
    expect(transfer.body['Status']).toBe(201);
    const types = (transfer.body['DataItems'] as { Type: string }[]).map((item) => item.Type);
    expect(types).toContain('ProfileAccount');
    expect(types).toContain('CatalogedDevice');

    // §3.8.1 DeleteRequest
    const deleted = await alice.signed(url, { DeleteRequest: { Account: alice.account } });
    expect(deleted).toMatchObject({ name: 'DeleteResponse', body: { Status: 201 } });
  });

  it('refuses one field spelt both ways with a 400 naming both spellings', async () => {
    const mixed = await post(service.url, {
      ConnectStatusRequest: { AccountID: 'bob@example.com', AccountAddress: 'bob@example.com', DeviceID: 'x' },
    });
    expect(mixed).toMatchObject({ http: 400, name: 'ConnectStatusResponse', body: { Status: 400 } });
    expect(mixed.body['StatusDescription']).toContain('"AccountID"');
    expect(mixed.body['StatusDescription']).toContain('"AccountAddress"');
  });

  it('names a bad seed-dialect field by its seed name', async () => {
    const bad = await post(service.url, {
      ConnectStatusRequest: { AccountID: 'not an address', DeviceID: 'x' },
    });
    expect(bad.body['Status']).toBe(400);
    expect(bad.body['StatusDescription']).toContain('ConnectStatusRequest.AccountID');
    expect(bad.body['StatusDescription']).not.toContain('AccountAddress');
  });

  it('still answers the reference dialect in reference names', async () => {
    const reference = await post(service.url, {
      ConnectStatusRequest: { AccountAddress: 'nobody@example.com', ResponseId: 'x' },
    });
    expect(reference.body['Status']).toBe(400);
    expect(reference.body['StatusDescription']).toContain('ConnectStatusRequest.ResponseId');
  });
});
