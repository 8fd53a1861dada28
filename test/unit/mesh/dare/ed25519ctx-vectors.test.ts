/**
 * @module test/unit/mesh/dare/ed25519ctx-vectors
 * dare-12 §13.4/§13.5's Ed25519-signed envelopes (test/vectors/dare/dare12-ed25519-signed.json)
 * verify as Ed25519ctx with the empty context (docs/mesh-compatibility.md §14.2); tampering
 * is refused, pure Ed25519 still works, and an unknown signature `alg` is a typed error.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../../src/crypto/bytes.js';
import { signEd25519ctx, verifyEd25519ctx } from '../../../../src/crypto/edwards-signing.js';
import { InvalidArgumentError, VerificationError } from '../../../../src/crypto/errors.js';
import { generateKeyPair, verifySignature } from '../../../../src/crypto/keys.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { createEnvelope } from '../../../../src/mesh/dare/create-envelope.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  parseEnvelope,
  type DareEnvelope,
} from '../../../../src/mesh/dare/envelope.js';
import {
  UnsupportedSignatureAlgorithmError,
  payloadDigest,
  verifyEnvelope,
} from '../../../../src/mesh/dare/signature.js';
import { base64urlDecode, base64urlEncode } from '../../../../src/mesh/encoding/base64url.js';
import { keyFingerprint } from '../../../../src/mesh/udf/key-fingerprint.js';
import vectors from '../../../vectors/dare/dare12-ed25519-signed.json' with { type: 'json' };

const publicKey = base64urlDecode(vectors.signerPublicKey);
const signer = { publicKey: { alg: 'Ed25519' as const, publicKey }, kid: vectors.signerKid };

const examples = [
  ['§13.4 signed message', vectors.signedMessage],
  ['§13.5 signed and encrypted message', vectors.signedEncryptedMessage],
] as const;

function withSignature(envelope: DareEnvelope, edit: (signature: Uint8Array) => Uint8Array): DareEnvelope {
  const [first, ...rest] = envelope.trailer?.signatures ?? [];
  if (first === undefined) throw new Error('vector has no signature');
  return {
    ...envelope,
    trailer: { ...envelope.trailer, signatures: [{ ...first, signature: edit(first.signature) }, ...rest] },
  };
}

describe('dare-12 §13 Ed25519 examples', () => {
  it("the draft's private key gives the published signer kid", () => {
    expect(base64urlEncode(ed25519.getPublicKey(base64urlDecode(vectors.signerPrivate)))).toBe(vectors.signerPublicKey);
    expect(keyFingerprint(signer.publicKey)).toBe(vectors.signerKid);
  });

  for (const [name, json] of examples) {
    describe(name, () => {
      const envelope = parseEnvelope(json);
      const entry = envelope.trailer?.signatures?.[0];

      it('carries the PayloadDigest of its payload, and is Ed25519ctx (empty context), not pure Ed25519', () => {
        const digest = payloadDigest(envelope.payload);
        expect(envelope.trailer?.payloadDigest).toEqual(digest);
        expect(entry?.alg).toBe('S512');
        const signature = entry?.signature as Uint8Array;
        expect(verifySignature('Ed25519', publicKey, digest, signature)).toBe(false);
        expect(verifyEd25519ctx(publicKey, digest, signature, new Uint8Array(0))).toBe(true);
        expect(verifyEd25519ctx(publicKey, digest, signature, utf8('DARE'))).toBe(false);
      });

      it('verifies as an envelope, reporting the Ed25519ctx scheme and the signer', () => {
        const verified = verifyEnvelope(envelope, [signer]);
        expect(verified.scheme).toBe('Ed25519ctx');
        expect(verified.signer).toBe(signer);
        expect(verified.index).toBe(0);
      });

      it('still verifies after re-encoding to JSON-B and back', () => {
        const again = decodeEnvelope(encodeEnvelope(envelope, 'jsonb'));
        expect(verifyEnvelope(again, [signer]).scheme).toBe('Ed25519ctx');
      });

      it('rejects a flipped bit in the signature, in R and in S', () => {
        for (const at of [0, 40]) {
          const tampered = withSignature(envelope, (s) => {
            const t = Uint8Array.from(s);
            t[at] = (t[at] as number) ^ 0x01;
            return t;
          });
          expect(() => verifyEnvelope(tampered, [signer])).toThrow(VerificationError);
        }
      });

      it('rejects a changed payload (the declared PayloadDigest no longer matches)', () => {
        const payload = Uint8Array.from(envelope.payload);
        payload[0] = (payload[0] as number) ^ 0x01;
        expect(() => verifyEnvelope({ ...envelope, payload }, [signer])).toThrow(/PayloadDigest/);
        const { payloadDigest: _dropped, ...trailer } = envelope.trailer ?? {};
        expect(() => verifyEnvelope({ ...envelope, payload, trailer }, [signer])).toThrow(VerificationError);
      });

      it('rejects the signature under another Ed25519 key claiming the same kid', () => {
        const other = generateKeyPair('Ed25519', seededRandom(11));
        expect(() => verifyEnvelope(envelope, [{ publicKey: other, kid: vectors.signerKid }])).toThrow(
          VerificationError,
        );
      });
    });
  }
});

describe('Ed25519 in DARE envelopes made here', () => {
  it('a pure Ed25519 signature made by this implementation verifies as pure Ed25519', () => {
    const key = generateKeyPair('Ed25519', seededRandom(5));
    const kid = keyFingerprint(key);
    const envelope = createEnvelope(utf8('hello'), { signers: [{ key, kid }] });
    expect(verifyEnvelope(envelope, [{ publicKey: key, kid }]).scheme).toBe('Ed25519');
  });

  it('an Ed25519ctx signature made with node-independent signing round-trips, a non-empty context does not', () => {
    const secret = base64urlDecode(vectors.signerPrivate);
    const payload = utf8(vectors.plaintext);
    const digest = payloadDigest(payload);
    const make = (signature: Uint8Array): DareEnvelope => ({
      header: { dig: 'S512' },
      payload,
      trailer: { signatures: [{ alg: 'S512', kid: vectors.signerKid, signature }], payloadDigest: digest },
    });
    const empty = signEd25519ctx(secret, digest, new Uint8Array(0));
    // RFC 8032 is deterministic: the draft's §13.4 signature over the same payload is reproduced.
    const published = parseEnvelope(vectors.signedMessage).trailer?.signatures?.[0]?.signature;
    expect(empty).toEqual(published);
    expect(verifyEnvelope(make(empty), [signer]).scheme).toBe('Ed25519ctx');
    const other = signEd25519ctx(secret, digest, utf8('another context'));
    expect(() => verifyEnvelope(make(other), [signer])).toThrow(VerificationError);
  });

  it('an Ed448 key is never tried as Ed25519ctx', () => {
    const key = generateKeyPair('Ed448', seededRandom(6));
    const envelope = parseEnvelope(vectors.signedMessage);
    expect(() => verifyEnvelope(envelope, [{ publicKey: key, kid: vectors.signerKid }])).toThrow(VerificationError);
  });

  it('a context over 255 bytes is an InvalidArgumentError naming "context"', () => {
    expect(() => verifyEd25519ctx(publicKey, new Uint8Array(64), new Uint8Array(64), new Uint8Array(256))).toThrow(
      InvalidArgumentError,
    );
    expect(() => verifyEd25519ctx(publicKey, new Uint8Array(64), new Uint8Array(64), new Uint8Array(256))).toThrow(
      /"context"/,
    );
  });
});

describe('signature algorithm identifiers', () => {
  const envelope = parseEnvelope(vectors.signedMessage);

  it('an entry whose alg is not S512 is an UnsupportedSignatureAlgorithmError naming the field', () => {
    const renamed = {
      ...envelope,
      trailer: {
        ...envelope.trailer,
        signatures: (envelope.trailer?.signatures ?? []).map((s) => ({ ...s, alg: 'RS256' })),
      },
    };
    expect(() => verifyEnvelope(renamed, [signer])).toThrow(UnsupportedSignatureAlgorithmError);
    expect(() => verifyEnvelope(renamed, [signer])).toThrow(/"trailer\.signatures\[0\]\.alg".*RS256/);
    // Still a VerificationError, so callers that refuse unverified envelopes refuse this one.
    expect(() => verifyEnvelope(renamed, [signer])).toThrow(VerificationError);
  });

  it('an entry without alg is taken as the S512 digest', () => {
    const bare = {
      ...envelope,
      trailer: {
        ...envelope.trailer,
        signatures: (envelope.trailer?.signatures ?? []).map(({ alg: _alg, ...s }) => s),
      },
    };
    expect(verifyEnvelope(bare, [signer]).scheme).toBe('Ed25519ctx');
  });
});
