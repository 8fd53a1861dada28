/**
 * @module test/unit/mesh/connect/claim-approval.test
 * ClaimApproval ("owner-approval"; docs/service-protocol.md "Claim approval"):
 * an owner's signed consent that a claimant may claim one device, checked by the service
 * (openClaimApproval) and the device (verifyClaimApproval). Every refusal has its class and
 * names the field.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidEncodingError } from '../../../../src/crypto/errors.js';
import {
  DeviceMismatchError,
  checkClaimApproval,
  createClaimApproval,
  openClaimApproval,
  verifyClaimApproval,
} from '../../../../src/mesh/connect/claim-approval.js';
import {
  AccountMismatchError,
  ExpiredMessageError,
  MessageIdMismatchError,
} from '../../../../src/mesh/connect/connection-errors.js';
import { createEnvelope } from '../../../../src/mesh/dare/create-envelope.js';
import { envelopeToJson } from '../../../../src/mesh/dare/envelope.js';
import { encodeTaggedBytes } from '../../../../src/mesh/objects/registry.js';
import { createProfileDevice } from '../../../../src/mesh/profiles/profile-device.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../../../src/mesh/profiles/profile-errors.js';
import { sealObject } from '../../../../src/mesh/profiles/signed-object.js';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { envelopeId } from '../../../../src/mesh/udf/message-id.js';
import { seedOf, world } from './flow-fixtures.js';

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function setup(seed = 31) {
  const w = world(seed);
  const device = createProfileDevice(w.deviceSeed);
  const otherDevice = createProfileDevice(seedOf('MeshProfileDevice', w.random));
  const expires = new Date(w.now.getTime() + 3_600_000);
  const made = createClaimApproval({
    accountProfile: w.alice.profile,
    adminKey: w.alice.admin,
    deviceUdf: device.udf,
    claimant: 'bob@example.net',
    expires,
    random: w.random,
  });
  return { ...w, device, otherDevice, expires, made };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('createClaimApproval', () => {
  it('signs {MessageId, Account, DeviceUdf, Claimant, Expires} with the admin key; EnvelopeId = EnvelopeId(MessageId)', () => {
    const { made, alice, device, expires } = setup();
    expect(made.approval).toEqual({
      MessageId: made.messageId,
      Account: 'alice@example.com',
      DeviceUdf: device.udf,
      Claimant: 'bob@example.net',
      Expires: expires,
    });
    expect(made.envelope.header.envelopeId).toBe(envelopeId(made.messageId));
    expect(made.envelope.trailer?.signatures).toHaveLength(1);
    const opened = openClaimApproval(roundTrip(made.json), { accountProfile: alice.profile });
    expect(opened.messageId).toBe(made.messageId);
    expect(opened.deviceUdf).toBe(device.udf);
  });

  it('two approvals get different MessageIds', () => {
    const w = setup();
    const again = createClaimApproval({
      accountProfile: w.alice.profile,
      adminKey: w.alice.admin,
      deviceUdf: w.device.udf,
      claimant: 'bob@example.net',
      expires: w.expires,
      random: w.random,
    });
    expect(again.messageId).not.toBe(w.made.messageId);
  });

  it("refuses another key than the profile's admin key, a bad claimant, device UDF or expiry", () => {
    const w = setup();
    const base = {
      accountProfile: w.alice.profile,
      adminKey: w.alice.admin,
      deviceUdf: w.device.udf,
      claimant: 'bob@example.net',
      expires: w.expires,
      random: w.random,
    };
    expect(thrown(() => createClaimApproval({ ...base, adminKey: w.bob.admin }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => createClaimApproval({ ...base, claimant: 'not an account' })).message).toMatch(/claimant/);
    expect(thrown(() => createClaimApproval({ ...base, deviceUdf: 'not!a!udf' })).message).toMatch(/deviceUdf/);
    const e = thrown(() => createClaimApproval({ ...base, expires: new Date(Number.NaN) }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/"expires"/);
  });
});

describe('verifyClaimApproval on the device', () => {
  it("accepts the connected owner's approval for this device and claimant before Expires", () => {
    const { made, alice, device, now } = setup();
    const v = verifyClaimApproval(roundTrip(made.json), {
      accountProfile: alice.profile,
      deviceUdf: device.udf,
      now,
      claimant: 'BOB@example.net',
    });
    expect(v.approval.Claimant).toBe('bob@example.net');
  });

  it('a device UDF written in lower case or without dashes is the same device', () => {
    const { made, alice, device, now } = setup();
    expect(() =>
      verifyClaimApproval(made.json, {
        accountProfile: alice.profile,
        deviceUdf: device.udf.toLowerCase().replace(/-/g, ''),
        now,
      }),
    ).not.toThrow();
  });

  it('refuses an approval for another device (replayed from elsewhere): DeviceMismatchError naming DeviceUdf', () => {
    const { made, alice, otherDevice, now } = setup();
    const e = thrown(() =>
      verifyClaimApproval(made.json, { accountProfile: alice.profile, deviceUdf: otherDevice.udf, now }),
    );
    expect(e).toBeInstanceOf(DeviceMismatchError);
    expect(e.message).toMatch(/"ClaimApproval.DeviceUdf"/);
  });

  it('refuses an approval for another claimant: AccountMismatchError naming Claimant', () => {
    const { made, alice, device, now } = setup();
    const e = thrown(() =>
      verifyClaimApproval(made.json, {
        accountProfile: alice.profile,
        deviceUdf: device.udf,
        now,
        claimant: 'mallory@example.org',
      }),
    );
    expect(e).toBeInstanceOf(AccountMismatchError);
    expect(e.message).toMatch(/"ClaimApproval.Claimant"/);
  });

  it('refuses an expired approval, at Expires and after: ExpiredMessageError naming Expires', () => {
    const { made, alice, device, expires } = setup();
    for (const now of [expires, new Date(expires.getTime() + 1)]) {
      const e = thrown(() =>
        verifyClaimApproval(made.json, { accountProfile: alice.profile, deviceUdf: device.udf, now }),
      );
      expect(e).toBeInstanceOf(ExpiredMessageError);
      expect(e.message).toMatch(/"ClaimApproval.Expires"/);
    }
    expect(() =>
      verifyClaimApproval(made.json, {
        accountProfile: alice.profile,
        deviceUdf: device.udf,
        now: new Date(expires.getTime() - 1),
      }),
    ).not.toThrow();
  });

  it('refuses an approval signed by another owner (not the one the device connected with): UnauthorizedSignerError', () => {
    const { made, bob, device, now } = setup();
    const e = thrown(() => verifyClaimApproval(made.json, { accountProfile: bob.profile, deviceUdf: device.udf, now }));
    expect(e).toBeInstanceOf(UnauthorizedSignerError);
    expect(e.message).toMatch(/"ClaimApproval"/);
  });

  it("refuses a forged approval: another key signing alice's Account, or a payload changed after signing", () => {
    const { made, alice, bob, device, now } = setup();
    const forged = sealObject('ClaimApproval', made.approval, {
      envelopeId: envelopeId(made.messageId),
      signer: bob.admin,
    });
    expect(
      thrown(() => verifyClaimApproval(forged.json, { accountProfile: alice.profile, deviceUdf: device.udf, now })),
    ).toBeInstanceOf(UnauthorizedSignerError);
    const altered = {
      ...made.envelope,
      payload: encodeTaggedBytes('ClaimApproval', { ...made.approval, Claimant: 'mallory@example.org' }),
    };
    expect(
      thrown(() =>
        verifyClaimApproval(envelopeToJson(altered), { accountProfile: alice.profile, deviceUdf: device.udf, now }),
      ),
    ).toBeInstanceOf(UnauthorizedSignerError);
  });

  it('refuses an unsigned approval: UnsignedEnvelopeError', () => {
    const { made, alice, device, now } = setup();
    const unsigned = envelopeToJson(
      createEnvelope(encodeTaggedBytes('ClaimApproval', made.approval), { envelopeId: envelopeId(made.messageId) }),
    );
    expect(
      thrown(() => verifyClaimApproval(unsigned, { accountProfile: alice.profile, deviceUdf: device.udf, now })),
    ).toBeInstanceOf(UnsignedEnvelopeError);
  });

  it('refuses an approval whose Account is not its signer: AccountMismatchError naming Account', () => {
    const { made, alice, device, now } = setup();
    const other = sealObject(
      'ClaimApproval',
      { ...made.approval, Account: 'carol@example.com' },
      { envelopeId: envelopeId(made.messageId), signer: alice.admin },
    );
    const e = thrown(() =>
      verifyClaimApproval(other.json, { accountProfile: alice.profile, deviceUdf: device.udf, now }),
    );
    expect(e).toBeInstanceOf(AccountMismatchError);
    expect(e.message).toMatch(/"ClaimApproval.Account"/);
  });

  it('refuses an EnvelopeId that is not EnvelopeId(MessageId): MessageIdMismatchError', () => {
    const { made, alice, device, now, random } = setup();
    const moved = sealObject('ClaimApproval', made.approval, {
      envelopeId: envelopeId(
        createClaimApproval({
          accountProfile: alice.profile,
          adminKey: alice.admin,
          deviceUdf: device.udf,
          claimant: 'x@example.com',
          expires: made.approval.Expires,
          random,
        }).messageId,
      ),
      signer: alice.admin,
    });
    const e = thrown(() =>
      verifyClaimApproval(moved.json, { accountProfile: alice.profile, deviceUdf: device.udf, now }),
    );
    expect(e).toBeInstanceOf(MessageIdMismatchError);
    expect(e.message).toMatch(/"ClaimApproval.EnvelopeId"/);
  });

  it('refuses another object type, a missing field, and garbage: SchemaError / InvalidEncodingError', () => {
    const { made, alice, device, now } = setup();
    const wrongType = sealObject(
      'MessagePin',
      {
        MessageId: made.messageId,
        Account: 'alice@example.com',
        Expires: made.approval.Expires,
        SaltedPin: 'x',
        Action: 'Device',
      },
      { signer: alice.admin },
    );
    expect(
      thrown(() => verifyClaimApproval(wrongType.json, { accountProfile: alice.profile, deviceUdf: device.udf, now })),
    ).toBeInstanceOf(SchemaError);
    const { Expires: _gone, ...noExpiry } = made.approval;
    const missing = envelopeToJson(
      createEnvelope(new TextEncoder().encode(JSON.stringify({ ClaimApproval: { ...noExpiry } })), {
        signers: [alice.admin],
      }),
    );
    const e = thrown(() => verifyClaimApproval(missing, { accountProfile: alice.profile, deviceUdf: device.udf, now }));
    expect(e).toBeInstanceOf(SchemaError);
    expect(e.message).toMatch(/Expires/);
    expect(
      thrown(() => verifyClaimApproval('nonsense', { accountProfile: alice.profile, deviceUdf: device.udf, now })),
    ).toBeInstanceOf(InvalidEncodingError);
  });

  it('checkClaimApproval alone (the device part) after openClaimApproval (the service part)', () => {
    const { made, alice, device, otherDevice, now } = setup();
    const opened = openClaimApproval(made.json, { accountProfile: alice.profile });
    expect(() => checkClaimApproval(opened, { deviceUdf: device.udf, now })).not.toThrow();
    expect(thrown(() => checkClaimApproval(opened, { deviceUdf: otherDevice.udf, now }))).toBeInstanceOf(
      DeviceMismatchError,
    );
  });
});
