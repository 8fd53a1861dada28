/**
 * @module test/unit/mesh/connect/flow-request-ack.test
 * RequestConnection and AcknowledgeConnection: both ends recompute the witness, and every
 * forged or mismatched envelope is refused with the error naming its cause
 * (design decisions 3-4; docs/mesh-compatibility.md §6.1, §6.2 (a) 2-4).
 */
import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../../../src/mesh/dare/create-envelope.js';
import { envelopeToJson } from '../../../../src/mesh/dare/envelope.js';
import { encodeTaggedBytes } from '../../../../src/mesh/objects/registry.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../../../src/mesh/profiles/profile-errors.js';
import { sealObject, signerOf } from '../../../../src/mesh/profiles/signed-object.js';
import { createProfileDevice, deviceBaseKeyPairs } from '../../../../src/mesh/profiles/profile-device.js';
import {
  createAcknowledgeConnection,
  verifyAcknowledgeConnection,
} from '../../../../src/mesh/connect/acknowledge-connection.js';
import {
  AccountMismatchError,
  MessageIdMismatchError,
  WitnessMismatchError,
} from '../../../../src/mesh/connect/connection-errors.js';
import { createRequestConnection, verifyRequestConnection } from '../../../../src/mesh/connect/request-connection.js';
import { connectionWitness } from '../../../../src/mesh/connect/witness.js';
import { envelopeId } from '../../../../src/mesh/udf/message-id.js';
import { seedOf, world } from './flow-fixtures.js';

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('RequestConnection', () => {
  it('is signed by the device profile key, names its account and verifies from JSON', () => {
    const w = world();
    const made = createRequestConnection({
      deviceSeed: w.deviceSeed,
      accountAddress: 'alice@example.com',
      random: w.random,
    });
    const verified = verifyRequestConnection(roundTrip(made.json), { accountAddress: 'Alice@Example.com' });
    expect(verified.deviceUdf).toBe(made.profile.udf);
    expect(verified.messageId).toBe(made.messageId);
    expect(made.messageId.startsWith('N')).toBe(true);
    expect(made.envelope.header.envelopeId).toBe(envelopeId(made.messageId));
    expect(verified.request.ClientNonce).toEqual(made.clientNonce);
    expect(verified.request.PinId).toBeUndefined();
  });

  it('refuses the reference form: an unsigned RequestConnection', () => {
    const w = world();
    const made = createRequestConnection({
      deviceSeed: w.deviceSeed,
      accountAddress: 'alice@example.com',
      random: w.random,
    });
    const unsigned = createEnvelope(made.envelope.payload, { envelopeId: envelopeId(made.messageId) });
    expect(() => verifyRequestConnection(envelopeToJson(unsigned))).toThrow(UnsignedEnvelopeError);
  });

  it('refuses a request whose AuthenticatedData is another device than the signer', () => {
    const w = world();
    const made = createRequestConnection({
      deviceSeed: w.deviceSeed,
      accountAddress: 'alice@example.com',
      random: w.random,
    });
    const other = createProfileDevice(seedOf('MeshProfileDevice', w.random));
    const forged = sealObject(
      'RequestConnection',
      { ...made.request, AuthenticatedData: other.json },
      {
        envelopeId: envelopeId(made.messageId),
        signer: signerOf(deviceBaseKeyPairs(w.deviceSeed).profileSignature),
      },
    );
    expect(() => verifyRequestConnection(forged.json)).toThrow(UnauthorizedSignerError);
  });

  it('refuses a request altered after signing, an EnvelopeId of another message, or another account', () => {
    const w = world();
    const made = createRequestConnection({
      deviceSeed: w.deviceSeed,
      accountAddress: 'alice@example.com',
      random: w.random,
    });
    const altered = encodeTaggedBytes('RequestConnection', { ...made.request, AccountAddress: 'mallory@example.com' });
    expect(() => verifyRequestConnection({ ...made.envelope, payload: altered })).toThrow(UnauthorizedSignerError);
    const relabelled = {
      ...made.envelope,
      header: { ...made.envelope.header, envelopeId: envelopeId('NBF4-4PTH-UTSC-RYHZ-EQMK-BVH7-MU3F') },
    };
    expect(() => verifyRequestConnection(relabelled)).toThrow(MessageIdMismatchError);
    expect(() => verifyRequestConnection(made.json, { accountAddress: 'bob@example.net' })).toThrow(
      AccountMismatchError,
    );
  });
});

describe('AcknowledgeConnection', () => {
  function setup() {
    const w = world();
    const made = createRequestConnection({
      deviceSeed: w.deviceSeed,
      accountAddress: 'alice@example.com',
      random: w.random,
    });
    const request = verifyRequestConnection(made.json, { accountAddress: 'alice@example.com' });
    const ack = createAcknowledgeConnection({
      request,
      accountProfile: w.alice.profile,
      serviceKey: w.service.signer,
      random: w.random,
    });
    return { w, made, request, ack };
  }

  it('has MessageId = Witness, which device and owner recompute alike', () => {
    const { w, made, ack } = setup();
    const expected = connectionWitness({
      accountProfileSignature: w.alice.keys.profileSignature,
      deviceProfileSignature: deviceBaseKeyPairs(w.deviceSeed).profileSignature,
      serverNonce: ack.serverNonce,
      clientNonce: made.clientNonce,
    });
    expect(ack.witness).toBe(expected);
    expect(ack.acknowledgement.MessageId).toBe(expected);
    const onDevice = verifyAcknowledgeConnection(roundTrip(ack.json), {
      accountProfile: w.alice.profile,
      serviceKey: w.service.verified.keys.serviceSignature,
      expectedRequestMessageId: made.messageId,
    });
    const onOwner = verifyAcknowledgeConnection(roundTrip(ack.json), { accountProfile: w.alice.profile });
    expect(onDevice.witness).toBe(expected);
    expect(onOwner.witness).toBe(onDevice.witness);
    expect(onOwner.request.deviceUdf).toBe(made.profile.udf);
  });

  it('refuses a wrong witness, even when the service signs it', () => {
    const { w, ack } = setup();
    const wrong = 'MAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA';
    const forged = sealObject(
      'AcknowledgeConnection',
      { ...ack.acknowledgement, Witness: wrong, MessageId: wrong },
      {
        envelopeId: envelopeId(wrong),
        signer: w.service.signer,
      },
    );
    expect(() =>
      verifyAcknowledgeConnection(forged.json, {
        accountProfile: w.alice.profile,
        serviceKey: w.service.verified.keys.serviceSignature,
      }),
    ).toThrow(WitnessMismatchError);
    const otherNonce = sealObject(
      'AcknowledgeConnection',
      { ...ack.acknowledgement, ServerNonce: new Uint8Array(16) },
      {
        envelopeId: envelopeId(ack.witness),
        signer: w.service.signer,
      },
    );
    expect(() => verifyAcknowledgeConnection(otherNonce.json, { accountProfile: w.alice.profile })).toThrow(
      WitnessMismatchError,
    );
  });

  it('refuses an acknowledgement computed over another account profile', () => {
    const { w, ack } = setup();
    // Bob's profile gives a different witness, and the request names alice.
    expect(() => verifyAcknowledgeConnection(ack.json, { accountProfile: w.bob.profile })).toThrow(
      AccountMismatchError,
    );
  });

  it('refuses an unsigned or wrongly signed acknowledgement when the service key is known', () => {
    const { w, ack } = setup();
    const unsigned = createEnvelope(ack.envelope.payload, {});
    const serviceKey = w.service.verified.keys.serviceSignature;
    expect(() => verifyAcknowledgeConnection(unsigned, { accountProfile: w.alice.profile, serviceKey })).toThrow(
      UnsignedEnvelopeError,
    );
    const byAlice = sealObject('AcknowledgeConnection', ack.acknowledgement, { signer: w.alice.admin });
    expect(() => verifyAcknowledgeConnection(byAlice.json, { accountProfile: w.alice.profile, serviceKey })).toThrow(
      UnauthorizedSignerError,
    );
  });

  it('refuses an acknowledgement of another request than the device made', () => {
    const { w, ack } = setup();
    expect(() =>
      verifyAcknowledgeConnection(ack.json, {
        accountProfile: w.alice.profile,
        expectedRequestMessageId: 'NAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA',
      }),
    ).toThrow(MessageIdMismatchError);
  });

  it('the service refuses to acknowledge a request for another account', () => {
    const { w, request } = setup();
    expect(() =>
      createAcknowledgeConnection({
        request,
        accountProfile: w.bob.profile,
        serviceKey: w.service.signer,
        random: w.random,
      }),
    ).toThrow(AccountMismatchError);
  });
});
