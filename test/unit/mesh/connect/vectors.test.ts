/**
 * @module test/unit/mesh/connect/vectors
 * Published connection vectors of docs/mesh-compatibility.md §10 (T8, T11) from
 * test/vectors/connect/*.json, and the withheld ones (PinWitness, Witness, T12) by
 * recomputing the §6.1 formulas independently from sha512/hmac/hkdf calls.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concat, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import { hkdf, hmacSha512, sha512 } from '../../../../src/crypto/hash.js';
import type { KeyAlgorithm } from '../../../../src/crypto/key-pair.js';
import { base32Encode } from '../../../../src/mesh/encoding/base32.js';
import { base64urlDecode } from '../../../../src/mesh/encoding/base64url.js';
import { parseConnectUri } from '../../../../src/mesh/connect/connect-uri.js';
import { pinId, pinWitness, saltedPin, verifyPinWitness } from '../../../../src/mesh/connect/pin.js';
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
import {
  connectionWitness,
  connectionWitnessBytes,
  verifyConnectionWitness,
} from '../../../../src/mesh/connect/witness.js';
import { parseDerivedKeySeed } from '../../../../src/mesh/udf/derived-key-seed.js';
import { keyFingerprint, keyFingerprintBytes } from '../../../../src/mesh/udf/key-fingerprint.js';
import { symmetricKeyMac } from '../../../../src/mesh/udf/symmetric-mac.js';
import { dashed, parseUdf } from '../../../../src/mesh/udf/udf.js';

const dir = new URL('../../../vectors/connect/', import.meta.url);
// Vector files are untyped JSON; each test reads the fields it checks.
const load = (name: string): any => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

/** Independent 140-bit presentation of type ‖ mac, for checking without presentUdf. */
const present140 = (type: number, mac: Uint8Array): string =>
  dashed(base32Encode(concat(Uint8Array.of(type), mac), 140));

describe('vector files', () => {
  it('every file names its source', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(typeof load(f).source, f).toBe('string');
  });
});

describe('T8 PIN (schema-08 §6.3, protocol-09 MessagePin)', () => {
  const v = load('t8-pin.json');

  it('SaltedPin and production PinId', () => {
    expect(saltedPin(v.pin, v.action)).toBe(v.saltedPin);
    expect(saltedPin(v.pin)).toBe(v.saltedPin);
    expect(pinId(v.saltedPin, v.account)).toBe(v.pinId);
    expect(pinId(v.saltedPin, v.account.toUpperCase())).toBe(v.pinId);
  });

  it('the schema-08 value is the doc-generator bug: PinId keyed by the raw PIN', () => {
    expect(symmetricKeyMac(utf8(v.account), v.pin)).toBe(v.schema08DocBugPinId.value);
  });

  it('2022 SaltedPin', () => {
    expect(saltedPin(v.pin2022.pin, v.pin2022.action)).toBe(v.pin2022.saltedPin);
  });

  it('PinWitness (withheld): independent HMAC recomputation and verification', () => {
    const clientNonce = base64urlDecode(v.witnessInputs.clientNonce);
    const payloadDigest = base64urlDecode(v.witnessInputs.payloadDigest);
    expect(clientNonce).toHaveLength(16);
    expect(payloadDigest).toHaveLength(64);
    const input = { saltedPin: v.saltedPin, account: v.account, clientNonce, payloadDigest };
    const witness = pinWitness(input);
    const key = parseUdf(v.saltedPin).bds;
    expect(key).toHaveLength(16);
    const expected = hmacSha512(key, concat(utf8('alice@example.com'), clientNonce, payloadDigest));
    expect(toHex(witness)).toBe(toHex(expected));
    expect(verifyPinWitness(witness, input)).toBe(true);
    expect(verifyPinWitness(witness, { ...input, account: 'ALICE@example.com' })).toBe(true);
    expect(verifyPinWitness(witness, { ...input, account: 'bob@example.com' })).toBe(false);
    const other = witness.slice();
    other[63] = (other[63] as number) ^ 1;
    expect(verifyPinWitness(other, input)).toBe(false);
    expect(verifyPinWitness(witness.subarray(0, 32), input)).toBe(false);
  });
});

describe('T9 connection witness (protocol-09 Phase 2)', () => {
  const v = load('t9-witness-inputs.json');
  const key = (k: { alg: KeyAlgorithm; publicKey: string }) => ({
    alg: k.alg,
    publicKey: base64urlDecode(k.publicKey),
  });
  const input = {
    accountProfileSignature: key(v.accountProfileSignature),
    deviceProfileSignature: key(v.deviceProfileSignature),
    serverNonce: base64urlDecode(v.serverNonce),
    clientNonce: base64urlDecode(v.clientNonce),
  };

  it('the published fingerprints of both keys', () => {
    expect(keyFingerprint(input.accountProfileSignature)).toBe(v.accountProfileSignature.fingerprint);
    expect(keyFingerprint(input.deviceProfileSignature)).toBe(v.deviceProfileSignature.fingerprint);
  });

  it('Witness (withheld): independent recomputation of §6.1', () => {
    const a = keyFingerprintBytes(input.accountProfileSignature);
    const d = keyFingerprintBytes(input.deviceProfileSignature);
    expect(a).toHaveLength(64);
    expect(toHex(a.subarray(0, 17))).toBe(toHex(parseUdf(v.accountProfileSignature.fingerprint).binary));
    const w = sha512(concat(sha512(concat(a, input.serverNonce)), sha512(concat(d, input.clientNonce))));
    expect(toHex(connectionWitnessBytes(input))).toBe(toHex(w));
    const text = connectionWitness(input);
    expect(text).toBe(dashed(base32Encode(w).slice(0, 28)));
    expect(text).toMatch(/^([A-Z2-7]{4}-){6}[A-Z2-7]{4}$/);
    expect(verifyConnectionWitness(text, input)).toBe(true);
    expect(verifyConnectionWitness(text.toLowerCase().replace(/-/g, ' '), input)).toBe(true);
    expect(verifyConnectionWitness(text.slice(0, 24), input)).toBe(false);
    // Swapping the nonces or the keys must change the witness.
    expect(connectionWitness({ ...input, serverNonce: input.clientNonce, clientNonce: input.serverNonce })).not.toBe(
      text,
    );
    expect(
      connectionWitness({
        ...input,
        accountProfileSignature: input.deviceProfileSignature,
        deviceProfileSignature: input.accountProfileSignature,
      }),
    ).not.toBe(text);
  });
});

describe('T11 ConnectUri (schema-08 §9.2, 256 bits)', () => {
  const v = load('t11-connect-uri.json');
  it('seed parses to the published IKM', () => {
    const seed = parseDerivedKeySeed(v.seed);
    expect(seed.specifier).toBe(v.specifier);
    expect(toHex(seed.ikm)).toBe(v.ikmHex);
  });
  it('ConnectUri', () => {
    expect(staticConnectUri(v.seed, v.publisherAccount, v.bits)).toBe(v.connectUri);
    const parsed = parseConnectUri(v.connectUri);
    expect(parsed.account).toBe(v.publisherAccount);
    expect(parsed.kind).toBe('ConnectKey');
    expect(parsed.key).toBe(connectKey(v.seed, v.publisherAccount, v.bits));
    expect(parsed.keyBytes).toHaveLength(32);
  });
});

describe('T12 static QR (withheld values: self-consistency and independent recomputation)', () => {
  const v = load('t12-static-qr-inputs.json');
  const key = connectKey(v.seed, v.publisherAccount, v.bits);

  it('ConnectKey is HKDF-SHA512 over the dashed seed string, 120 bits = 26 characters', () => {
    const okm = hkdf('sha512', utf8(v.seed), undefined, utf8(v.publisherAccount), 15);
    expect(key).toBe(dashed(base32Encode(concat(Uint8Array.of(0x20), okm))));
    expect(key.replace(/-/g, '')).toHaveLength(26);
    expect(key.startsWith('E')).toBe(true);
    expect(staticConnectUri(v.seed, v.publisherAccount, v.bits)).toBe(`mcu://maker@example.com/${key}`);
    // Case and spacing of the seed do not matter: the canonical string is hashed.
    expect(connectKey(v.seed.toLowerCase(), v.publisherAccount, v.bits)).toBe(key);
  });

  it('PublicationId = SymetricKeyId(BDS(ConnectKey)) starts "EBQ"', () => {
    const id = publicationId(key);
    expect(id.startsWith('EBQ')).toBe(true);
    expect(id.replace(/-/g, '')).toHaveLength(28);
    const t = sha512(concat(utf8('UDFEncryption:'), parseUdf(key).bds));
    expect(t[63]).not.toBe(0); // so the inner type byte is 0x60 (uncompressed)
    expect(id).toBe(dashed(base32Encode(concat(Uint8Array.of(0x20, 0x60), t), 140)));
  });

  it('Service/DeviceAuthenticator are HKDF-SHA512 of the key bytes', () => {
    const ikm = parseUdf(key).bds;
    const svc = hkdf('sha512', ikm, undefined, utf8('mmm/key/authenticate/service'), 32);
    const dev = hkdf('sha512', ikm, undefined, utf8('mmm/key/authenticate/device'), 32);
    expect(serviceAuthenticator(key)).toBe(dashed(base32Encode(concat(Uint8Array.of(0x20), svc))));
    expect(deviceAuthenticator(key)).toBe(dashed(base32Encode(concat(Uint8Array.of(0x20), dev))));
    expect(serviceAuthenticator(key)).not.toBe(deviceAuthenticator(key));
  });

  it('claim values recompute and verify at 125 (service) and 100 (device) bits', () => {
    const sa = serviceAuthenticate(v.claimant, key);
    const da = deviceAuthenticate(v.claimant, key);
    const svcKey = parseUdf(serviceAuthenticator(key)).bds;
    const devKey = parseUdf(deviceAuthenticator(key)).bds;
    expect(sa).toBe(present140(0x00, hmacSha512(svcKey, utf8(v.claimant))));
    expect(da).toBe(present140(0x00, hmacSha512(devKey, utf8(v.claimant))));
    expect(verifyServiceAuthenticate(sa, v.claimant, serviceAuthenticator(key))).toBe(true);
    expect(verifyServiceAuthenticate(sa, v.claimant, serviceAuthenticator(key), 128)).toBe(true);
    expect(verifyDeviceAuthenticate(da, v.claimant, deviceAuthenticator(key))).toBe(true);
    const authenticators = {
      serviceAuthenticator: serviceAuthenticator(key),
      deviceAuthenticator: deviceAuthenticator(key),
    };
    expect(
      claimAuthenticatorsValid(
        { claimant: v.claimant, serviceAuthenticate: sa, deviceAuthenticate: da },
        authenticators,
      ),
    ).toBe(true);
  });

  it('a different claimant, swapped values or another key fail', () => {
    const sa = serviceAuthenticate(v.claimant, key);
    const da = deviceAuthenticate(v.claimant, key);
    expect(verifyServiceAuthenticate(sa, 'mallory@example.com', serviceAuthenticator(key))).toBe(false);
    expect(verifyDeviceAuthenticate(da, 'mallory@example.com', deviceAuthenticator(key))).toBe(false);
    expect(verifyServiceAuthenticate(da, v.claimant, serviceAuthenticator(key))).toBe(false);
    expect(verifyDeviceAuthenticate(sa, v.claimant, deviceAuthenticator(key))).toBe(false);
    const otherKey = connectKey(v.seed, 'other@example.com', v.bits);
    expect(verifyServiceAuthenticate(sa, v.claimant, serviceAuthenticator(otherKey))).toBe(false);
    const authenticators = {
      serviceAuthenticator: serviceAuthenticator(key),
      deviceAuthenticator: deviceAuthenticator(key),
    };
    expect(
      claimAuthenticatorsValid(
        { claimant: 'mallory@example.com', serviceAuthenticate: sa, deviceAuthenticate: da },
        authenticators,
      ),
    ).toBe(false);
    expect(
      claimAuthenticatorsValid(
        { claimant: v.claimant, serviceAuthenticate: sa, deviceAuthenticate: sa },
        authenticators,
      ),
    ).toBe(false);
  });

  it('precision: a value truncated below the threshold fails, one above passes', () => {
    const sa = serviceAuthenticate(v.claimant, key); // 28 chars = 16-byte BDS = 128 bits
    const svc = serviceAuthenticator(key);
    // 26 characters = 130 bits -> 16 bytes = type + 15-byte BDS = 120 bits < 125.
    expect(verifyServiceAuthenticate(sa.replace(/-/g, '').slice(0, 26), v.claimant, svc)).toBe(false);
    // ... but enough for the device's 100-bit check.
    expect(
      verifyDeviceAuthenticate(
        deviceAuthenticate(v.claimant, key).replace(/-/g, '').slice(0, 26),
        v.claimant,
        deviceAuthenticator(key),
      ),
    ).toBe(true);
  });
});
