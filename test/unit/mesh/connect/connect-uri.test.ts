/**
 * @module test/unit/mesh/connect/connect-uri
 * The strict mcu:// parser and builder (docs/mesh-compatibility.md §1.5): accepted forms, every
 * rejected form with the part named, and a build → parse round trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../src/crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { checkAccountAddress, connectUri, parseConnectUri } from '../../../../src/mesh/connect/connect-uri.js';
import { authenticationKeyUdf, encryptionKeyUdf } from '../../../../src/mesh/udf/symmetric-key.js';

const PIN_URI = 'mcu://alice@example.com/AAJP-KPYV-NSB4-GIYL-AM';

describe('parseConnectUri', () => {
  it('dynamic QR: a PIN', () => {
    const p = parseConnectUri(PIN_URI);
    expect(p.account).toBe('alice@example.com');
    expect(p.kind).toBe('Pin');
    expect(p.key).toBe('AAJP-KPYV-NSB4-GIYL-AM');
    expect(p.keyBytes).toHaveLength(10);
  });

  it('accepts a lower-case key and scheme, returning the canonical key', () => {
    const p = parseConnectUri('MCU://alice@example.com/aajpkpyvnsb4giylam');
    expect(p.key).toBe('AAJP-KPYV-NSB4-GIYL-AM');
  });

  const bad: [string, RegExp][] = [
    ['', /"uri" expected an mcu:\/\/ URI string, got an empty string/],
    ['alice@example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" has no scheme/],
    ['https://alice@example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" scheme expected "mcu", got "https"/],
    ['mcu:alice@example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" expected "\/\/" after "mcu:"/],
    ['mcu://example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" account expected user@domain, expected exactly one "@"/],
    ['mcu://a@b@example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" account expected user@domain, expected exactly one "@"/],
    ['mcu://@example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" account expected user@domain, has an invalid user part/],
    ['mcu://alice@/AAJP-KPYV-NSB4-GIYL-AM', /"uri" account expected user@domain, has an invalid domain/],
    ['mcu://alice@exa_mple.com/AAJP-KPYV-NSB4-GIYL-AM', /has an invalid domain/],
    ['mcu://alice@example..com/AAJP-KPYV-NSB4-GIYL-AM', /has an invalid domain/],
    ['mcu://alice@example.com:443/AAJP-KPYV-NSB4-GIYL-AM', /"uri" account must not carry a port/],
    ['mcu://alice@example.com', /"uri" has no key path/],
    ['mcu://alice@example.com/', /"uri" key is empty/],
    ['mcu://alice@example.com/AAJP/KPYV', /"uri" key expected a single path segment/],
    ['mcu://alice@example.com/AAJP-KPYV-NSB4-GIYL-AM?x=1', /"uri" must not have a query or fragment/],
    ['mcu://alice@example.com/AAJP-KPYV-NSB4-GIYL-AM#f', /"uri" must not have a query or fragment/],
    ['mcu://alice@example.com/AAJP-KPYV-NSB4-GIYL-A0', /"uri key" has a character that is not Base32/],
    [
      'mcu://alice@example.com/MDDK-7N6A-727A-JZNO-STRX',
      /"uri key" expected an encryption key \(type 0x20, 'E…'\) or a PIN \(type 0x00, 'A…'\), got type 0x60/,
    ],
    ['mcu://alice@example.com/AAJP-KPYV-NS', /"uri key" expected at least 8 key bytes, got 5/],
    ['mcu://alice@example.com/A', /"uri key" is too short/],
    [' mcu://alice@example.com/AAJP-KPYV-NSB4-GIYL-AM', /"uri" must not contain white space/],
    ['mcu://alice@example.com/AAJP KPYV-NSB4-GIYL-AM', /"uri" must not contain white space/],
  ];
  for (const [uri, re] of bad) {
    it(`rejects ${JSON.stringify(uri)}`, () => {
      expect(() => parseConnectUri(uri)).toThrow(InvalidEncodingError);
      expect(() => parseConnectUri(uri)).toThrow(re);
    });
  }

  it('rejects non-strings', () => {
    expect(() => parseConnectUri(42 as unknown as string)).toThrow(/"uri" expected an mcu:\/\/ URI string, got number/);
  });
});

describe('connectUri', () => {
  it('builds mcu://account/KEY after checking both', () => {
    expect(connectUri('alice@example.com', 'AAJP-KPYV-NSB4-GIYL-AM')).toBe(PIN_URI);
    expect(() => connectUri('alice', 'AAJP-KPYV-NSB4-GIYL-AM')).toThrow(InvalidArgumentError);
    expect(() => connectUri('alice', 'AAJP-KPYV-NSB4-GIYL-AM')).toThrow(/"account" expected user@domain/);
    expect(() => connectUri('alice@example.com', 'MDDK-7N6A-727A-JZNO-STRX')).toThrow(InvalidArgumentError);
    expect(() => connectUri('alice@example.com', 'MDDK-7N6A-727A-JZNO-STRX')).toThrow(
      /"key" expected an encryption key/,
    );
    expect(() => checkAccountAddress(7 as unknown as string, 'publisher')).toThrow(
      /"publisher" expected an account address string/,
    );
  });

  it('build → parse round trip for E keys and A PINs', () => {
    const user = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/).filter((u) => !u.includes('..') && !u.endsWith('.'));
    const domain = fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,3}$/);
    fc.assert(
      fc.property(user, domain, fc.uint8Array({ minLength: 8, maxLength: 40 }), fc.boolean(), (u, d, bytes, pin) => {
        const account = `${u}@${d}`;
        const key = pin ? authenticationKeyUdf(bytes) : encryptionKeyUdf(bytes);
        const parsed = parseConnectUri(connectUri(account, key));
        expect(parsed.account).toBe(account);
        expect(parsed.key).toBe(key);
        expect(parsed.kind).toBe(pin ? 'Pin' : 'ConnectKey');
        expect(toHex(parsed.keyBytes)).toBe(toHex(bytes));
      }),
    );
  });
});
