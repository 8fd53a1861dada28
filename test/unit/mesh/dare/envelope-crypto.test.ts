import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../../src/crypto/bytes.js';
import {
  DecryptionError,
  InvalidEncodingError,
  UnsupportedAlgorithmError,
  VerificationError,
} from '../../../../src/crypto/errors.js';
import type { KeyAlgorithm } from '../../../../src/crypto/key-pair.js';
import { generateKeyPair } from '../../../../src/crypto/keys.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { createEnvelope } from '../../../../src/mesh/dare/create-envelope.js';
import { decryptEnvelope, type DecryptOptions } from '../../../../src/mesh/dare/decrypt-envelope.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  parseEnvelope,
  type DareEnvelope,
} from '../../../../src/mesh/dare/envelope.js';
import type { DecryptionKey } from '../../../../src/mesh/dare/recipient.js';
import { addSignature, verifyEnvelope } from '../../../../src/mesh/dare/signature.js';

const random = seededRandom(20240501);
const plaintext = utf8('{"RespondConnection":{"MessageId":"NBF4-4PTH","Result":"Accept"}}');

function keys(alg: KeyAlgorithm, seed: number) {
  return generateKeyPair(alg, seededRandom(seed));
}

const admin = keys('Ed448', 1);
const adminSigner = { key: admin, kid: 'MADMIN' };
const adminCandidate = { publicKey: admin, kid: 'MADMIN' };
const device448 = keys('X448', 2);
const device25519 = keys('X25519', 3);
const earlKey = random(32);

const DECRYPTION_FAILED = 'decryption failed';

/** Runs `decrypt` and asserts the uniform failure: class, message, no cause, no data. */
function expectUniformFailure(run: () => unknown): void {
  let result: unknown;
  let caught: unknown;
  try {
    result = run();
  } catch (e) {
    caught = e;
  }
  expect(result).toBeUndefined();
  expect(caught).toBeInstanceOf(DecryptionError);
  expect((caught as DecryptionError).message).toBe(DECRYPTION_FAILED);
  expect((caught as DecryptionError).cause).toBeUndefined();
  expect((caught as DecryptionError).context).toEqual({});
}

describe('sign and verify', () => {
  it('signs the payload digest with S512 and reports the signer', () => {
    const envelope = createEnvelope(plaintext, { signers: [adminSigner], envelopeId: 'MENV' });
    expect(envelope.header).toEqual({ envelopeId: 'MENV', dig: 'S512' });
    expect(envelope.trailer?.signatures?.[0]).toMatchObject({ alg: 'S512', kid: 'MADMIN' });
    expect(envelope.trailer?.signatures?.[0]?.witness).toBeUndefined();
    expect(verifyEnvelope(envelope, [adminCandidate]).signer).toBe(adminCandidate);
  });

  it('finds the right signer among several keys and signatures, kid or not', () => {
    const other = keys('Ed25519', 4);
    const envelope = createEnvelope(plaintext, { signers: [{ key: other, kid: 'MOTHER' }, adminSigner] });
    // No kid given: every pairing is tried.
    const found = verifyEnvelope(envelope, [{ publicKey: keys('Ed448', 9) }, { publicKey: admin }]);
    expect(found.index).toBe(1);
    expect(found.signer.publicKey).toBe(admin);
    // A lying kid does not help a wrong key and does not hurt a right one.
    expect(() => verifyEnvelope(envelope, [{ publicKey: keys('Ed448', 9), kid: 'MADMIN' }])).toThrow(VerificationError);
    expect(verifyEnvelope(envelope, [{ publicKey: admin, kid: 'MOTHER' }]).index).toBe(1);
  });

  it('keeps signatures valid across JSON ↔ JSON-B, tagged or not', () => {
    const envelope = createEnvelope(plaintext, {
      signers: [adminSigner],
      recipients: [{ kind: 'ecdh', kid: 'MDEV', publicKey: device448 }],
      random,
    });
    for (const encoding of ['json', 'jsonb'] as const) {
      for (const tagged of [false, true]) {
        const back = decodeEnvelope(encodeEnvelope(envelope, encoding, { tagged }));
        expect(back).toEqual(envelope);
        expect(verifyEnvelope(back, [adminCandidate]).index).toBe(0);
        expect(decryptEnvelope(back, { kind: 'ecdh', keyPair: device448 }).plaintext).toEqual(plaintext);
      }
    }
  });

  it('rejects unsigned envelopes, wrong digests and altered payloads', () => {
    expect(() => verifyEnvelope(createEnvelope(plaintext), [adminCandidate])).toThrow('not signed');
    const envelope = createEnvelope(plaintext, { signers: [adminSigner] });
    const digest = Uint8Array.from(envelope.trailer!.payloadDigest!);
    digest[0]! ^= 1;
    expect(() =>
      verifyEnvelope({ ...envelope, trailer: { ...envelope.trailer, payloadDigest: digest } }, [adminCandidate]),
    ).toThrow('"trailer.PayloadDigest" does not match');
    // Without a declared digest the recomputed one is still what gets verified.
    const payload = Uint8Array.from(plaintext);
    payload[3]! ^= 0x20;
    const noDigest = { ...envelope, payload, trailer: { signatures: envelope.trailer!.signatures! } };
    expect(() => verifyEnvelope(noDigest, [adminCandidate])).toThrow(VerificationError);
  });

  it('counter-signs an encrypted envelope without its key', () => {
    const encrypted = createEnvelope(plaintext, {
      recipients: [{ kind: 'ecdh', kid: 'MDEV', publicKey: device448 }],
      random,
    });
    const signed = addSignature(encrypted, adminSigner);
    expect(verifyEnvelope(signed, [adminCandidate]).signature.witness).toBeUndefined();
    expect(signed.trailer?.payloadMac).toEqual(encrypted.trailer?.payloadMac);
    expect(decryptEnvelope(signed, { kind: 'ecdh', keyPair: device448 }, { signers: [adminCandidate] })).toMatchObject({
      plaintext,
      authenticatedBy: 'mac',
    });
  });
});

describe('encrypt and decrypt', () => {
  for (const device of [device448, device25519]) {
    it(`round-trips to an ECDH ${device.alg} recipient`, () => {
      const envelope = createEnvelope(plaintext, {
        recipients: [{ kind: 'ecdh', kid: 'MDEV', publicKey: device }],
        random,
      });
      expect(envelope.header.enc).toBe('A256CBC');
      expect(envelope.header.salt?.length).toBe(16);
      const entry = envelope.header.recipients?.[0];
      expect(entry?.epk?.crv).toBe(device.alg);
      expect(entry?.epk?.publicKey.length).toBe(device.publicKey.length);
      expect(entry?.wmk?.length).toBe(40);
      expect(envelope.payload.length % 16).toBe(0);
      expect(envelope.trailer?.payloadMac?.length).toBe(32);
      const result = decryptEnvelope(envelope, { kind: 'ecdh', keyPair: device, kid: 'MDEV' });
      expect(result).toEqual({ plaintext, authenticatedBy: 'mac' });
    });
  }

  it('round-trips to a symmetric (EARL) recipient whose kid is the PublicationId', () => {
    const envelope = createEnvelope(plaintext, {
      recipients: [{ kind: 'symmetric', kid: 'EBQB-PUBID', key: earlKey }],
      random,
    });
    expect(envelope.header.recipients).toEqual([{ kid: 'EBQB-PUBID', wmk: expect.any(Uint8Array) }]);
    expect(decryptEnvelope(envelope, { kind: 'symmetric', key: earlKey }).plaintext).toEqual(plaintext);
  });

  it('serves several recipients of mixed kinds, each with only its own key', () => {
    const envelope = createEnvelope(plaintext, {
      recipients: [
        { kind: 'ecdh', kid: 'MDEV448', publicKey: device448 },
        { kind: 'ecdh', kid: 'MDEV25519', publicKey: device25519 },
        { kind: 'symmetric', kid: 'EBQB-PUBID', key: earlKey },
      ],
      random,
    });
    expect(envelope.header.recipients).toHaveLength(3);
    const openers: DecryptionKey[] = [
      { kind: 'ecdh', keyPair: device448 },
      { kind: 'ecdh', keyPair: device25519, kid: 'MDEV25519' },
      { kind: 'symmetric', key: earlKey, kid: 'EBQB-PUBID' },
      // A wrong kid only reorders the search; the key still opens its entry.
      { kind: 'ecdh', keyPair: device448, kid: 'MDEV25519' },
    ];
    for (const key of openers) expect(decryptEnvelope(envelope, key).plaintext).toEqual(plaintext);
    expect(
      decryptEnvelope(envelope, [
        { kind: 'ecdh', keyPair: keys('X448', 77) },
        { kind: 'symmetric', key: earlKey },
      ]).plaintext,
    ).toEqual(plaintext);
    expectUniformFailure(() => decryptEnvelope(envelope, { kind: 'ecdh', keyPair: keys('X448', 77) }));
    expectUniformFailure(() => decryptEnvelope(envelope, { kind: 'symmetric', key: random(32) }));
  });

  it('encrypts then signs with a witness, and decrypts a signed-then-encrypted payload', () => {
    // The Mesh's RespondConnection/ActivationDevice: one envelope both signed and encrypted.
    const both = createEnvelope(plaintext, {
      signers: [adminSigner],
      recipients: [{ kind: 'ecdh', kid: 'MDEV', publicKey: device448 }],
      random,
    });
    expect(both.header.dig).toBe('S512');
    expect(both.trailer?.signatures?.[0]?.witness?.length).toBe(32);
    const result = decryptEnvelope(both, { kind: 'ecdh', keyPair: device448 }, { signers: [adminCandidate] });
    expect(result.plaintext).toEqual(plaintext);
    expect(result.signer?.signer).toBe(adminCandidate);

    // Nested: a signed envelope as the plaintext of an encrypted one.
    const inner = createEnvelope(plaintext, { signers: [adminSigner] });
    const outer = createEnvelope(encodeEnvelope(inner, 'jsonb', { tagged: true }), {
      recipients: [{ kind: 'symmetric', kid: 'EBQB-PUBID', key: earlKey }],
      random,
    });
    const opened = decodeEnvelope(decryptEnvelope(outer, { kind: 'symmetric', key: earlKey }).plaintext);
    expect(verifyEnvelope(opened, [adminCandidate]).index).toBe(0);
    expect(opened.payload).toEqual(plaintext);
  });

  it('handles reference-style envelopes (no PayloadMac) only with a witnessed signature or an opt-in', () => {
    const recipients = [{ kind: 'ecdh' as const, kid: 'MDEV', publicKey: device448 }];
    const unsigned = createEnvelope(plaintext, { recipients, random, integrity: 'reference' });
    expect(unsigned.trailer).toBeUndefined();
    const key: DecryptionKey = { kind: 'ecdh', keyPair: device448 };
    expectUniformFailure(() => decryptEnvelope(unsigned, key));
    expect(decryptEnvelope(unsigned, key, { allowUnauthenticated: true })).toEqual({
      plaintext,
      authenticatedBy: 'none',
    });

    const signed = createEnvelope(plaintext, { recipients, random, signers: [adminSigner], integrity: 'reference' });
    expect(signed.trailer?.payloadMac).toBeUndefined();
    expectUniformFailure(() => decryptEnvelope(signed, key));
    expect(decryptEnvelope(signed, key, { signers: [adminCandidate] }).authenticatedBy).toBe('signature');
    // A counter-signature has no witness, so it cannot stand in for the MAC.
    const counterSigned = addSignature(unsigned, adminSigner);
    expectUniformFailure(() => decryptEnvelope(counterSigned, key, { signers: [adminCandidate] }));
    // A signer the caller did not name does not count.
    expectUniformFailure(() => decryptEnvelope(signed, key, { signers: [{ publicKey: keys('Ed448', 5) }] }));
  });

  it('reports structural problems with typed errors naming the field', () => {
    const signedOnly = createEnvelope(plaintext, { signers: [adminSigner] });
    const key: DecryptionKey = { kind: 'symmetric', key: earlKey };
    expect(() => decryptEnvelope(signedOnly, key)).toThrow(InvalidEncodingError);
    expect(() => decryptEnvelope(signedOnly, key)).toThrow('"header.enc"');
    const encrypted = createEnvelope(plaintext, {
      recipients: [{ kind: 'symmetric', kid: 'E', key: earlKey }],
      random,
    });
    expect(() => decryptEnvelope({ ...encrypted, header: { ...encrypted.header, enc: 'A128GCM' } }, key)).toThrow(
      UnsupportedAlgorithmError,
    );
    const { salt: _salt, ...noSalt } = encrypted.header;
    expect(() => decryptEnvelope({ ...encrypted, header: noSalt }, key)).toThrow('"header.Salt"');
    expect(() => decryptEnvelope({ ...encrypted, header: { ...encrypted.header, recipients: [] } }, key)).toThrow(
      '"header.recipients"',
    );
    expect(() => createEnvelope(plaintext, { recipients: [{ kind: 'symmetric', kid: 'E', key: earlKey }] })).toThrow(
      '"random"',
    );
    expect(() =>
      createEnvelope(plaintext, { recipients: [{ kind: 'ecdh', kid: 'E', publicKey: admin }], random }),
    ).toThrow('X448 or X25519');
  });
});

describe('tampering', () => {
  const recipients = [
    { kind: 'ecdh' as const, kid: 'MDEV', publicKey: device448 },
    { kind: 'symmetric' as const, kid: 'EBQB-PUBID', key: earlKey },
  ];
  const original = createEnvelope(plaintext, { signers: [adminSigner], recipients, random });
  const reference = createEnvelope(plaintext, { signers: [adminSigner], recipients, random, integrity: 'reference' });
  const openers: Array<[string, DecryptionKey]> = [
    ['ECDH', { kind: 'ecdh', keyPair: device448 }],
    ['symmetric', { kind: 'symmetric', key: earlKey }],
  ];

  /** Every byte-carrying field, as a path and a function rebuilding the envelope with new bytes. */
  type Field = [string, (e: DareEnvelope) => Uint8Array, (e: DareEnvelope, b: Uint8Array) => DareEnvelope];
  const entry = (e: DareEnvelope, i: number) => e.header.recipients![i]!;
  const withEntry = (e: DareEnvelope, i: number, patch: object): DareEnvelope => ({
    ...e,
    header: { ...e.header, recipients: e.header.recipients!.map((r, k) => (k === i ? { ...r, ...patch } : r)) },
  });
  const sig0 = (e: DareEnvelope) => e.trailer!.signatures![0]!;
  const withSig = (e: DareEnvelope, patch: object): DareEnvelope => ({
    ...e,
    trailer: { ...e.trailer, signatures: [{ ...sig0(e), ...patch }] },
  });
  const fields: Field[] = [
    ['header.Salt', (e) => e.header.salt!, (e, b) => ({ ...e, header: { ...e.header, salt: b } })],
    ['recipients[0].wmk', (e) => entry(e, 0).wmk!, (e, b) => withEntry(e, 0, { wmk: b })],
    [
      'recipients[0].epk',
      (e) => entry(e, 0).epk!.publicKey,
      (e, b) => withEntry(e, 0, { epk: { crv: 'X448', publicKey: b } }),
    ],
    ['recipients[1].wmk', (e) => entry(e, 1).wmk!, (e, b) => withEntry(e, 1, { wmk: b })],
    ['payload', (e) => e.payload, (e, b) => ({ ...e, payload: b })],
    [
      'trailer.PayloadMac',
      (e) => e.trailer!.payloadMac!,
      (e, b) => ({ ...e, trailer: { ...e.trailer, payloadMac: b } }),
    ],
    [
      'trailer.PayloadDigest',
      (e) => e.trailer!.payloadDigest!,
      (e, b) => ({ ...e, trailer: { ...e.trailer, payloadDigest: b } }),
    ],
    ['signature', (e) => sig0(e).signature, (e, b) => withSig(e, { signature: b })],
    ['witness', (e) => sig0(e).witness!, (e, b) => withSig(e, { witness: b })],
  ];

  interface Flip {
    readonly bytes: Uint8Array;
    readonly last: boolean;
    readonly bit: number;
  }
  function flips(bytes: Uint8Array): Flip[] {
    // First, last and a middle byte, two bit positions each: every byte-position class.
    const positions = [...new Set([0, bytes.length >> 1, bytes.length - 1])];
    return positions.flatMap((p) =>
      [0x01, 0x80].map((bit) => {
        const copy = Uint8Array.from(bytes);
        copy[p]! ^= bit;
        return { bytes: copy, last: p === bytes.length - 1, bit };
      }),
    );
  }

  const decryptCases: Array<[string, DareEnvelope, DecryptOptions]> = [
    ['MAC-protected', original, {}],
    ['MAC-protected, signer required', original, { signers: [adminCandidate] }],
    ['reference-style, signer required', reference, { signers: [adminCandidate] }],
  ];

  for (const [label, envelope, options] of decryptCases) {
    for (const [name, get, set] of fields) {
      if (envelope.trailer?.payloadMac === undefined && name === 'trailer.PayloadMac') continue;
      it(`${label}: a flipped ${name} gives the uniform DecryptionError`, () => {
        const touchesOnlyOther = (opener: string) =>
          (name.startsWith('recipients[0]') && opener === 'symmetric') ||
          (name.startsWith('recipients[1]') && opener === 'ECDH');
        // Fields decryption does not read when no signer is required.
        const unused =
          options.signers === undefined && ['trailer.PayloadDigest', 'signature', 'witness'].includes(name);
        for (const [opener, key] of openers) {
          for (const flip of flips(get(envelope))) {
            const tampered = set(envelope, flip.bytes);
            // The sign-of-v bit of a signed X448 epk (docs/mesh-compatibility.md §2.3) does not enter the
            // u-only agreement: ±v give the same master key, so the sender's plaintext comes back.
            const signOfV = name === 'recipients[0].epk' && flip.last && flip.bit === 0x80;
            if (touchesOnlyOther(opener) || unused || signOfV) {
              // Another reader's entry or an unread field: this reader is unaffected.
              expect(decryptEnvelope(tampered, key, options).plaintext).toEqual(plaintext);
            } else {
              expectUniformFailure(() => decryptEnvelope(tampered, key, options));
            }
          }
        }
      });
    }
  }

  it('a flipped signature, digest or payload fails verification', () => {
    for (const [name, get, set] of fields) {
      if (!['payload', 'trailer.PayloadDigest', 'signature'].includes(name)) continue;
      for (const flip of flips(get(original))) {
        expect(() => verifyEnvelope(set(original, flip.bytes), [adminCandidate])).toThrow(VerificationError);
      }
    }
  });

  it('truncated or extended ciphertext, swapped Salt and stripped MAC fail uniformly', () => {
    const key: DecryptionKey = { kind: 'ecdh', keyPair: device448 };
    expectUniformFailure(() => decryptEnvelope({ ...original, payload: original.payload.subarray(0, 16) }, key));
    expectUniformFailure(() =>
      decryptEnvelope({ ...original, payload: new Uint8Array([...original.payload, ...new Uint8Array(16)]) }, key),
    );
    expectUniformFailure(() =>
      decryptEnvelope({ ...original, header: { ...original.header, salt: reference.header.salt! } }, key),
    );
    const { payloadMac: _mac, ...stripped } = original.trailer!;
    expectUniformFailure(() => decryptEnvelope({ ...original, trailer: stripped }, key));
    // Swapping in another envelope's recipients (another master key) fails the MAC.
    expectUniformFailure(() =>
      decryptEnvelope({ ...original, header: { ...original.header, recipients: reference.header.recipients! } }, key),
    );
  });
});

describe('envelope JSON form', () => {
  const envelope = createEnvelope(plaintext, {
    signers: [adminSigner],
    recipients: [{ kind: 'ecdh', kid: 'MDEV', publicKey: device448 }],
    random,
    envelopeId: 'MENV',
    contentMetaData: utf8('{"MessageType":"RespondConnection"}'),
    masterKeyId: () => 'EBQD-MASTER',
  });

  it('uses the reference tags and order', () => {
    const json = JSON.parse(new TextDecoder().decode(encodeEnvelope(envelope, 'json', { tagged: true })));
    const [header, payload, trailer] = json.DareEnvelope;
    expect(Object.keys(header)).toEqual(['EnvelopeId', 'enc', 'dig', 'kid', 'Salt', 'recipients', 'ContentMetaData']);
    expect(Object.keys(header.recipients[0])).toEqual(['kid', 'epk', 'wmk']);
    expect(Object.keys(header.recipients[0].epk.PublicKeyECDH)).toEqual(['crv', 'Public']);
    expect(typeof payload).toBe('string');
    expect(Object.keys(trailer)).toEqual(['signatures', 'PayloadDigest', 'PayloadMac']);
    expect(Object.keys(trailer.signatures[0])).toEqual(['alg', 'kid', 'signature', 'witness']);
  });

  it('rejects malformed envelopes with errors naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [{}, '"env" expected a DARE envelope'],
      [[{}], 'an array of 1'],
      [[[], 'AA'], '"env[0]" expected an object'],
      [[{}, 5], '"env[1]" expected binary'],
      [[{}, 'A*A'], '"env[1]" has a character that is not base64url at position 1'],
      [[{}, 'AAA', []], '"env[2]" expected an object'],
      [[{ enc: 5 }, 'AA'], '"env[0].enc" expected a string, got number'],
      [[{ Salt: '!' }, 'AA'], '"env[0].Salt" has a character that is not base64url'],
      [[{ recipients: {} }, 'AA'], '"env[0].recipients" expected an array'],
      [[{ recipients: [{ epk: { PublicKeyRSA: {} } }] }, 'AA'], '"env[0].recipients[0].epk" expected {"PublicKeyECDH"'],
      [
        [{ recipients: [{ epk: { PublicKeyECDH: { Public: 'AA' } } }] }, 'AA'],
        '"env[0].recipients[0].epk.PublicKeyECDH.crv"',
      ],
      [[{}, 'AA', { signatures: [{ alg: 'S512' }] }], '"env[2].signatures[0].signature" expected the signature value'],
      [[{}, 'AA', { PayloadDigest: 'A' }], '"env[2].PayloadDigest" has a dangling base64url character'],
      [{ DareEnvelope: [{}, 7] }, '"env.DareEnvelope[1]"'],
    ];
    for (const [value, message] of cases) {
      expect(() => parseEnvelope(value, 'env')).toThrow(InvalidEncodingError);
      expect(() => parseEnvelope(value, 'env')).toThrow(message);
    }
  });

  it('reads the reference line-wrapped base64url and null or empty trailers', () => {
    expect(parseEnvelope([{}, 'VGhp\n  cyBp', null]).payload).toEqual(utf8('This i'));
    expect(parseEnvelope([{}, 'VGhp', {}])).toEqual({ header: {}, payload: utf8('Thi'), trailer: {} });
  });

  it('reports truncated JSON-B and depth bombs through decodeEnvelope', () => {
    const bytes = encodeEnvelope(envelope, 'jsonb');
    expect(() =>
      decodeEnvelope(bytes.subarray(0, bytes.length - 20), { path: 'RespondConnection.CatalogedDevice' }),
    ).toThrow(/"RespondConnection.CatalogedDevice" \(JSON-B\) .*truncated.* at offset \d+/);
    expect(() => decodeEnvelope('['.repeat(1000))).toThrow('deeper than the limit');
  });
});
