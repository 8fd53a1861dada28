/**
 * @module test/contract/mesh-transport-contract
 * The one contract of the agent's MeshTransport port, run against the in-memory
 * FakeMeshService and against the real HTTP transport talking to the real service, so the
 * fake the agent's unit tests lean on cannot drift from the service. The device side goes
 * through the transport only; the owner side (making an account, filing an answer, moving
 * the service's clock) is each world's own, and files the same signed RespondConnection
 * envelopes in both. Covered: Hello, ConnectStart → Pending → the owner's Accept or Reject →
 * ConnectStatus with an answer the device verifies itself, expiry, an unknown account or
 * ResponseId, answers not signed by the account's key, and a rate-limited ConnectStart (429
 * with RetryAfter, then accepted once that has passed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MeshTransport } from '../../src/agent/ports.js';
import { ServiceRefusedError } from '../../src/agent/transport-errors.js';
import { seededRandom, type RandomSource } from '../../src/crypto/random.js';
import {
  verifyAcknowledgeConnection,
  type VerifiedAcknowledgeConnection,
} from '../../src/mesh/connect/acknowledge-connection.js';
import { completeConnection } from '../../src/mesh/connect/complete-connection.js';
import { createRequestConnection } from '../../src/mesh/connect/request-connection.js';
import { acceptConnection, rejectConnection } from '../../src/mesh/connect/respond-connection.js';
import {
  accountKeyPairs,
  createProfileAccount,
  verifyProfileAccount,
  type AccountKeyPairs,
  type VerifiedProfileAccount,
} from '../../src/mesh/profiles/profile-account.js';
import { verifyProfileService, type VerifiedProfileService } from '../../src/mesh/profiles/profile-service.js';
import { recipientOf } from '../../src/mesh/profiles/signed-object.js';
import type { EnvelopeJson } from '../../src/mesh/schema/envelope-json.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../src/mesh/udf/derived-key-seed.js';
import { responseId } from '../../src/mesh/udf/message-id.js';

/** An account holder as the contract needs one: its profile and keys. */
export interface ContractOwner {
  readonly account: string;
  readonly profile: VerifiedProfileAccount;
  readonly keys: AccountKeyPairs;
}

/** How a world's service answered an owner's ConnectComplete: ok, or refused with a status. */
export type CompleteOutcome = { readonly ok: true } | { readonly ok: false; readonly status: number };

export interface MeshTransportWorld {
  /** The device's side: the transport under test. */
  readonly transport: MeshTransport;
  /** The service URL the device talks to. */
  readonly service: string;
  /** How long a request stays pending at this service before it expires. */
  readonly pendingLifetimeMs: number;
  /** Makes an account at the service. */
  addOwner(account: string): Promise<ContractOwner>;
  /** The owner files `respond` (a RespondConnection envelope) for its account (ConnectComplete). */
  complete(owner: ContractOwner, respond: EnvelopeJson): Promise<CompleteOutcome>;
  /** Moves the service's clock forward. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface MeshTransportWorldOptions {
  /** ConnectStart per source: this many at once, refilled at this rate (both worlds take the service's token-bucket spec). */
  readonly connectStartLimit?: { readonly burst: number; readonly perMinute: number };
}

let deviceCount = 0;

/** A device made with the core library only: its seed and a ConnectStart request to `account`. */
function newDevice(account: string, random: RandomSource) {
  deviceCount += 1;
  const deviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random);
  const request = createRequestConnection({ deviceSeed, accountAddress: account, random });
  return { deviceSeed, request, n: deviceCount };
}

async function refusal(promise: Promise<unknown>): Promise<ServiceRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the service to refuse').toBeInstanceOf(ServiceRefusedError);
  return error as ServiceRefusedError;
}

export function meshTransportContract(
  name: string,
  makeWorld: (options: MeshTransportWorldOptions) => Promise<MeshTransportWorld>,
): void {
  describe(`MeshTransport contract: ${name}`, () => {
    let world: MeshTransportWorld;
    let serviceProfile: VerifiedProfileService;
    const random = seededRandom(4242);

    const start = async (owner: ContractOwner) => {
      const device = newDevice(owner.account, random);
      const answer = await world.transport.connectStart(world.service, {
        AccountAddress: owner.account,
        EnvelopedRequestConnection: device.request.json,
      });
      const ack = verifyAcknowledgeConnection(answer.EnvelopedAcknowledgeConnection, {
        accountProfile: owner.profile,
        serviceKey: serviceProfile.keys.serviceSignature,
        expectedRequestMessageId: device.request.messageId,
      });
      return { device, answer, ack, responseId: responseId(ack.messageId) };
    };

    const status = (owner: ContractOwner, id: string) =>
      world.transport.connectStatus(world.service, { AccountAddress: owner.account, ResponseId: id });

    const accept = (
      owner: ContractOwner,
      ack: VerifiedAcknowledgeConnection,
      keys: AccountKeyPairs = owner.keys,
      profile: VerifiedProfileAccount = owner.profile,
    ) =>
      acceptConnection({
        acknowledgement: ack,
        accountProfile: profile,
        accountKeys: keys,
        roles: ['web'],
        random,
        now: new Date(),
        additionalRecipients: [
          recipientOf(
            serviceProfile.keys.serviceEncryption as NonNullable<typeof serviceProfile.keys.serviceEncryption>,
          ),
        ],
      }).json;

    const reject = (owner: ContractOwner, ack: VerifiedAcknowledgeConnection) =>
      rejectConnection({
        acknowledgement: ack,
        accountProfile: owner.profile,
        accountKeys: owner.keys,
        random,
        additionalRecipients: [
          recipientOf(
            serviceProfile.keys.serviceEncryption as NonNullable<typeof serviceProfile.keys.serviceEncryption>,
          ),
        ],
      }).json;

    const withWorld = (options: MeshTransportWorldOptions = {}) => {
      beforeEach(async () => {
        world = await makeWorld(options);
        const hello = await world.transport.hello(world.service);
        expect(hello.EnvelopedProfileService).toBeDefined();
        serviceProfile = verifyProfileService(hello.EnvelopedProfileService as EnvelopeJson);
      });
      afterEach(async () => {
        await world.close();
      });
    };

    describe('with no rate limits in the way', () => {
      withWorld();

      it('Hello gives the service profile, signed by itself', () => {
        expect(serviceProfile.keys.serviceSignature).toBeDefined();
        expect(serviceProfile.keys.serviceEncryption).toBeDefined();
      });

      it('ConnectStart files the request: an acknowledgement signed by the service, the account profile, then Pending', async () => {
        const alice = await world.addOwner('alice@example.com');
        const { answer, ack, responseId: id } = await start(alice);
        expect(verifyProfileAccount(answer.EnvelopedProfileAccount).udf).toBe(alice.profile.udf);
        expect(ack.request.accountAddress).toBe('alice@example.com');
        const pending = await status(alice, id);
        expect(pending.Result).toBe('Pending');
        expect(pending.EnvelopedRespondConnection).toBeUndefined();
        if (pending.RetryAfter !== undefined) expect(pending.RetryAfter).toBeGreaterThan(0);
      });

      it('the owner accepts: ConnectStatus relays the answer, which the device verifies and completes', async () => {
        const alice = await world.addOwner('alice@example.com');
        const { device, ack, responseId: id } = await start(alice);
        expect(await world.complete(alice, accept(alice, ack))).toEqual({ ok: true });
        const answered = await status(alice, id);
        expect(answered.Result).toBe('Accept');
        const done = completeConnection({
          respond: answered.EnvelopedRespondConnection as EnvelopeJson,
          deviceSeed: device.deviceSeed,
          accountProfile: alice.profile,
          acknowledgement: ack,
          random,
        });
        expect(done.result).toBe('Accept');
        expect(done.deviceUdf).toBe(device.request.profile.udf);
        // The same answer again changes nothing; a different one for the same request is a conflict.
        expect(await status(alice, id)).toMatchObject({ Result: 'Accept' });
        expect(await world.complete(alice, reject(alice, ack))).toEqual({ ok: false, status: 409 });
      });

      it('the owner rejects: ConnectStatus says Reject, with the signed answer', async () => {
        const alice = await world.addOwner('alice@example.com');
        const { device, ack, responseId: id } = await start(alice);
        expect(await world.complete(alice, reject(alice, ack))).toEqual({ ok: true });
        const answered = await status(alice, id);
        expect(answered.Result).toBe('Reject');
        const done = completeConnection({
          respond: answered.EnvelopedRespondConnection as EnvelopeJson,
          deviceSeed: device.deviceSeed,
          accountProfile: alice.profile,
          acknowledgement: ack,
          random,
        });
        expect(done.result).toBe('Reject');
      });

      it('a request nobody answers expires, and can no longer be answered', async () => {
        const alice = await world.addOwner('alice@example.com');
        const { ack, responseId: id } = await start(alice);
        await world.advance(world.pendingLifetimeMs + 1_000);
        expect((await status(alice, id)).Result).toBe('Expired');
        expect(await world.complete(alice, accept(alice, ack))).toEqual({ ok: false, status: 410 });
      });

      it('an unknown account or ResponseId is refused with 404', async () => {
        const device = newDevice('nobody@example.com', random);
        const unknown = await refusal(
          world.transport.connectStart(world.service, {
            AccountAddress: 'nobody@example.com',
            EnvelopedRequestConnection: device.request.json,
          }),
        );
        expect(unknown.status).toBe(404);
        const alice = await world.addOwner('alice@example.com');
        const { responseId: id } = await start(alice);
        const other = newDevice('alice@example.com', random);
        const noSuch = await refusal(status(alice, responseId(other.request.messageId)));
        expect(noSuch.status).toBe(404);
        expect((await status(alice, id)).Result).toBe('Pending');
      });

      it('an answer signed by another key than the account holder’s is refused (403), and the request stays pending', async () => {
        const alice = await world.addOwner('alice@example.com');
        const { ack, responseId: id } = await start(alice);
        // Someone else's profile for the same address: their answer verifies against their own keys only.
        const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, random);
        const keys = accountKeyPairs(seed);
        const impostor = verifyProfileAccount(
          createProfileAccount(seed, { accountAddress: 'alice@example.com', keys }).json,
        );
        expect(await world.complete(alice, accept(alice, ack, keys, impostor))).toEqual({ ok: false, status: 403 });
        expect((await status(alice, id)).Result).toBe('Pending');
        // Alice's own answer still goes through.
        expect(await world.complete(alice, accept(alice, ack))).toEqual({ ok: true });
        expect((await status(alice, id)).Result).toBe('Accept');
      });
    });

    describe('with ConnectStart limited to one per source per minute', () => {
      withWorld({ connectStartLimit: { burst: 1, perMinute: 1 } });

      it('the second ConnectStart is a 429 with RetryAfter; once that has passed, it is filed', async () => {
        const alice = await world.addOwner('alice@example.com');
        await start(alice);
        const device = newDevice('alice@example.com', random);
        const limited = await refusal(
          world.transport.connectStart(world.service, {
            AccountAddress: 'alice@example.com',
            EnvelopedRequestConnection: device.request.json,
          }),
        );
        expect(limited.status).toBe(429);
        expect(limited.retryAfter).toBeGreaterThanOrEqual(1);
        await world.advance((limited.retryAfter as number) * 1_000);
        const answer = await world.transport.connectStart(world.service, {
          AccountAddress: 'alice@example.com',
          EnvelopedRequestConnection: device.request.json,
        });
        expect(
          verifyAcknowledgeConnection(answer.EnvelopedAcknowledgeConnection, {
            accountProfile: alice.profile,
            expectedRequestMessageId: device.request.messageId,
          }),
        ).toBeDefined();
      });
    });
  });
}
