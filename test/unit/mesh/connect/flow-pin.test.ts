/**
 * @module test/unit/mesh/connect/flow-pin.test
 * PIN-authenticated connection (docs/mesh-compatibility.md §6.1 PIN, §6.2 (a) 1, 5): the owner's signed
 * MessagePin, the device's PinId/PinWitness, and checkPinOnRequest as the service and the
 * owner's auto-accept use it.
 */
import { describe, expect, it } from 'vitest';
import {
  createAcknowledgeConnection,
  verifyAcknowledgeConnection,
} from '../../../../src/mesh/connect/acknowledge-connection.js';
import { completeConnection } from '../../../../src/mesh/connect/complete-connection.js';
import { AccountMismatchError, MessageIdMismatchError } from '../../../../src/mesh/connect/connection-errors.js';
import { checkPinOnRequest, createMessagePin, verifyMessagePin } from '../../../../src/mesh/connect/message-pin.js';
import { newPin, pinId, saltedPin } from '../../../../src/mesh/connect/pin.js';
import { createRequestConnection, verifyRequestConnection } from '../../../../src/mesh/connect/request-connection.js';
import { acceptConnection } from '../../../../src/mesh/connect/respond-connection.js';
import { deviceBaseKeyPairs } from '../../../../src/mesh/profiles/profile-device.js';
import { UnauthorizedSignerError } from '../../../../src/mesh/profiles/profile-errors.js';
import { sealObject } from '../../../../src/mesh/profiles/signed-object.js';
import { envelopeId } from '../../../../src/mesh/udf/message-id.js';
import { world } from './flow-fixtures.js';

function setup(devicePin?: (pin: string) => string) {
  const w = world(11);
  const pin = newPin(w.random);
  const expires = new Date(w.now.getTime() + 24 * 3600_000);
  const issued = createMessagePin({
    pin,
    accountAddress: 'alice@example.com',
    adminKey: w.alice.admin,
    expires,
    automatic: true,
    roles: ['web'],
  });
  const made = createRequestConnection({
    deviceSeed: w.deviceSeed,
    accountAddress: 'alice@example.com',
    random: w.random,
    pin: devicePin === undefined ? pin : devicePin(pin),
  });
  const request = verifyRequestConnection(JSON.parse(JSON.stringify(made.json)), {
    accountAddress: 'alice@example.com',
  });
  return { w, pin, expires, issued, made, request };
}

describe('PIN flow', () => {
  it('MessagePin: MessageId = PinId, signed by the admin key, verifiable by the service', () => {
    const { w, pin, issued } = setup();
    expect(issued.messageId).toBe(pinId(saltedPin(pin), 'alice@example.com'));
    expect(issued.envelope.header.envelopeId).toBe(envelopeId(issued.messageId));
    const verified = verifyMessagePin(JSON.parse(JSON.stringify(issued.json)), { accountProfile: w.alice.profile });
    expect(verified.pinId).toBe(issued.messageId);
    expect(verified.messagePin.Roles).toEqual(['web']);
    expect(verified.messagePin.Automatic).toBe(true);
  });

  it('a request made with the PIN checks out, then flows to an accepted connection', () => {
    const { w, issued, made, request } = setup();
    expect(request.request.PinId).toBe(issued.messageId);
    expect(checkPinOnRequest({ messagePin: issued.messagePin, request, now: w.now })).toBe(true);
    const ack = createAcknowledgeConnection({
      request,
      accountProfile: w.alice.profile,
      serviceKey: w.service.signer,
      random: w.random,
    });
    const ownerAck = verifyAcknowledgeConnection(ack.json, { accountProfile: w.alice.profile });
    // Auto-accept: the owner re-checks the PIN on the request inside the acknowledgement.
    expect(checkPinOnRequest({ messagePin: issued.messagePin, request: ownerAck.request, now: w.now })).toBe(true);
    const accepted = acceptConnection({
      acknowledgement: ownerAck,
      accountProfile: w.alice.profile,
      accountKeys: w.alice.keys,
      roles: issued.messagePin.Roles ?? [],
      random: w.random,
      now: w.now,
    });
    const deviceAck = verifyAcknowledgeConnection(ack.json, {
      accountProfile: w.alice.profile,
      expectedRequestMessageId: made.messageId,
    });
    const done = completeConnection({
      respond: accepted.json,
      deviceSeed: w.deviceSeed,
      accountProfile: w.alice.profile,
      acknowledgement: deviceAck,
    });
    expect(done.result).toBe('Accept');
    expect(done.connection?.Roles).toEqual(['web']);
  });

  it('a wrong PIN, no PIN, an expired PIN, or a PIN for another account do not check out', () => {
    const wrong = setup(() => newPin(world(99).random));
    expect(checkPinOnRequest({ messagePin: wrong.issued.messagePin, request: wrong.request, now: wrong.w.now })).toBe(
      false,
    );

    const { w, issued, expires, request } = setup();
    expect(checkPinOnRequest({ messagePin: issued.messagePin, request, now: expires })).toBe(false);
    expect(checkPinOnRequest({ messagePin: issued.messagePin, request, now: new Date(expires.getTime() - 1000) })).toBe(
      true,
    );

    const none = verifyRequestConnection(
      createRequestConnection({ deviceSeed: w.deviceSeed, accountAddress: 'alice@example.com', random: w.random }).json,
    );
    expect(checkPinOnRequest({ messagePin: issued.messagePin, request: none, now: w.now })).toBe(false);

    const forBob = { ...issued.messagePin, Account: 'bob@example.net' };
    expect(checkPinOnRequest({ messagePin: forBob, request, now: w.now })).toBe(false);
  });

  it('a PinWitness copied onto another device profile does not check out', () => {
    const { w, issued, made } = setup();
    const other = createRequestConnection({
      deviceSeed: world(12).deviceSeed,
      accountAddress: 'alice@example.com',
      random: w.random,
    });
    // The other device replays the PIN fields it observed; its profile differs.
    const replayed = sealObject(
      'RequestConnection',
      {
        ...other.request,
        PinId: made.request.PinId,
        PinWitness: made.request.PinWitness,
        ClientNonce: made.clientNonce,
      },
      {
        envelopeId: envelopeId(other.messageId),
        signer: { key: deviceBaseKeyPairs(world(12).deviceSeed).profileSignature, kid: other.profile.udf },
      },
    );
    const request = verifyRequestConnection(replayed.json);
    expect(checkPinOnRequest({ messagePin: issued.messagePin, request, now: w.now })).toBe(false);
  });

  it('refuses a MessagePin signed by another account, for another account, or with a wrong MessageId', () => {
    const { w, pin, expires, issued } = setup();
    const byBob = createMessagePin({ pin, accountAddress: 'alice@example.com', adminKey: w.bob.admin, expires });
    expect(() => verifyMessagePin(byBob.json, { accountProfile: w.alice.profile })).toThrow(UnauthorizedSignerError);
    const bobsPin = createMessagePin({ pin, accountAddress: 'bob@example.net', adminKey: w.alice.admin, expires });
    expect(() => verifyMessagePin(bobsPin.json, { accountProfile: w.alice.profile })).toThrow(AccountMismatchError);
    const relabelled = sealObject(
      'MessagePin',
      { ...issued.messagePin, MessageId: pinId(saltedPin(newPin(w.random)), 'alice@example.com') },
      {
        signer: w.alice.admin,
      },
    );
    expect(() => verifyMessagePin(relabelled.json, { accountProfile: w.alice.profile })).toThrow(
      MessageIdMismatchError,
    );
  });
});
