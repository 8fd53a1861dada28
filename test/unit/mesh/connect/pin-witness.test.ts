/**
 * @module test/unit/mesh/connect/pin-witness
 * New PINs, SaltedPin/PinId/PinWitness argument checks and properties, and the
 * connection witness checks (docs/mesh-compatibility.md §6.1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import { InvalidArgumentError, InvalidEncodingError, InvalidKeyError } from '../../../../src/crypto/errors.js';
import { hmacSha512 } from '../../../../src/crypto/hash.js';
import { PUBLIC_KEY_LENGTH, type KeyAlgorithm } from '../../../../src/crypto/key-pair.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { PinAction, newPin, pinId, pinWitness, saltedPin, verifyPinWitness } from '../../../../src/mesh/connect/pin.js';
import { connectionWitness, verifyConnectionWitness } from '../../../../src/mesh/connect/witness.js';
import { symmetricKeyMac } from '../../../../src/mesh/udf/symmetric-mac.js';
import { parseUdf } from '../../../../src/mesh/udf/udf.js';

describe('PIN values', () => {
  it('new PINs: 26 characters by default, A type, from the injected random', () => {
    const pin = newPin(seededRandom(9));
    expect(pin.replace(/-/g, '')).toHaveLength(26);
    expect(parseUdf(pin).type).toBe(0);
    expect(toHex(parseUdf(pin).bds)).toBe(toHex(seededRandom(9)(15)));
    expect(newPin(seededRandom(9), 80).replace(/-/g, '')).toHaveLength(18);
  });

  it('SaltedPin / PinId / PinWitness chain for any PIN, account and nonce', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.stringMatching(/^[a-zA-Z0-9]{1,10}@[a-zA-Z0-9]{1,10}\.com$/),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (seed, account, clientNonce, payloadDigest) => {
          const pin = newPin(seededRandom(seed));
          const salted = saltedPin(pin);
          expect(salted).toBe(symmetricKeyMac(utf8('Device'), pin));
          expect(salted.replace(/-/g, '')).toHaveLength(28);
          expect(saltedPin(pin, PinAction.Contact)).not.toBe(salted);
          expect(pinId(salted, account)).toBe(symmetricKeyMac(utf8(account.toLowerCase()), salted));
          const input = { saltedPin: salted, account, clientNonce, payloadDigest };
          const w = pinWitness(input);
          expect(toHex(w)).toBe(
            toHex(hmacSha512(parseUdf(salted).bds, concat(utf8(account.toLowerCase()), clientNonce, payloadDigest))),
          );
          expect(verifyPinWitness(w, input)).toBe(true);
          const nonce2 = clientNonce.slice();
          nonce2[0] = (nonce2[0] as number) ^ 1;
          expect(verifyPinWitness(w, { ...input, clientNonce: nonce2 })).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('bad inputs throw typed errors naming the field', () => {
    const salted = saltedPin('AAJP-KPYV-NSB4-GIYL-AM');
    expect(() => saltedPin('MDDK-7N6A-727A-JZNO-STRX')).toThrow(InvalidEncodingError);
    expect(() => saltedPin('MDDK-7N6A-727A-JZNO-STRX')).toThrow(
      /"pin" expected an authenticator or encryption key UDF/,
    );
    expect(() => saltedPin('AAJP-KPY!')).toThrow(/"pin" has a character that is not Base32/);
    expect(() => saltedPin('AAJP-KPYV-NSB4-GIYL-AM', '')).toThrow(InvalidArgumentError);
    expect(() => saltedPin('AAJP-KPYV-NSB4-GIYL-AM', '')).toThrow(/"action"/);
    expect(() => pinId('NBF4-4PTH-UTSC-RYHZ', 'alice@example.com')).toThrow(/"saltedPin"/);
    expect(() => pinId(salted, 'alice')).toThrow(InvalidArgumentError);
    expect(() => pinId(salted, 'alice')).toThrow(/"account" expected user@domain/);
    const ok = {
      saltedPin: salted,
      account: 'alice@example.com',
      clientNonce: new Uint8Array(16),
      payloadDigest: new Uint8Array(64),
    };
    expect(() => pinWitness({ ...ok, clientNonce: new Uint8Array(15) })).toThrow(
      /"clientNonce" expected Uint8Array of length 16/,
    );
    expect(() => pinWitness({ ...ok, payloadDigest: new Uint8Array(32) })).toThrow(
      /"payloadDigest" expected Uint8Array of length 64/,
    );
    // The reference's UDF.PinWitness insists on an 'A' (type 0x00) SaltedPin.
    expect(() => pinWitness({ ...ok, saltedPin: 'EAJP-KPYV-NSB4-GIYL-AM' })).toThrow(InvalidEncodingError);
    expect(() => pinWitness({ ...ok, saltedPin: 'EAJP-KPYV-NSB4-GIYL-AM' })).toThrow(
      /"saltedPin" expected a SaltedPin \(type 0x00\)/,
    );
    expect(verifyPinWitness('x' as unknown as Uint8Array, ok)).toBe(false);
  });
});

const algs: KeyAlgorithm[] = ['Ed448', 'X448', 'Ed25519', 'X25519'];
const arbKey = fc
  .constantFrom(...algs)
  .chain((alg) =>
    fc
      .uint8Array({ minLength: PUBLIC_KEY_LENGTH[alg], maxLength: PUBLIC_KEY_LENGTH[alg] })
      .map((publicKey) => ({ alg, publicKey })),
  );
const arbNonce = fc.uint8Array({ minLength: 16, maxLength: 16 });

describe('connection witness', () => {
  it('is 28 dashed characters, verifies, and changes with any input', () => {
    fc.assert(
      fc.property(arbKey, arbKey, arbNonce, arbNonce, (account, device, serverNonce, clientNonce) => {
        const input = { accountProfileSignature: account, deviceProfileSignature: device, serverNonce, clientNonce };
        const w = connectionWitness(input);
        expect(w).toMatch(/^([A-Z2-7]{4}-){6}[A-Z2-7]{4}$/);
        expect(verifyConnectionWitness(w, input)).toBe(true);
        const other = clientNonce.slice();
        other[15] = (other[15] as number) ^ 0x80;
        expect(verifyConnectionWitness(w, { ...input, clientNonce: other })).toBe(false);
        expect(verifyConnectionWitness('garbage!', input)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('bad keys and nonces name the field', () => {
    const key = { alg: 'Ed448' as const, publicKey: new Uint8Array(57) };
    const input = {
      accountProfileSignature: key,
      deviceProfileSignature: key,
      serverNonce: new Uint8Array(16),
      clientNonce: new Uint8Array(16),
    };
    expect(() =>
      connectionWitness({ ...input, accountProfileSignature: { alg: 'Ed448', publicKey: new Uint8Array(56) } }),
    ).toThrow(InvalidKeyError);
    expect(() =>
      connectionWitness({ ...input, accountProfileSignature: { alg: 'Ed448', publicKey: new Uint8Array(56) } }),
    ).toThrow(/"accountProfileSignature\.publicKey" expected 57 bytes for Ed448, got length=56/);
    expect(() =>
      connectionWitness({ ...input, deviceProfileSignature: { alg: 'X25519', publicKey: new Uint8Array(32) } }),
    ).toThrow(/"deviceProfileSignature\.publicKey" expected 33 bytes/);
    expect(() => connectionWitness({ ...input, serverNonce: new Uint8Array(8) })).toThrow(InvalidArgumentError);
    expect(() => connectionWitness({ ...input, serverNonce: new Uint8Array(8) })).toThrow(/"serverNonce"/);
    expect(() => connectionWitness({ ...input, clientNonce: new Uint8Array(17) })).toThrow(/"clientNonce"/);
  });
});
