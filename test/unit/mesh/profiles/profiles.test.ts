/**
 * @module test/unit/mesh/profiles/profiles.test
 * Device, account and service profiles (docs/mesh-compatibility.md §2.1, §4.1, §5): deterministic for a
 * seed, self-signed with EnvelopeId = UDF, and refused when any key, signature or label
 * does not agree with the rest.
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../../../src/crypto/bytes.js';
import { InvalidArgumentError, InvalidKeyError } from '../../../../src/crypto/errors.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { createEnvelope } from '../../../../src/mesh/dare/create-envelope.js';
import { envelopeToJson } from '../../../../src/mesh/dare/envelope.js';
import { deriveKeyPair } from '../../../../src/mesh/keys/derive-key.js';
import { keyDataOf } from '../../../../src/mesh/keys/key-data.js';
import { encodeTaggedBytes } from '../../../../src/mesh/objects/registry.js';
import {
  accountKeyPairs,
  createProfileAccount,
  verifyProfileAccount,
} from '../../../../src/mesh/profiles/profile-account.js';
import {
  createProfileDevice,
  deviceBaseKeyPairs,
  verifyProfileDevice,
} from '../../../../src/mesh/profiles/profile-device.js';
import {
  ProfileMismatchError,
  UnauthorizedSignerError,
  UnsignedEnvelopeError,
} from '../../../../src/mesh/profiles/profile-errors.js';
import {
  createProfileService,
  serviceKeyPairs,
  verifyProfileService,
} from '../../../../src/mesh/profiles/profile-service.js';
import { sealObject, signerOf } from '../../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../../src/mesh/udf/derived-key-seed.js';
import { keyFingerprint } from '../../../../src/mesh/udf/key-fingerprint.js';

const random = seededRandom(3);
const deviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random);
const accountSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, random);
const serviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileService, random);
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** docs/mesh-compatibility.md §10 T11: the published production seed and its ProfileSignature UDF. */
const T11_SEED = 'ZAAQ-AO3M-SYLX-X7ET-MZHC-BURC-V2OE-ZWUX-ZWPF-KAL4-6C3G-6IPV-2D76-MT4N';

describe('ProfileDevice', () => {
  it('reproduces the published T11 key UDFs and uses them as profile UDF and EnvelopeId', () => {
    const created = createProfileDevice(T11_SEED);
    expect(created.udf).toBe('MC6H-2IFS-4OXA-U2YQ-QZ6Y-RZWX-JC3Q');
    expect(created.profile.Encryption.Udf).toBe('MANW-A7ZE-RUCN-GL2B-7TKX-V2UF-KTG2');
    expect(created.profile.Signature.Udf).toBe('MBUQ-HUMZ-HZOR-EAAA-DDBH-UMG5-T36K');
    expect(created.profile.Authentication.Udf).toBe('MA6J-3TFO-COXV-TPNF-COAF-DLZO-L7OZ');
    expect(created.envelope.header.envelopeId).toBe(created.udf);
    expect(created.envelope.trailer?.signatures?.[0]?.kid).toBe(created.udf);
  });

  it('is byte-for-byte deterministic for a seed, and differs between seeds', () => {
    const a = createProfileDevice(deviceSeed, { description: 'thermostat' });
    const b = createProfileDevice(deviceSeed, { description: 'thermostat' });
    expect(JSON.stringify(a.json)).toBe(JSON.stringify(b.json));
    expect(createProfileDevice(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random)).udf).not.toBe(a.udf);
  });

  it('verifies from JSON and returns the four base public keys', () => {
    const created = createProfileDevice(deviceSeed, { description: 'thermostat' });
    const verified = verifyProfileDevice(roundTrip(created.json));
    const keys = deviceBaseKeyPairs(deviceSeed);
    expect(verified.udf).toBe(created.udf);
    expect(verified.profile.Description).toBe('thermostat');
    for (const slot of ['profileSignature', 'encryption', 'signature', 'authentication'] as const) {
      expect(equalBytes(verified.keys[slot].publicKey, keys[slot].publicKey)).toBe(true);
    }
    expect(verified.keys.encryption.alg).toBe('X448');
    expect(verified.keys.signature.alg).toBe('Ed448');
  });

  it('refuses an unsigned profile, one signed by another key, one altered after signing', () => {
    const created = createProfileDevice(deviceSeed);
    expect(() => verifyProfileDevice(createEnvelope(created.envelope.payload, { envelopeId: created.udf }))).toThrow(
      UnsignedEnvelopeError,
    );
    const other = deviceBaseKeyPairs(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random));
    const foreign = sealObject('ProfileDevice', created.profile, {
      envelopeId: created.udf,
      signer: signerOf(other.profileSignature),
    });
    expect(() => verifyProfileDevice(foreign.json)).toThrow(UnauthorizedSignerError);
    const altered = {
      ...created.envelope,
      payload: encodeTaggedBytes('ProfileDevice', { ...created.profile, Description: 'x' }),
    };
    expect(() => verifyProfileDevice(altered)).toThrow(UnauthorizedSignerError);
  });

  it('refuses a KeyData whose Udf is not its key, a key of the wrong kind, and a relabelled EnvelopeId', () => {
    const keys = deviceBaseKeyPairs(deviceSeed);
    const created = createProfileDevice(deviceSeed, { keys });
    const signer = signerOf(keys.profileSignature);
    const wrongUdf = {
      ...created.profile,
      Signature: { ...created.profile.Signature, Udf: created.profile.Encryption.Udf },
    };
    expect(() => verifyProfileDevice(sealObject('ProfileDevice', wrongUdf, { signer }).json)).toThrow(InvalidKeyError);
    const wrongKind = { ...created.profile, Encryption: keyDataOf(keys.signature) };
    expect(() => verifyProfileDevice(sealObject('ProfileDevice', wrongKind, { signer }).json)).toThrow(
      /Encryption.*X448/,
    );
    const relabelled = sealObject('ProfileDevice', created.profile, {
      signer,
      envelopeId: created.profile.Encryption.Udf,
    });
    expect(() => verifyProfileDevice(relabelled.json)).toThrow(ProfileMismatchError);
    expect(() => verifyProfileDevice(envelopeToJson(created.envelope).slice(0, 1) as never)).toThrow(/ProfileDevice/);
  });

  it('takes only MeshProfileDevice seeds', () => {
    expect(() => createProfileDevice(accountSeed)).toThrow(InvalidArgumentError);
    expect(() => createProfileDevice(accountSeed)).toThrow(/"deviceSeed" expected a MeshProfileDevice seed/);
  });

  it('takes well under the 30 ms budget per device (loosely asserted: CI is noisy)', () => {
    createProfileDevice(deviceSeed);
    const count = 20;
    const start = performance.now();
    for (let i = 0; i < count; i++) createProfileDevice(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random));
    const perDevice = (performance.now() - start) / count;
    console.log(`createProfileDevice: ${perDevice.toFixed(1)} ms per device`);
    expect(perDevice).toBeLessThan(200);
  });
});

describe('ProfileAccount', () => {
  it('names the CompleteAccount keys, is deterministic, and verifies', () => {
    const created = createProfileAccount(accountSeed, {
      accountAddress: 'alice@example.com',
      serviceUdf: 'MJ3I-VCHH-ZGOC-UEGJ-EKUA-OD7R-B2L5',
    });
    const again = createProfileAccount(accountSeed, {
      accountAddress: 'alice@example.com',
      serviceUdf: 'MJ3I-VCHH-ZGOC-UEGJ-EKUA-OD7R-B2L5',
    });
    expect(JSON.stringify(again.json)).toBe(JSON.stringify(created.json));
    expect(created.profile.AdministratorSignature.Udf).toBe(
      keyFingerprint(deriveKeyPair(accountSeed, 'CompleteAccountAdminSign')),
    );
    expect(created.profile.AccountEncryption.Udf).toBe(
      keyFingerprint(deriveKeyPair(accountSeed, 'CompleteAccountEncrypt')),
    );
    expect(created.profile.AccountAuthentication.Udf).toBe(
      keyFingerprint(deriveKeyPair(accountSeed, 'CompleteAccountAuthenticate')),
    );
    expect(created.profile.AccountSignature.Udf).toBe(
      keyFingerprint(deriveKeyPair(accountSeed, 'CompleteAccountSign')),
    );
    expect(created.udf).toBe(keyFingerprint(deriveKeyPair(accountSeed, 'CompleteAccountProfile')));
    const verified = verifyProfileAccount(roundTrip(created.json));
    expect(verified.accountAddress).toBe('alice@example.com');
    expect(verified.profile.ServiceUdf).toBe('MJ3I-VCHH-ZGOC-UEGJ-EKUA-OD7R-B2L5');
    expect(
      equalBytes(
        verified.keys.administratorSignature.publicKey,
        accountKeyPairs(accountSeed).administratorSignature.publicKey,
      ),
    ).toBe(true);
    expect(verified.keys.accountAuthentication?.alg).toBe('X448');
  });

  it('works without a ServiceUdf, and reads a bare ProfileAccount tag', () => {
    const keys = accountKeyPairs(accountSeed);
    const created = createProfileAccount(accountSeed, { accountAddress: 'alice@example.com', keys });
    expect(created.profile.ServiceUdf).toBeUndefined();
    const { AccountAuthentication: _a, AccountSignature: _s, ...bare } = created.profile;
    const asAccount = sealObject('ProfileAccount', bare, {
      envelopeId: created.udf,
      signer: signerOf(keys.profileSignature),
    });
    const verified = verifyProfileAccount(asAccount.json);
    expect(verified.keys.accountSignature).toBeUndefined();
  });

  it('refuses a profile signed by its admin key instead of its profile key, and a bad address', () => {
    const keys = accountKeyPairs(accountSeed);
    const created = createProfileAccount(accountSeed, { accountAddress: 'alice@example.com', keys });
    const byAdmin = sealObject('ProfileUser', created.profile, {
      envelopeId: created.udf,
      signer: signerOf(keys.administratorSignature),
    });
    expect(() => verifyProfileAccount(byAdmin.json)).toThrow(UnauthorizedSignerError);
    expect(() => createProfileAccount(accountSeed, { accountAddress: 'alice' })).toThrow(/"accountAddress"/);
    expect(() => createProfileAccount(deviceSeed, { accountAddress: 'alice@example.com' })).toThrow(
      /MeshProfileAccount/,
    );
  });
});

describe('ProfileService', () => {
  it('is self-signed and exposes the ServiceSignature key', () => {
    const keys = serviceKeyPairs(serviceSeed);
    const created = createProfileService(serviceSeed, { keys, description: 'example.com' });
    const verified = verifyProfileService(roundTrip(created.json));
    expect(verified.udf).toBe(created.udf);
    expect(equalBytes(verified.keys.serviceSignature.publicKey, keys.serviceSignature.publicKey)).toBe(true);
    expect(verified.keys.serviceEncryption?.alg).toBe('X448');
    expect(() => createProfileService(deviceSeed)).toThrow(/MeshProfileService/);
  });
});
