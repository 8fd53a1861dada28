import { describe, expect, it } from 'vitest';
import { aes256CbcDecrypt, aes256CbcEncrypt } from '../../../../src/crypto/aes.js';
import { fromHex, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import { DecryptionError, VerificationError } from '../../../../src/crypto/errors.js';
import { verifySignature } from '../../../../src/crypto/keys.js';
import { base64urlDecode, base64urlEncode } from '../../../../src/mesh/encoding/base64url.js';
import { decryptEnvelope } from '../../../../src/mesh/dare/decrypt-envelope.js';
import { decodeEnvelope, encodeEnvelope, parseEnvelope } from '../../../../src/mesh/dare/envelope.js';
import { derivePayloadKeys } from '../../../../src/mesh/dare/payload-keys.js';
import { payloadDigest, verifyEnvelope } from '../../../../src/mesh/dare/signature.js';
import { generateKeyPair } from '../../../../src/crypto/keys.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import encryption from '../../../vectors/dare/t10-encryption.json' with { type: 'json' };
import signature from '../../../vectors/dare/t10-signature.json' with { type: 'json' };
import reference from '../../../vectors/dare/reference-envelopes.json' with { type: 'json' };

describe('T10 encryption (dare-12 App. A)', () => {
  it('derives the published key and IV from base seed and Salt with HKDF-SHA256', () => {
    const salt = fromHex(encryption.salt);
    expect(base64urlEncode(salt)).toBe(encryption.saltBase64url);
    const keys = derivePayloadKeys(fromHex(encryption.baseSeed), salt);
    expect(toHex(keys.key)).toBe(encryption.key.toLowerCase());
    expect(toHex(keys.iv)).toBe(encryption.iv.toLowerCase());
  });

  it('gives the published payload for the plaintext, and back', () => {
    const keys = derivePayloadKeys(fromHex(encryption.baseSeed), fromHex(encryption.salt));
    const payload = aes256CbcEncrypt(keys.key, keys.iv, utf8(encryption.plaintext));
    expect(base64urlEncode(payload)).toBe(encryption.payload);
    expect(new TextDecoder().decode(aes256CbcDecrypt(keys.key, keys.iv, base64urlDecode(encryption.payload)))).toBe(
      encryption.plaintext,
    );
  });
});

describe('T10 signature (protocol-09 RequestConnection.AuthenticatedData)', () => {
  const signer = {
    publicKey: { alg: 'Ed448' as const, publicKey: base64urlDecode(signature.signerPublicKey) },
    kid: signature.signerKid,
  };

  it('is pure Ed448 over the 64-byte PayloadDigest', () => {
    const digest = base64urlDecode(signature.payloadDigest);
    expect(digest.length).toBe(64);
    expect(verifySignature('Ed448', signer.publicKey.publicKey, digest, base64urlDecode(signature.signature))).toBe(
      true,
    );
  });

  it('verifies as an envelope: digest recomputed from the payload, signer reported', () => {
    const envelope = parseEnvelope(signature.envelope, 'RequestConnection.AuthenticatedData');
    expect(base64urlEncode(payloadDigest(envelope.payload))).toBe(signature.payloadDigest);
    const verified = verifyEnvelope(envelope, [signer]);
    expect(verified.signer).toBe(signer);
    expect(verified.index).toBe(0);
    expect(envelope.header.envelopeId).toBe('MAOK-I4TT-3EUS-4LMY-Z6JO-VEN7-CX6F');
  });

  it('still verifies after re-encoding JSON → JSON-B → JSON', () => {
    const envelope = parseEnvelope(signature.envelope);
    const viaJsonB = decodeEnvelope(encodeEnvelope(envelope, 'jsonb'));
    const viaJson = decodeEnvelope(encodeEnvelope(viaJsonB, 'json', { tagged: true }));
    expect(viaJson).toEqual(envelope);
    expect(verifyEnvelope(viaJson, [signer]).index).toBe(0);
  });

  it('rejects the signature under a different key even with the right kid', () => {
    const other = generateKeyPair('Ed448', seededRandom(7));
    const envelope = parseEnvelope(signature.envelope);
    expect(() => verifyEnvelope(envelope, [{ publicKey: other, kid: signature.signerKid }])).toThrow(VerificationError);
  });
});

describe('reference-made envelopes (HEAD Examples, §14.5)', () => {
  const admin = {
    publicKey: { alg: 'Ed448' as const, publicKey: base64urlDecode(reference.adminPublicKey) },
    kid: reference.adminKid,
  };

  it('verifies the admin signature on the JSON-B ConnectionDevice, in either encoding', () => {
    const envelope = parseEnvelope(reference.connectionDevice, 'CatalogedDevice.EnvelopedConnectionDevice');
    expect(envelope.payload[0]).toBe(0x7b);
    expect(envelope.payload[1]).toBe(0xb4); // a JSON-B payload
    expect(verifyEnvelope(envelope, [admin]).signer).toBe(admin);
    expect(verifyEnvelope(decodeEnvelope(encodeEnvelope(envelope, 'jsonb')), [admin]).index).toBe(0);
  });

  it('verifies the signature over the ciphertext of the encrypted ActivationAccount', () => {
    const envelope = parseEnvelope(reference.activationAccount, 'CatalogedDevice.EnvelopedActivationAccount');
    expect(envelope.header.enc).toBe('A256CBC');
    expect(envelope.header.recipients?.[0]?.epk?.crv).toBe('X448');
    expect(envelope.header.recipients?.[0]?.wmk?.length).toBe(40);
    const verified = verifyEnvelope(envelope, [admin]);
    expect(verified.signature.witness?.length).toBe(32);
  });

  it('refuses to decrypt it with a key that is not the recipient, uniformly', () => {
    const envelope = parseEnvelope(reference.activationAccount);
    const stranger = generateKeyPair('X448', seededRandom(3));
    for (const options of [{}, { signers: [admin] }, { allowUnauthenticated: true }]) {
      expect(() => decryptEnvelope(envelope, { kind: 'ecdh', keyPair: stranger }, options)).toThrow(
        new DecryptionError('decryption failed'),
      );
    }
  });
});
