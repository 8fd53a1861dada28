/**
 * @module test/unit/mesh/connect/static-qr
 * Static-QR chain properties for arbitrary seeds and accounts, and bad-input rejection
 * (docs/mesh-compatibility.md §6.1, §6.2 (b)).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { parseConnectUri } from '../../../../src/mesh/connect/connect-uri.js';
import {
  connectKey,
  deviceAuthenticate,
  deviceAuthenticator,
  publicationId,
  serviceAuthenticate,
  serviceAuthenticator,
  staticConnectUri,
  claimAuthenticatorsValid,
  verifyDeviceAuthenticate,
  verifyServiceAuthenticate,
} from '../../../../src/mesh/connect/static-qr.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../../src/mesh/udf/derived-key-seed.js';

const SEED = 'ZAAQ-AHCC-PWZG-EQXO-M4QM-OYWT-HDPG-DQ3D-HMIG-ABHP-LED2-KPAG-LOTB-QMJ7';

describe('static QR chain', () => {
  it('holds for any seed, publisher, claimant and key size', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom('maker@example.com', 'Factory@Devices.example.org'),
        fc.constantFrom('alice@example.com', 'bob@example.net'),
        fc.constantFrom(64, 120, 128, 256),
        (seed, publisher, claimant, bits) => {
          const deviceSeed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, seededRandom(seed));
          const key = connectKey(deviceSeed, publisher, bits);
          expect(key.replace(/-/g, '')).toHaveLength(Math.ceil((bits + 8) / 5));
          const uri = staticConnectUri(deviceSeed, publisher, bits);
          const parsed = parseConnectUri(uri);
          expect(parsed).toMatchObject({ account: publisher, key, kind: 'ConnectKey' });
          expect(publicationId(parsed.key)).toMatch(/^EBQ/);
          const sa = serviceAuthenticate(claimant, parsed.key);
          const da = deviceAuthenticate(claimant, parsed.key);
          expect(verifyServiceAuthenticate(sa, claimant, serviceAuthenticator(key))).toBe(true);
          expect(verifyDeviceAuthenticate(da, claimant, deviceAuthenticator(key))).toBe(true);
          expect(
            claimAuthenticatorsValid(
              { claimant, serviceAuthenticate: sa, deviceAuthenticate: da },
              { serviceAuthenticator: serviceAuthenticator(key), deviceAuthenticator: deviceAuthenticator(key) },
            ),
          ).toBe(true);
          expect(verifyServiceAuthenticate(sa, 'eve@example.com', serviceAuthenticator(key))).toBe(false);
          // The claimant is MACed as written (reference CatalogedPublication.Authenticate).
          expect(verifyServiceAuthenticate(sa, claimant.toUpperCase(), serviceAuthenticator(key))).toBe(false);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('ConnectKey depends on the publisher account', () => {
    expect(connectKey(SEED, 'maker@example.com')).not.toBe(connectKey(SEED, 'other@example.com'));
  });

  it('bad inputs throw typed errors naming the field', () => {
    expect(() => connectKey('AAJP-KPYV-NSB4-GIYL-AM', 'maker@example.com')).toThrow(InvalidEncodingError);
    expect(() => connectKey('AAJP-KPYV-NSB4-GIYL-AM', 'maker@example.com')).toThrow(
      /"deviceSeed" expected a derived-key seed UDF/,
    );
    expect(() => connectKey(SEED, 'maker')).toThrow(InvalidArgumentError);
    expect(() => connectKey(SEED, 'maker')).toThrow(/"publisherAccount" expected user@domain/);
    for (const bits of [0, 56, 121, 520]) {
      expect(() => connectKey(SEED, 'maker@example.com', bits)).toThrow(/"bits" expected a multiple of 8/);
    }
    expect(() => publicationId('AAJP-KPYV-NSB4-GIYL-AM')).toThrow(/"connectKey" expected an encryption key UDF/);
    expect(() => serviceAuthenticator('EAAA-AAA')).toThrow(/"connectKey" expected at least 8 key bytes/);
    expect(() => deviceAuthenticator('not-a-key!')).toThrow(/"connectKey" has a character that is not Base32/);
    const key = connectKey(SEED, 'maker@example.com');
    expect(() => serviceAuthenticate('alice', key)).toThrow(/"claimant" expected user@domain/);
    expect(() => verifyServiceAuthenticate('AAAA', 'alice@example.com', 'MDDK-7N6A-727A-JZNO-STRX')).toThrow(/"key"/);
    expect(verifyServiceAuthenticate('not a udf', 'alice@example.com', serviceAuthenticator(key))).toBe(false);
  });
});
