/**
 * @module test/unit/mesh/udf/vectors
 * Every published UDF vector of docs/mesh-compatibility.md §10 (T1, T2, T3, T5, T6, T7), loaded from
 * test/vectors/udf/*.json and recomputed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../../src/crypto/bytes.js';
import { hkdfExpand, hmacSha512, sha3_512, sha512 } from '../../../../src/crypto/hash.js';
import type { KeyAlgorithm } from '../../../../src/crypto/key-pair.js';
import { base32Decode } from '../../../../src/mesh/encoding/base32.js';
import { base64urlDecode } from '../../../../src/mesh/encoding/base64url.js';
import {
  contentDigestUdf,
  contentDigestUdfBytes,
  typedContentDigest,
  udfCompression,
} from '../../../../src/mesh/udf/content-digest.js';
import { earlContentId } from '../../../../src/mesh/udf/earl.js';
import { keyFingerprint, keyFingerprintBytes } from '../../../../src/mesh/udf/key-fingerprint.js';
import { keyStringToKey, keyedContentUdf } from '../../../../src/mesh/udf/keyed-udf.js';
import { envelopeId, responseId } from '../../../../src/mesh/udf/message-id.js';
import { oidUdf } from '../../../../src/mesh/udf/oid-udf.js';
import {
  evaluatePolynomial,
  parseShareUdf,
  recombineShares,
  shamirPrime,
  shareUdf,
  splitSecret,
} from '../../../../src/mesh/udf/shamir.js';
import { spkiDer } from '../../../../src/mesh/udf/spki-der.js';
import { parseUdf } from '../../../../src/mesh/udf/udf.js';

const dir = new URL('../../../vectors/udf/', import.meta.url);
// Vector files are untyped JSON; each test reads the fields it checks.
const load = (name: string): any => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

describe('vector files', () => {
  it('every file names its source', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(typeof load(f).source, f).toBe('string');
  });
});

describe('T1 content digest (udf-13 §5.1)', () => {
  const v = load('t1-content-digest.json');
  const data = utf8(v.data);

  it('inputs are the published bytes', () => {
    expect(toHex(data)).toBe(toHex(fromHex(v.dataHex)));
    expect(toHex(utf8(v.contentType))).toBe(toHex(fromHex(v.contentTypeHex)));
  });

  it('SHA-2: digest, TCDV and every published precision', () => {
    expect(toHex(sha512(data))).toBe(toHex(fromHex(v.sha2.digest)));
    expect(toHex(typedContentDigest(sha512(data), v.contentType))).toBe(toHex(fromHex(v.sha2.tcdv)));
    for (const [bits, udf] of Object.entries(v.sha2.udf as Record<string, string>)) {
      expect(contentDigestUdf(data, v.contentType, { bits: Number(bits) }), `@${bits}`).toBe(udf);
    }
    expect(contentDigestUdf(data, v.contentType)).toBe(v.sha2.udf['140']);
  });

  it('SHA-3: digest and TCDV prefix', () => {
    expect(toHex(sha3_512(data))).toBe(toHex(fromHex(v.sha3.digest)));
    const tcdv = typedContentDigest(sha3_512(data), v.contentType, 'SHA3-512');
    expect(toHex(tcdv.subarray(0, 16))).toBe(toHex(fromHex(v.sha3.tcdvPrefix)));
    // The @140 string is withheld: check it is type 0x50+c over exactly this TCDV.
    const udf = contentDigestUdf(data, v.contentType, { algorithm: 'SHA3-512' });
    const parsed = parseUdf(udf);
    expect(parsed.type).toBe(0x50 + udfCompression(tcdv));
    expect(toHex(parsed.bds)).toBe(toHex(tcdv.subarray(0, parsed.bds.length)));
    expect(udf.replace(/-/g, '')).toHaveLength(28);
  });

  it('"UDF Content Data" SHA-2 @140', () => {
    expect(contentDigestUdf(utf8(v.contentData.data), v.contentData.contentType)).toBe(v.contentData.sha2At140);
  });

  it('"UDF Compressed Document 4187123" is typed 0x61 and keeps every TCDV byte', () => {
    const c = v.compressed;
    const tcdv = typedContentDigest(sha512(utf8(c.data)), c.contentType);
    expect(toHex(tcdv.subarray(60))).toBe(toHex(fromHex(c.tcdvTail)));
    expect(udfCompression(tcdv)).toBe(c.typeByte - 0x60);
    const bytes = contentDigestUdfBytes(utf8(c.data), c.contentType);
    expect(bytes[0]).toBe(c.typeByte);
    expect(toHex(bytes.subarray(1))).toBe(toHex(tcdv.subarray(0, 63)));
    const udf = contentDigestUdf(utf8(c.data), c.contentType);
    expect(udf).toMatch(/^M[E-H]/); // 0x61 = 01100 001.. -> 'M', then one of 'E'..'H'
    expect(toHex(parseUdf(udf).binary)).toBe(toHex(bytes.subarray(0, 17)));
  });
});

describe('T2 keyed authenticator (udf-13 §5.2.2)', () => {
  const v = load('t2-authenticator.json');
  it('PRK, OKM, MAC and UDF', () => {
    const prk = hmacSha512(utf8('KeyedUDFMaster'), utf8(v.key));
    expect(toHex(prk)).toBe(toHex(fromHex(v.prk)));
    expect(toHex(hkdfExpand('sha512', prk, utf8('KeyedUDFExpand'), 64))).toBe(toHex(fromHex(v.okm)));
    expect(toHex(keyStringToKey(v.key))).toBe(toHex(fromHex(v.okm)));
    const mac = hmacSha512(fromHex(v.okm), new Uint8Array([...utf8(v.contentType + ':'), ...sha512(utf8(v.data))]));
    expect(toHex(mac)).toBe(toHex(fromHex(v.mac)));
    expect(keyedContentUdf(utf8(v.data), v.contentType, v.key)).toBe(v.udf140);
  });
});

describe('T3 OID UDF and key fingerprints (udf-13 §4.2)', () => {
  const v = load('t3-key-fingerprints.json');
  const ed = { alg: 'Ed25519' as const, publicKey: fromHex(v.ed25519.publicKeyHex) };

  it('Ed25519: non-standard DER, OID UDF, fingerprint', () => {
    expect(toHex(spkiDer(ed))).toBe(toHex(fromHex(v.ed25519.derHex)));
    expect(oidUdf(ed)).toBe(v.ed25519.oidUdf);
    expect(keyFingerprint(ed)).toBe(v.ed25519.fingerprint);
    // The drafts' MIME string gives a different (wrong) fingerprint.
    expect(contentDigestUdf(spkiDer(ed), v.ed25519.mimeContentType).startsWith(v.ed25519.mimeFingerprintPrefix)).toBe(
      true,
    );
  });

  for (const k of v.keys as { alg: KeyAlgorithm; publicKey: string; fingerprint: string }[]) {
    it(`${k.alg} ${k.fingerprint}`, () => {
      const key = { alg: k.alg, publicKey: base64urlDecode(k.publicKey) };
      expect(keyFingerprint(key)).toBe(k.fingerprint);
      const binary = keyFingerprintBytes(key);
      expect(binary).toHaveLength(64);
      expect(toHex(parseUdf(k.fingerprint).binary)).toBe(toHex(binary.subarray(0, 17)));
    });
  }
});

describe('T5 Shamir (udf-13 §4.5.2)', () => {
  const v = load('t5-shamir.json');
  const secret = fromHex(v.secretHex);
  const p = BigInt(v.prime);
  const coefficients = (v.coefficients as string[]).map(BigInt);

  it('secret, prime and polynomial', () => {
    expect(toHex(base32Decode(v.secretBase32))).toBe(toHex(secret));
    expect(shamirPrime(16)).toBe(p);
    expect(p).toBe((1n << 128n) + 51n);
    expect(coefficients[0]).toBe(BigInt('0x' + toHex(secret)));
    for (const s of v.shares) expect(evaluatePolynomial(coefficients, BigInt(s.x), p)).toBe(BigInt(s.value));
  });

  it('splitting with the published coefficients gives the published share UDFs', () => {
    const never = (): Uint8Array => {
      throw new Error('random must not be used when coefficients are given');
    };
    const shares = splitSecret(secret, v.threshold, v.shares.length, never, { coefficients: coefficients.slice(1) });
    expect(shares.map(shareUdf)).toEqual(v.shares.map((s: { udf: string }) => s.udf));
  });

  it('share UDFs parse and every 3-subset recombines', () => {
    const parsed = v.shares.map((s: { udf: string }) => parseShareUdf(s.udf));
    parsed.forEach((s: { x: number; threshold: number; value: Uint8Array }, i: number) => {
      expect(s.x).toBe(v.shares[i].x);
      expect(s.threshold).toBe(3);
      expect(BigInt('0x' + toHex(s.value))).toBe(BigInt(v.shares[i].value));
    });
    const udfs: string[] = v.shares.map((s: { udf: string }) => s.udf);
    for (let a = 0; a < 5; a++)
      for (let b = a + 1; b < 5; b++)
        for (let c = b + 1; c < 5; c++) {
          expect(toHex(recombineShares([udfs[a]!, udfs[b]!, udfs[c]!]))).toBe(toHex(secret));
        }
    expect(toHex(recombineShares(udfs))).toBe(toHex(secret));
  });
});

describe('T6 EARL content id (udf-13 §1.2.2)', () => {
  const v = load('t6-earl.json');
  it('key -> content id at 2 x keyBits', () => {
    expect(earlContentId(v.key, v.keyBits)).toBe(v.contentId);
    expect(earlContentId(v.key.toLowerCase(), v.keyBits)).toBe(v.contentId);
    expect(earlContentId(v.key)).toBe(v.contentId);
  });
});

describe('T7 message ids (schema-08 §6.2)', () => {
  const v = load('t7-message-ids.json');
  it('EnvelopeID and ResponseID', () => {
    expect(envelopeId(v.messageId)).toBe(v.envelopeId);
    expect(responseId(v.messageId)).toBe(v.responseId);
  });
});
