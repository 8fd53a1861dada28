/**
 * @module test/unit/mesh/connect/flow-claim.test
 * Static-QR connection of a preconfigured device (docs/mesh-compatibility.md §6.1 static-QR material,
 * §6.2 (b)): factory preconfiguration and publication, the owner's claim checked by the
 * service and the device, the owner's accept, the device's completion — and the claims,
 * publications and preconfiguration files that must be refused.
 */
import { describe, expect, it } from 'vitest';
import { createPublication, openPublication } from '../../../../src/mesh/connect/cataloged-publication.js';
import { completeConnection } from '../../../../src/mesh/connect/complete-connection.js';
import {
  AccountMismatchError,
  ClaimAuthenticatorError,
  ExpiredMessageError,
  MessageIdMismatchError,
  PreconfigurationMismatchError,
  PublicationMismatchError,
} from '../../../../src/mesh/connect/connection-errors.js';
import {
  createDevicePreconfiguration,
  verifyDevicePreconfiguration,
} from '../../../../src/mesh/connect/device-preconfiguration.js';
import {
  createMessageClaim,
  verifyClaimOnDevice,
  verifyClaimOnService,
} from '../../../../src/mesh/connect/message-claim.js';
import { acceptClaim } from '../../../../src/mesh/connect/respond-connection.js';
import { deviceAuthenticate, serviceAuthenticate, staticConnectUri } from '../../../../src/mesh/connect/static-qr.js';
import { createEnvelope } from '../../../../src/mesh/dare/create-envelope.js';
import { envelopeToJson } from '../../../../src/mesh/dare/envelope.js';
import { encodeTaggedBytes } from '../../../../src/mesh/objects/registry.js';
import { createProfileDevice } from '../../../../src/mesh/profiles/profile-device.js';
import { UnauthorizedSignerError, UnsignedEnvelopeError } from '../../../../src/mesh/profiles/profile-errors.js';
import { sealObject } from '../../../../src/mesh/profiles/signed-object.js';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { envelopeId } from '../../../../src/mesh/udf/message-id.js';
import { seedOf, world } from './flow-fixtures.js';

const MAKER = 'maker@example.com';
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function factory(seed = 21) {
  const w = world(seed);
  const pre = createDevicePreconfiguration({ deviceSeed: w.deviceSeed, makerAccount: MAKER });
  const published = createPublication({ deviceSeed: w.deviceSeed, makerAccount: MAKER, random: w.random });
  // Device at install: check the file, keep only the claim secrets.
  const installed = verifyDevicePreconfiguration(roundTrip(pre.preconfiguration));
  return { w, pre, published, installed };
}

describe('claim flow', () => {
  it('factory → claim → service and device checks → owner accept → device completion', () => {
    const { w, pre, published, installed } = factory();
    expect(published.connectUri).toBe(pre.connectUri);
    expect(installed.publicationId).toBe(published.publication.Id);
    expect(installed.serviceAuthenticator).toBe(published.publication.Authenticator);

    // Owner scans the QR code and claims.
    const claim = createMessageClaim({
      claimantProfile: w.alice.profile,
      adminKey: w.alice.admin,
      connectUri: pre.connectUri,
      random: w.random,
    });
    expect(claim.publisher).toBe(MAKER);
    expect(claim.claim.Recipient).toBe(MAKER);
    // Maker's service: Claim.
    const onService = verifyClaimOnService(roundTrip(claim.json), roundTrip(published.publication));
    expect(onService.claimant.accountAddress).toBe('alice@example.com');
    // Owner: ClaimResponse gives the publication; it opens it and accepts.
    const device = openPublication(roundTrip(published.publication), pre.connectUri);
    expect(device.udf).toBe(pre.deviceUdf);
    const accepted = acceptClaim({
      claimMessageId: claim.messageId,
      publication: published.publication,
      connectUri: pre.connectUri,
      accountProfile: w.alice.profile,
      accountKeys: w.alice.keys,
      roles: ['thermostat'],
      random: w.random,
      now: w.now,
    });
    expect(accepted.messageId).toBe(claim.responseId);
    // Device: PollClaim returns the claim; it verifies it and binds to the claimant.
    const onDevice = verifyClaimOnDevice(roundTrip(claim.json), installed);
    const done = completeConnection({
      respond: roundTrip(accepted.json),
      deviceSeed: installed.deviceSeed,
      accountProfile: onDevice.claimant,
      claim: onDevice,
    });
    expect(done.result).toBe('Accept');
    expect(done.connection?.Roles).toEqual(['thermostat']);
  });

  it('a second owner claims the same device independently', () => {
    const { w, pre, published, installed } = factory();
    const claims = [w.alice, w.bob].map((owner) => {
      const claim = createMessageClaim({
        claimantProfile: owner.profile,
        adminKey: owner.admin,
        connectUri: pre.connectUri,
        random: w.random,
      });
      const accepted = acceptClaim({
        claimMessageId: claim.messageId,
        publication: published.publication,
        connectUri: pre.connectUri,
        accountProfile: owner.profile,
        accountKeys: owner.keys,
        random: w.random,
        now: w.now,
      });
      const onDevice = verifyClaimOnDevice(claim.json, installed);
      return { owner, accepted, onDevice };
    });
    const [a, b] = claims as [(typeof claims)[0], (typeof claims)[0]];
    expect(a.accepted.activationSeed).not.toBe(b.accepted.activationSeed);
    const doneB = completeConnection({
      respond: b.accepted.json,
      deviceSeed: installed.deviceSeed,
      accountProfile: b.onDevice.claimant,
      claim: b.onDevice,
    });
    const doneA = completeConnection({
      respond: a.accepted.json,
      deviceSeed: installed.deviceSeed,
      accountProfile: a.onDevice.claimant,
      claim: a.onDevice,
    });
    expect(doneA.activationSeed).toBe(a.accepted.activationSeed);
    expect(doneB.activationSeed).toBe(b.accepted.activationSeed);
    // Bob's answer does not complete Alice's claim: wrong signer for that claimant.
    expect(() =>
      completeConnection({
        respond: b.accepted.json,
        deviceSeed: installed.deviceSeed,
        accountProfile: a.onDevice.claimant,
        claim: a.onDevice,
      }),
    ).toThrow(UnauthorizedSignerError);
  });

  it('an answer to another claim by the same owner is refused (MessageId mismatch)', () => {
    const { w, pre, published, installed } = factory();
    const first = createMessageClaim({
      claimantProfile: w.alice.profile,
      adminKey: w.alice.admin,
      connectUri: pre.connectUri,
      random: w.random,
    });
    const second = createMessageClaim({
      claimantProfile: w.alice.profile,
      adminKey: w.alice.admin,
      connectUri: pre.connectUri,
      random: w.random,
    });
    const forSecond = acceptClaim({
      claimMessageId: second.messageId,
      publication: published.publication,
      connectUri: pre.connectUri,
      accountProfile: w.alice.profile,
      accountKeys: w.alice.keys,
      random: w.random,
      now: w.now,
    });
    const onDevice = verifyClaimOnDevice(first.json, installed);
    expect(() =>
      completeConnection({
        respond: forSecond.json,
        deviceSeed: installed.deviceSeed,
        accountProfile: onDevice.claimant,
        claim: onDevice,
      }),
    ).toThrow(MessageIdMismatchError);
  });
});

describe('refused claims', () => {
  function forged(field: 'ServiceAuthenticate' | 'DeviceAuthenticate') {
    const { w, pre, published, installed } = factory();
    const claim = createMessageClaim({
      claimantProfile: w.alice.profile,
      adminKey: w.alice.admin,
      connectUri: pre.connectUri,
      random: w.random,
    });
    // Computed with another device's key: well-formed, signed, wrong.
    const otherUri = staticConnectUri(seedOf('MeshProfileDevice', w.random), MAKER);
    const otherKey = otherUri.slice(otherUri.lastIndexOf('/') + 1);
    const value =
      field === 'ServiceAuthenticate'
        ? serviceAuthenticate('alice@example.com', otherKey)
        : deviceAuthenticate('alice@example.com', otherKey);
    const bad = sealObject(
      'MessageClaim',
      { ...claim.claim, [field]: value },
      { envelopeId: envelopeId(claim.messageId), signer: w.alice.admin },
    );
    return { w, bad, published, installed, claim };
  }

  it('wrong ServiceAuthenticate: refused by the service and by the device', () => {
    const { bad, published, installed } = forged('ServiceAuthenticate');
    expect(() => verifyClaimOnService(bad.json, published.publication)).toThrow(ClaimAuthenticatorError);
    expect(() => verifyClaimOnDevice(bad.json, installed)).toThrow(ClaimAuthenticatorError);
    try {
      verifyClaimOnDevice(bad.json, installed);
    } catch (e) {
      expect((e as Error).message).toContain('ServiceAuthenticate');
    }
  });

  it('wrong DeviceAuthenticate: the service cannot tell, the device refuses', () => {
    const { bad, published, installed } = forged('DeviceAuthenticate');
    expect(verifyClaimOnService(bad.json, published.publication).claim.Sender).toBe('alice@example.com');
    expect(() => verifyClaimOnDevice(bad.json, installed)).toThrow(ClaimAuthenticatorError);
    try {
      verifyClaimOnDevice(bad.json, installed);
    } catch (e) {
      expect((e as Error).message).toContain('DeviceAuthenticate');
    }
  });

  it('a claim for another publication, by another signer, unsigned, or claiming another Sender', () => {
    const { w, claim, published, installed } = forged('DeviceAuthenticate');
    const other = createPublication({
      deviceSeed: seedOf('MeshProfileDevice', w.random),
      makerAccount: MAKER,
      random: w.random,
    });
    expect(() => verifyClaimOnService(claim.json, other.publication)).toThrow(PublicationMismatchError);
    const byBob = sealObject('MessageClaim', claim.claim, {
      envelopeId: envelopeId(claim.messageId),
      signer: w.bob.admin,
    });
    expect(() => verifyClaimOnService(byBob.json, published.publication)).toThrow(UnauthorizedSignerError);
    expect(() => verifyClaimOnDevice(byBob.json, installed)).toThrow(UnauthorizedSignerError);
    const unsigned = createEnvelope(encodeTaggedBytes('MessageClaim', claim.claim));
    expect(() => verifyClaimOnDevice(envelopeToJson(unsigned), installed)).toThrow(UnsignedEnvelopeError);
    const asBob = sealObject('MessageClaim', { ...claim.claim, Sender: 'bob@example.net' }, { signer: w.alice.admin });
    expect(() => verifyClaimOnDevice(asBob.json, installed)).toThrow(AccountMismatchError);
  });

  it('an expired claim is refused when the checker passes its clock', () => {
    const { w, pre, published, installed } = factory();
    const expires = new Date(w.now.getTime() + 60_000);
    const claim = createMessageClaim({
      claimantProfile: w.alice.profile,
      adminKey: w.alice.admin,
      connectUri: pre.connectUri,
      random: w.random,
      expires,
    });
    expect(verifyClaimOnService(claim.json, published.publication, w.now).messageId).toBe(claim.messageId);
    expect(() => verifyClaimOnService(claim.json, published.publication, expires)).toThrow(ExpiredMessageError);
    expect(() => verifyClaimOnDevice(claim.json, installed, expires)).toThrow(ExpiredMessageError);
  });

  it('a publication that the ConnectUri does not name is refused', () => {
    const { w, pre } = factory();
    const other = createPublication({
      deviceSeed: seedOf('MeshProfileDevice', w.random),
      makerAccount: MAKER,
      random: w.random,
    });
    expect(() => openPublication(other.publication, pre.connectUri)).toThrow(PublicationMismatchError);
  });
});

describe('DevicePreconfiguration', () => {
  it('carries the seed, the profile and the ConnectUri; the public form omits the seed', () => {
    const { w, pre, installed } = factory();
    expect(pre.publicForm).not.toHaveProperty('PrivateKey');
    expect(JSON.stringify(pre.publicForm)).not.toContain(w.deviceSeed);
    expect(installed.profile.udf).toBe(pre.deviceUdf);
    expect(installed.makerAccount).toBe(MAKER);
    expect(verifyDevicePreconfiguration({ DevicePreconfiguration: roundTrip(pre.preconfiguration) }).deviceSeed).toBe(
      installed.deviceSeed,
    );
  });

  it('refuses a wrong seed, a tampered profile, a foreign profile, a wrong ConnectUri, and a missing field', () => {
    const { w, pre } = factory();
    const wrongSeed = {
      ...pre.preconfiguration,
      PrivateKey: {
        PrivateKeyUDF: { PrivateValue: seedOf('MeshProfileDevice', w.random), KeyType: 'MeshProfileDevice' },
      },
    };
    expect(() => verifyDevicePreconfiguration(wrongSeed)).toThrow(PreconfigurationMismatchError);
    const accountSeed = {
      ...pre.preconfiguration,
      PrivateKey: {
        PrivateKeyUDF: { PrivateValue: seedOf('MeshProfileAccount', w.random), KeyType: 'MeshProfileDevice' },
      },
    };
    expect(() => verifyDevicePreconfiguration(accountSeed)).toThrow(PreconfigurationMismatchError);

    const profile = createProfileDevice(w.deviceSeed);
    const altered = {
      ...profile.envelope,
      payload: encodeTaggedBytes('ProfileDevice', { ...profile.profile, Description: 'evil' }),
    };
    const tampered = { ...pre.preconfiguration, EnvelopedProfileDevice: envelopeToJson(altered) };
    expect(() => verifyDevicePreconfiguration(tampered)).toThrow(PreconfigurationMismatchError);
    try {
      verifyDevicePreconfiguration(tampered);
    } catch (e) {
      expect((e as Error).message).toContain('EnvelopedProfileDevice');
      expect((e as Error & { cause: unknown }).cause).toBeInstanceOf(UnauthorizedSignerError);
    }
    const foreign = {
      ...pre.preconfiguration,
      EnvelopedProfileDevice: createProfileDevice(seedOf('MeshProfileDevice', w.random)).json,
    };
    expect(() => verifyDevicePreconfiguration(foreign)).toThrow(/PrivateKey/);

    const otherMaker = { ...pre.preconfiguration, ConnectUri: staticConnectUri(w.deviceSeed, 'other@example.com') };
    expect(() =>
      verifyDevicePreconfiguration({ ...otherMaker, ConnectUri: otherMaker.ConnectUri.replace('other@', 'maker@') }),
    ).toThrow(PreconfigurationMismatchError);
    const otherDevice = {
      ...pre.preconfiguration,
      ConnectUri: staticConnectUri(seedOf('MeshProfileDevice', w.random), MAKER),
    };
    expect(() => verifyDevicePreconfiguration(otherDevice)).toThrow(/ConnectUri/);

    const { ConnectUri: _dropped, ...missing } = pre.preconfiguration;
    expect(() => verifyDevicePreconfiguration(missing)).toThrow(SchemaError);
  });
});
