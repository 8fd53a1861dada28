import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/crypto/random.js';
import { createEnvelope } from '../../../src/mesh/dare/create-envelope.js';
import { encodeEnvelope, envelopeToJson } from '../../../src/mesh/dare/envelope.js';
import { base64urlEncode } from '../../../src/mesh/encoding/base64url.js';
import { deriveKeyPair, deriveSeedOkm } from '../../../src/mesh/keys/derive-key.js';
import { keyDataOf } from '../../../src/mesh/keys/key-data.js';
import { connectKey, publicationId } from '../../../src/mesh/connect/static-qr.js';
import { connectUri } from '../../../src/mesh/connect/connect-uri.js';
import { encodeTaggedBytes } from '../../../src/mesh/objects/registry.js';
import { symmetricKeyData } from '../../../src/mesh/udf/symmetric-key.js';
import { keyFingerprint } from '../../../src/mesh/udf/key-fingerprint.js';
import { runMesh, runMeshBinary } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-dare-'));
const seed = JSON.parse(readFileSync('test/vectors/keys/t11-production-seed.json', 'utf8')).seed as string;
const reference = JSON.parse(readFileSync('test/vectors/dare/reference-envelopes.json', 'utf8'));
const t10 = JSON.parse(readFileSync('test/vectors/dare/t10-signature.json', 'utf8'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  return path;
}

const profileKey = deriveKeyPair(seed, 'BaseDeviceProfile');
const profileKid = keyFingerprint(profileKey);
function selfSignedProfile(): string {
  const keys = {
    ProfileSignature: keyDataOf(profileKey),
    Encryption: keyDataOf(deriveKeyPair(seed, 'BaseDeviceEncrypt')),
    Signature: keyDataOf(deriveKeyPair(seed, 'BaseDeviceSign')),
    Authentication: keyDataOf(deriveKeyPair(seed, 'BaseDeviceAuthenticate')),
  };
  const payload = encodeTaggedBytes('ProfileDevice', keys as never);
  return JSON.stringify(envelopeToJson(createEnvelope(payload, { signers: [{ key: profileKey, kid: profileKid }] })));
}

describe('mesh dare verify', () => {
  it('verifies a reference-made, JSON-B envelope under the admin key (exit 0)', async () => {
    const path = file('connection-device.json', reference.connectionDevice);
    const r = await runMesh(['dare', 'verify', path, '--alg', 'ed448', '--public', reference.adminPublicKey]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`valid: signed by ${reference.adminKid}`);
  });

  it('verifies the T10 protocol-09 envelope', async () => {
    const path = file('t10.json', t10.envelope);
    const r = await runMesh(['dare', 'verify', path, '--alg', t10.signerAlg, '--public', t10.signerPublicKey]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`valid: signed by ${t10.signerKid}`);
  });

  it('verifies a self-signed profile without a key, and says the wrong key is invalid (exit 1)', async () => {
    const path = file('profile.json', selfSignedProfile());
    const r = await runMesh(['dare', 'verify', path, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, kid: profileKid });
    const other = base64urlEncode(deriveKeyPair(seed, 'BaseDeviceSign').publicKey);
    const wrong = await runMesh(['dare', 'verify', path, '--alg', 'ed448', '--public', other]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/invalid/);
  });

  it('says a tampered payload or signature is invalid (exit 1)', async () => {
    const envelope = JSON.parse(selfSignedProfile());
    const payload = Buffer.from(envelope[1], 'base64url');
    payload[payload.length - 3]! ^= 1;
    const tamperedPayload = file('tampered-payload.json', [envelope[0], payload.toString('base64url'), envelope[2]]);
    const key = base64urlEncode(profileKey.publicKey);
    expect((await runMesh(['dare', 'verify', tamperedPayload, '--alg', 'ed448', '--public', key])).status).toBe(1);
    const signature = Buffer.from(envelope[2].signatures[0].signature, 'base64url');
    signature[10]! ^= 4;
    envelope[2].signatures[0].signature = signature.toString('base64url');
    const tamperedSignature = file('tampered-signature.json', envelope);
    expect((await runMesh(['dare', 'verify', tamperedSignature, '--alg', 'ed448', '--public', key])).status).toBe(1);
  });

  it('exits 2 naming the problem for malformed files and half-given keys', async () => {
    const garbage = file('garbage.json', '{"not": "an envelope"}');
    const r1 = await runMesh([
      'dare',
      'verify',
      garbage,
      '--alg',
      'ed448',
      '--public',
      base64urlEncode(profileKey.publicKey),
    ]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('<envelope.json>');
    const ok = file('profile2.json', selfSignedProfile());
    const r2 = await runMesh(['dare', 'verify', ok, '--alg', 'ed448']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('--public');
    const r3 = runMeshBinary(['dare', 'verify', join(dir, 'missing.json')]);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/cannot read/);
  });
});

describe('mesh dare decrypt', () => {
  const maker = 'maker@example.com';
  const key = connectKey(seed, maker, 120);
  const uri = connectUri(maker, key);
  const plaintext = new TextEncoder().encode('{"ProfileDevice":{"Description":"thermostat"}}');

  it('decrypts an EARL-encrypted envelope with the E-UDF or the mcu:// URI, in JSON and JSON-B', async () => {
    const envelope = createEnvelope(plaintext, {
      recipients: [{ kind: 'symmetric', kid: publicationId(key), key: symmetricKeyData(key) }],
      random: seededRandom(7),
    });
    const json = file('earl.json', envelopeToJson(envelope));
    const jsonb = file('earl.jsonb', encodeEnvelope(envelope, 'jsonb'));
    for (const [path, k] of [
      [json, key],
      [json, uri],
      [jsonb, key],
    ] as const) {
      const r = await runMesh(['dare', 'decrypt', path, '--key', k]);
      expect(r.status, r.stderr).toBe(0);
      expect(new TextDecoder().decode(r.bytes)).toBe(new TextDecoder().decode(plaintext));
      expect(r.stderr).toBe('');
    }
  });

  it('decrypts to a device seed and to a raw X448 private key', async () => {
    const encryption = deriveKeyPair(seed, 'BaseDeviceEncrypt');
    const envelope = createEnvelope(plaintext, {
      recipients: [{ kind: 'ecdh', kid: keyFingerprint(encryption), publicKey: encryption }],
      random: seededRandom(8),
    });
    const path = file('ecdh.json', envelopeToJson(envelope));
    const bySeed = await runMesh(['dare', 'decrypt', path, '--key', seed]);
    expect(bySeed.status, bySeed.stderr).toBe(0);
    expect(Buffer.from(bySeed.bytes!).toString()).toBe(Buffer.from(plaintext).toString());
    const okm = deriveSeedOkm(seed, 'BaseDeviceEncrypt').okm;
    const byRawKey = await runMesh(['dare', 'decrypt', path, '--key', base64urlEncode(okm), '--alg', 'x448']);
    expect(byRawKey.status, byRawKey.stderr).toBe(0);
    expect(Buffer.from(byRawKey.bytes!).toString()).toBe(Buffer.from(plaintext).toString());
    const wrongSeed = await runMesh(['dare', 'decrypt', path, '--key', seed, '--name', 'BaseDeviceAuthenticate']);
    expect(wrongSeed.status).toBe(2);
    expect(wrongSeed.stderr).toMatch(/decryption failed/);
  });

  it('fails uniformly with the wrong key or a tampered ciphertext', async () => {
    const envelope = createEnvelope(plaintext, {
      recipients: [{ kind: 'symmetric', kid: publicationId(key), key: symmetricKeyData(key) }],
      random: seededRandom(9),
    });
    const json = envelopeToJson(envelope) as unknown as [unknown, string, unknown];
    const path = file('earl2.json', json);
    const otherKey = connectKey(seed, 'other@example.com', 120);
    const wrong = await runMesh(['dare', 'decrypt', path, '--key', otherKey]);
    const payload = Buffer.from(json[1], 'base64url');
    payload[0]! ^= 1;
    const tampered = file('earl3.json', [json[0], payload.toString('base64url'), json[2]]);
    const bad = await runMesh(['dare', 'decrypt', tampered, '--key', key]);
    for (const r of [wrong, bad]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('mesh dare decrypt: decryption failed');
      expect(r.bytes?.length ?? 0).toBe(0);
    }
  });

  it('warns that a reference-format envelope (no MAC) is unauthenticated, and still decrypts it', async () => {
    const envelope = createEnvelope(plaintext, {
      recipients: [{ kind: 'symmetric', kid: publicationId(key), key: symmetricKeyData(key) }],
      random: seededRandom(10),
      integrity: 'reference',
    });
    const path = file('reference-style.json', envelopeToJson(envelope));
    const r = await runMesh(['dare', 'decrypt', path, '--key', key]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/no MAC/);
  });

  it('names the argument for keys it cannot use', async () => {
    const path = file('any.json', selfSignedProfile());
    const notEncrypted = await runMesh(['dare', 'decrypt', path, '--key', key]);
    expect(notEncrypted.status).toBe(2);
    expect(notEncrypted.stderr).toContain('not encrypted');
    expect((await runMesh(['dare', 'decrypt', path, '--key', 'MDDK-7N6A-727A-JZNO-STRX-XKS7-DJAF'])).stderr).toContain(
      '--key',
    );
    expect((await runMesh(['dare', 'decrypt', path])).stderr).toContain('--key');
    expect((await runMesh(['dare', 'decrypt', path, '--key', 'AAAA', '--alg', 'ed448'])).stderr).toContain('--alg');
  });
});
