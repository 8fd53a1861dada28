import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/crypto/keys.js';
import { combineKeyPairs, recomputePublicKey } from '../../../src/crypto/keys.js';
import { base64urlDecode, base64urlEncode } from '../../../src/mesh/encoding/base64url.js';
import { deriveKeyPair } from '../../../src/mesh/keys/derive-key.js';
import {
  connectKey,
  deviceAuthenticator,
  verifyDeviceAuthenticate,
  verifyServiceAuthenticate,
} from '../../../src/mesh/connect/static-qr.js';
import { runMesh } from '../../helpers/run-cli.js';

const vector = (path: string) => JSON.parse(readFileSync(`test/vectors/${path}`, 'utf8'));
const text = (s: string) => new TextEncoder().encode(s);

const t1 = vector('udf/t1-content-digest.json');
const t2 = vector('udf/t2-authenticator.json');
const t3 = vector('udf/t3-key-fingerprints.json');
const t11 = vector('keys/t11-production-seed.json');
const t11uri = vector('connect/t11-connect-uri.json');
const t13 = vector('keys/t13-activation.json');
const t12 = vector('connect/t12-static-qr-inputs.json');

function expectUsageError(result: { status: number; stdout: string; stderr: string }, argument: string) {
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(argument);
  expect(result.stderr.split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('mesh udf digest (T1)', () => {
  it.each(Object.entries(t1.sha2.udf as Record<string, string>))(
    'reproduces the SHA-2 UDF at %s bits',
    async (bits, udf) => {
      const r = await runMesh(['udf', 'digest', '--content-type', t1.contentType, '--bits', bits, '-'], text(t1.data));
      expect(r).toMatchObject({ status: 0, stdout: udf });
    },
  );

  it('computes SHA-3 UDFs with the SHA-3 type byte (K…), distinct from SHA-2', async () => {
    const r = await runMesh(['udf', 'digest', '--alg', 'sha3', '--content-type', 'text/plain', '-'], text(t1.data));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^K[A-H][A-Z2-7]{2}(-[A-Z2-7]{4}){6}$/);
    const json = await runMesh(
      ['udf', 'digest', '--alg', 'sha3', '--json', '--content-type', 'text/plain', '-'],
      text(t1.data),
    );
    expect(JSON.parse(json.stdout)).toEqual({ udf: r.stdout, alg: 'sha3', bits: 140, contentType: 'text/plain' });
  });

  it('reproduces the "UDF Content Data" SHA-2 vector', async () => {
    const r = await runMesh(['udf', 'digest', '--content-type', 'text/plain', '-'], text('UDF Content Data'));
    expect(r.stdout).toBe('MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4');
  });

  it('requires --content-type and rejects bad precision, naming the argument', async () => {
    expectUsageError(await runMesh(['udf', 'digest', '-'], text('x')), '--content-type');
    expectUsageError(
      await runMesh(['udf', 'digest', '--content-type', 'a', '--bits', '9000', '-'], text('x')),
      '--bits',
    );
    expectUsageError(
      await runMesh(['udf', 'digest', '--content-type', 'a', '--bits', 'ten', '-'], text('x')),
      '--bits',
    );
    expectUsageError(await runMesh(['udf', 'digest', '--content-type', 'a', '--alg', 'md5', '-'], text('x')), '--alg');
    expectUsageError(await runMesh(['udf', 'digest', '--content-type', 'a'], text('x')), '<file>');
  });
});

describe('mesh udf authenticator (T2)', () => {
  it('reproduces the published authenticator', async () => {
    const r = await runMesh(
      ['udf', 'authenticator', '--key', t2.key, '--content-type', t2.contentType, '-'],
      text(t2.data),
    );
    expect(r).toMatchObject({ status: 0, stdout: 'ABGM-G76T-7GPF-FTYH-SB2F-HBDF-SW6B' });
  });

  it('gives a different value under another key or content type', async () => {
    const other = await runMesh(
      ['udf', 'authenticator', '--key', 'NDD7-6CMX-H2FW-ISAL-K4VB-DQ3E-PEDN', '--content-type', 'text/plain', '-'],
      text(t2.data),
    );
    const noType = await runMesh(['udf', 'authenticator', '--key', t2.key, '-'], text(t2.data));
    expect(other.stdout).not.toBe('ABGM-G76T-7GPF-FTYH-SB2F-HBDF-SW6B');
    expect(noType.stdout).not.toBe('ABGM-G76T-7GPF-FTYH-SB2F-HBDF-SW6B');
    expectUsageError(await runMesh(['udf', 'authenticator', '-'], text('x')), '--key');
  });
});

describe('mesh udf key (T3, T11)', () => {
  it('reproduces the published key fingerprints', async () => {
    for (const key of t3.keys as Array<{ alg: string; publicKey: string; fingerprint: string }>) {
      const r = await runMesh(['udf', 'key', '--alg', key.alg.toLowerCase(), '--public', key.publicKey]);
      expect(r, key.alg).toMatchObject({ status: 0, stdout: key.fingerprint });
    }
    const ed25519 = base64urlEncode(Uint8Array.from(Buffer.from(t3.ed25519.publicKeyHex.replace(/ /g, ''), 'hex')));
    expect((await runMesh(['udf', 'key', '--alg', 'ed25519', '--public', ed25519])).stdout).toBe(
      t3.ed25519.fingerprint,
    );
  });

  it('rejects a wrong-length or malformed key, naming --public', async () => {
    expectUsageError(await runMesh(['udf', 'key', '--alg', 'ed448', '--public', 'AAAA']), '--public');
    expectUsageError(await runMesh(['udf', 'key', '--alg', 'ed448', '--public', 'a$b']), '--public');
    expectUsageError(await runMesh(['udf', 'key', '--alg', 'rsa', '--public', 'AAAA']), '--alg');
  });
});

describe('mesh key derive (T11)', () => {
  it.each(t11.publicKeys as Array<{ keyName: string; alg: string; public: string; udf: string }>)(
    'reproduces $keyName',
    async (key) => {
      const r = await runMesh(['key', 'derive', '--seed', t11.seed, '--name', key.keyName, '--json']);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ alg: key.alg, public: key.public, udf: key.udf });
    },
  );

  it('rejects a bad seed or key name, naming the argument', async () => {
    expectUsageError(
      await runMesh(['key', 'derive', '--seed', 'MDDK-7N6A-727A-JZNO-STRX-XKS7-DJAF', '--name', 'BaseDeviceSign']),
      '--seed',
    );
    expectUsageError(await runMesh(['key', 'derive', '--seed', t11.seed, '--name', 'BaseDeviceSing']), '--name');
    expectUsageError(await runMesh(['key', 'derive', '--name', 'BaseDeviceSign']), '--seed');
  });
});

describe('mesh key combine (T13)', () => {
  it('gives the public key of the combined private key (self-consistency; T13 combined values are withheld)', async () => {
    for (const key of t13.keys as Array<{ operation: string; alg: string }>) {
      const base = deriveKeyPair(t11.seed, `BaseDevice${key.operation}`);
      const contribution = deriveKeyPair(t13.activationKey, `ActivationDevice${key.operation}`);
      const combined = combineKeyPairs(base, contribution);
      const r = await runMesh([
        'key',
        'combine',
        '--alg',
        key.alg,
        '--base-public',
        base64urlEncode(base.publicKey),
        '--activation-seed',
        t13.activationKey,
        '--name',
        `ActivationDevice${key.operation}`,
        '--json',
      ]);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.public).toBe(base64urlEncode(recomputePublicKey(combined)));
      expect(out.udf).toMatch(/^M[A-D]/);
      if (key.alg === 'Ed448') {
        const message = text('combined key signs');
        expect(verifySignature('Ed448', base64urlDecode(out.public), message, combined.sign(message))).toBe(true);
      }
    }
  });

  it('combines the published T13 base keys into valid keys of the right algorithm', async () => {
    for (const key of t13.keys as Array<{ operation: string; alg: string; basePublic: string }>) {
      const r = await runMesh([
        'key',
        'combine',
        '--alg',
        key.alg.toLowerCase(),
        '--base-public',
        key.basePublic,
        '--activation-seed',
        t13.activationKey,
        '--name',
        `ActivationDevice${key.operation}`,
        '--json',
      ]);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(base64urlDecode(out.public)).toHaveLength(57);
      expect(out.public).not.toBe(key.basePublic);
      const again = await runMesh(['udf', 'key', '--alg', key.alg, '--public', out.public]);
      expect(again.stdout).toBe(out.udf);
    }
  });

  it('rejects a base key that is not on the curve', async () => {
    const bad = base64urlEncode(new Uint8Array(57).fill(0xff));
    expectUsageError(
      await runMesh([
        'key',
        'combine',
        '--alg',
        'ed448',
        '--base-public',
        bad,
        '--activation-seed',
        t13.activationKey,
        '--name',
        'ActivationDeviceSign',
      ]),
      '--base-public',
    );
  });
});

describe('mesh preconfig derive (T11, T12)', () => {
  it('reproduces the published 256-bit ConnectUri', async () => {
    const r = await runMesh([
      'preconfig',
      'derive',
      '--seed',
      t11uri.seed,
      '--maker',
      t11uri.publisherAccount,
      '--bits',
      '256',
      '--json',
    ]);
    expect(JSON.parse(r.stdout).connectUri).toBe(t11uri.connectUri);
  });

  it('derives claim values that verify on both sides (T12 values are withheld)', async () => {
    const seed = t12.seed as string;
    const r = await runMesh([
      'preconfig',
      'derive',
      '--seed',
      seed,
      '--maker',
      'maker@example.com',
      '--claimant',
      'alice@example.com',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.connectUri).toMatch(/^mcu:\/\/maker@example\.com\/E[A-Z2-7]{3}(-[A-Z2-7]{4}){5}-[A-Z2-7]{2}$/);
    expect(out.publicationId).toMatch(/^EBQ/);
    const key = connectKey(seed, 'maker@example.com', 120);
    expect(out.connectUri.endsWith(key)).toBe(true);
    expect(verifyServiceAuthenticate(out.serviceAuthenticate, 'alice@example.com', out.authenticator)).toBe(true);
    expect(verifyServiceAuthenticate(out.serviceAuthenticate, 'mallory@example.com', out.authenticator)).toBe(false);
    expect(verifyDeviceAuthenticate(out.deviceAuthenticate, 'alice@example.com', deviceAuthenticator(key))).toBe(true);
    const plain = await runMesh(['preconfig', 'derive', '--seed', seed, '--maker', 'maker@example.com']);
    expect(plain.stdout).toBe(out.connectUri);
  });

  it('rejects bad makers, claimants and precisions', async () => {
    expectUsageError(await runMesh(['preconfig', 'derive', '--seed', t11uri.seed, '--maker', 'maker']), '--maker');
    expectUsageError(
      await runMesh(['preconfig', 'derive', '--seed', t11uri.seed, '--maker', 'm@x.com', '--bits', '121']),
      '--bits',
    );
    expectUsageError(await runMesh(['preconfig', 'derive', '--seed', 'ZAAQ', '--maker', 'm@x.com']), '--seed');
    expectUsageError(
      await runMesh(['preconfig', 'derive', '--seed', t11uri.seed, '--maker', 'm@x.com', '--claimant', 'bob']),
      '--claimant',
    );
  });
});
