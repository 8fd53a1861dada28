/**
 * @module test/unit/mesh/connect/flow-witness.test
 * The interactive flow end to end, in memory (docs/mesh-compatibility.md §6.2 (a)): device request →
 * service acknowledgement → owner accept or reject → device completion, with the forgeries
 * and replays a relaying service could attempt (design decisions 3-4).
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../../../src/crypto/bytes.js';
import { DecryptionError } from '../../../../src/crypto/errors.js';
import { recomputePublicKey, verifySignature } from '../../../../src/crypto/keys.js';
import {
  createAcknowledgeConnection,
  verifyAcknowledgeConnection,
} from '../../../../src/mesh/connect/acknowledge-connection.js';
import { completeConnection } from '../../../../src/mesh/connect/complete-connection.js';
import {
  AccountMismatchError,
  ConnectionKeyMismatchError,
  MessageIdMismatchError,
} from '../../../../src/mesh/connect/connection-errors.js';
import { createRequestConnection, verifyRequestConnection } from '../../../../src/mesh/connect/request-connection.js';
import {
  acceptConnection,
  openRespondConnection,
  rejectConnection,
} from '../../../../src/mesh/connect/respond-connection.js';
import { keyDataOf } from '../../../../src/mesh/keys/key-data.js';
import type { ConnectionDevice } from '../../../../src/mesh/objects/connection-device.js';
import { deviceBaseKeyPairs } from '../../../../src/mesh/profiles/profile-device.js';
import { UnauthorizedSignerError } from '../../../../src/mesh/profiles/profile-errors.js';
import { recipientOf, sealObject, signerOf } from '../../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../../src/mesh/udf/derived-key-seed.js';
import { envelopeId, responseId } from '../../../../src/mesh/udf/message-id.js';
import { makeOwner, world } from './flow-fixtures.js';

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Device → service → owner, up to the owner holding a verified acknowledgement. */
function pending(w = world(), owner: 'alice' | 'bob' = 'alice') {
  const account = w[owner];
  const made = createRequestConnection({
    deviceSeed: w.deviceSeed,
    accountAddress: account.profile.accountAddress,
    random: w.random,
  });
  // Service: ConnectStart.
  const onService = verifyRequestConnection(roundTrip(made.json), { accountAddress: account.profile.accountAddress });
  const ack = createAcknowledgeConnection({
    request: onService,
    accountProfile: account.profile,
    serviceKey: w.service.signer,
    random: w.random,
  });
  // Device: the ConnectStartResponse (ack + the account profile it re-verifies itself).
  const deviceAck = verifyAcknowledgeConnection(roundTrip(ack.json), {
    accountProfile: account.profile,
    serviceKey: w.service.verified.keys.serviceSignature,
    expectedRequestMessageId: made.messageId,
  });
  // Owner: ConnectPending.
  const ownerAck = verifyAcknowledgeConnection(roundTrip(ack.json), { accountProfile: account.profile });
  return { w, account, made, ack, deviceAck, ownerAck };
}

describe('witness flow', () => {
  it('device and owner show the same witness; the device ends with combined keys matching its ConnectionDevice', () => {
    const { w, account, made, deviceAck, ownerAck } = pending();
    expect(deviceAck.witness).toBe(ownerAck.witness);
    const accepted = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      roles: ['web', 'message'],
      random: w.random,
      now: w.now,
    });
    expect(accepted.witness).toBe(ownerAck.witness);
    expect(accepted.messageId).toBe(responseId(ownerAck.messageId));
    expect(accepted.envelope.header.envelopeId).toBe(envelopeId(accepted.messageId));
    expect(accepted.envelope.header.enc).toBe('A256CBC');
    expect(accepted.deviceUdf).toBe(made.profile.udf);
    expect(accepted.activationSeed.startsWith('ZAAQ')).toBe(true); // 0x0103 specifier

    const done = completeConnection({
      respond: roundTrip(accepted.json),
      deviceSeed: w.deviceSeed,
      accountProfile: account.profile,
      acknowledgement: deviceAck,
    });
    expect(done.result).toBe('Accept');
    expect(done.activationSeed).toBe(accepted.activationSeed);
    expect(done.connection?.Roles).toEqual(['web', 'message']);
    const keys = done.keys!;
    for (const slot of ['signature', 'encryption', 'authentication'] as const) {
      expect(equalBytes(keys[slot].publicKey, accepted.combined[slot].publicKey)).toBe(true);
      // The combined private scalar really is the one behind the published point.
      expect(equalBytes(recomputePublicKey(keys[slot]), keys[slot].publicKey)).toBe(true);
    }
    const message = new TextEncoder().encode('hello');
    expect(verifySignature('Ed448', accepted.combined.signature.publicKey, message, keys.signature.sign(message))).toBe(
      true,
    );
  });

  it('reject: the device learns Reject and gets no keys', () => {
    const { w, account, deviceAck, ownerAck } = pending();
    const rejected = rejectConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      random: w.random,
    });
    const done = completeConnection({
      respond: rejected.json,
      deviceSeed: w.deviceSeed,
      accountProfile: account.profile,
      acknowledgement: deviceAck,
    });
    expect(done.result).toBe('Reject');
    expect(done.keys).toBeUndefined();
    expect(done.activationSeed).toBeUndefined();
  });

  it('the service can read the answer only when the owner adds its encryption key', () => {
    const { w, account, ownerAck } = pending();
    const serviceEncryption = w.service.keys.serviceEncryption;
    const plain = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      random: w.random,
      now: w.now,
    });
    expect(() =>
      openRespondConnection(plain.json, { accountProfile: account.profile, decryptionKey: serviceEncryption }),
    ).toThrow(DecryptionError);
    const shared = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      random: w.random,
      now: w.now,
      additionalRecipients: [recipientOf(serviceEncryption)],
    });
    const read = openRespondConnection(shared.json, {
      accountProfile: account.profile,
      decryptionKey: serviceEncryption,
      answers: ownerAck.messageId,
    });
    expect(read.respond.Result).toBe('Accept');
    expect(read.respond.CatalogedDevice?.DeviceUdf).toBe(shared.deviceUdf);
  });
});

describe('forged and replayed answers', () => {
  it('refuses a RespondConnection signed by another account’s admin key', () => {
    const { w, account, deviceAck, ownerAck } = pending();
    // Bob builds a full, well-formed answer to alice's request, signed with his own admin key.
    const forged = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: {
        ...account.profile,
        keys: { ...account.profile.keys, administratorSignature: w.bob.keys.administratorSignature },
      },
      accountKeys: w.bob.keys,
      random: w.random,
      now: w.now,
    });
    expect(() =>
      completeConnection({
        respond: forged.json,
        deviceSeed: w.deviceSeed,
        accountProfile: account.profile,
        acknowledgement: deviceAck,
      }),
    ).toThrow(UnauthorizedSignerError);
  });

  it('refuses a RespondConnection signed by the device itself', () => {
    const { w, account, deviceAck, ownerAck } = pending();
    const base = deviceBaseKeyPairs(w.deviceSeed);
    // The device (or anyone who has seen its public profile) re-signs a genuine answer.
    const genuine = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      random: w.random,
      now: w.now,
    });
    const selfSigned = sealObject('RespondConnection', genuine.respond, {
      envelopeId: envelopeId(genuine.messageId),
      signer: signerOf(base.profileSignature),
      recipients: [recipientOf(base.encryption)],
      random: w.random,
    });
    expect(() =>
      completeConnection({
        respond: selfSigned.json,
        deviceSeed: w.deviceSeed,
        accountProfile: account.profile,
        acknowledgement: deviceAck,
      }),
    ).toThrow(UnauthorizedSignerError);
  });

  it('refuses a response made for a different request of the same device (MessageId mismatch)', () => {
    const w = world();
    const first = pending(w);
    const second = pending(w);
    const forSecond = acceptConnection({
      acknowledgement: second.ownerAck,
      accountProfile: second.account.profile,
      accountKeys: second.account.keys,
      random: w.random,
      now: w.now,
    });
    expect(() =>
      completeConnection({
        respond: forSecond.json,
        deviceSeed: w.deviceSeed,
        accountProfile: first.account.profile,
        acknowledgement: first.deviceAck,
      }),
    ).toThrow(MessageIdMismatchError);
  });

  it('refuses a ConnectionDevice whose keys are not base + activation, even when admin-signed', () => {
    const { w, account, deviceAck, ownerAck } = pending();
    const accepted = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      random: w.random,
      now: w.now,
    });
    // An owner (or anyone holding the admin key) substitutes a signature key it controls.
    const substitute = deviceBaseKeyPairs(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, w.random)).signature;
    const tampered: ConnectionDevice = { ...accepted.connection, Signature: keyDataOf(substitute) };
    const connection = sealObject('ConnectionDevice', tampered, {
      signer: signerOf(account.keys.administratorSignature),
    });
    const cd = { ...accepted.catalogedDevice, EnvelopedConnectionDevice: connection.json };
    const respond = sealObject(
      'RespondConnection',
      { ...accepted.respond, CatalogedDevice: cd },
      {
        envelopeId: envelopeId(accepted.messageId),
        signer: signerOf(account.keys.administratorSignature),
        recipients: [recipientOf(deviceAck.request.device.keys.encryption)],
        random: w.random,
      },
    );
    expect(() =>
      completeConnection({
        respond: respond.json,
        deviceSeed: w.deviceSeed,
        accountProfile: account.profile,
        acknowledgement: deviceAck,
      }),
    ).toThrow(ConnectionKeyMismatchError);
  });

  it('refuses an account profile that is not the account the device asked to join', () => {
    const { w, deviceAck, ownerAck, account } = pending();
    const accepted = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: account.profile,
      accountKeys: account.keys,
      random: w.random,
      now: w.now,
    });
    expect(() =>
      completeConnection({
        respond: accepted.json,
        deviceSeed: w.deviceSeed,
        accountProfile: w.bob.profile,
        acknowledgement: deviceAck,
      }),
    ).toThrow(AccountMismatchError);
  });
});

describe('an impostor profile with the same address', () => {
  it('is refused: the answer must come from the profile the witness was computed over', () => {
    const { w, deviceAck, ownerAck, account } = pending();
    const impostor = makeOwner('alice@example.com', w.random);
    const accepted = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: impostor.profile,
      accountKeys: impostor.keys,
      random: w.random,
      now: w.now,
    });
    expect(() =>
      completeConnection({
        respond: accepted.json,
        deviceSeed: w.deviceSeed,
        accountProfile: impostor.profile,
        acknowledgement: deviceAck,
      }),
    ).toThrow(AccountMismatchError);
    expect(() =>
      completeConnection({
        respond: accepted.json,
        deviceSeed: w.deviceSeed,
        accountProfile: account.profile,
        acknowledgement: deviceAck,
      }),
    ).toThrow(UnauthorizedSignerError);
  });
});

describe('two owners, one device', () => {
  it('gives independent activations: different combined keys, and completing one leaves the other intact', () => {
    const w = world();
    const a = pending(w, 'alice');
    const b = pending(w, 'bob');
    expect(a.deviceAck.request.deviceUdf).toBe(b.deviceAck.request.deviceUdf);
    const fromAlice = acceptConnection({
      acknowledgement: a.ownerAck,
      accountProfile: a.account.profile,
      accountKeys: a.account.keys,
      random: w.random,
      now: w.now,
    });
    const fromBob = acceptConnection({
      acknowledgement: b.ownerAck,
      accountProfile: b.account.profile,
      accountKeys: b.account.keys,
      random: w.random,
      now: w.now,
    });
    expect(fromAlice.activationSeed).not.toBe(fromBob.activationSeed);
    for (const slot of ['signature', 'encryption', 'authentication'] as const) {
      expect(equalBytes(fromAlice.combined[slot].publicKey, fromBob.combined[slot].publicKey)).toBe(false);
    }
    const doneAlice = completeConnection({
      respond: fromAlice.json,
      deviceSeed: w.deviceSeed,
      accountProfile: a.account.profile,
      acknowledgement: a.deviceAck,
    });
    const doneBob = completeConnection({
      respond: fromBob.json,
      deviceSeed: w.deviceSeed,
      accountProfile: b.account.profile,
      acknowledgement: b.deviceAck,
    });
    expect(equalBytes(doneAlice.keys!.signature.publicKey, fromAlice.combined.signature.publicKey)).toBe(true);
    expect(equalBytes(doneBob.keys!.signature.publicKey, fromBob.combined.signature.publicKey)).toBe(true);
    // Completing bob's again after alice's still yields bob's keys: nothing is shared.
    const again = completeConnection({
      respond: fromBob.json,
      deviceSeed: w.deviceSeed,
      accountProfile: b.account.profile,
      acknowledgement: b.deviceAck,
    });
    expect(again.activationSeed).toBe(fromBob.activationSeed);
    // Alice's answer is not accepted on bob's pending connection.
    expect(() =>
      completeConnection({
        respond: fromAlice.json,
        deviceSeed: w.deviceSeed,
        accountProfile: b.account.profile,
        acknowledgement: b.deviceAck,
      }),
    ).toThrow(UnauthorizedSignerError);
  });
});
