/**
 * Core crypto rates: each operation of the Mesh core beside node:crypto's native rate for
 * the same standard operation, measured in this run. Also the time to derive
 * a whole device profile (4 keys and the self-signed envelope) from a seed; target < 30 ms.
 */
import { diffieHellman, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { combinePublicKeys } from '../../src/crypto/co-generation.js';
import { combineKeyPairs, verifySignature } from '../../src/crypto/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import { createEnvelope } from '../../src/mesh/dare/create-envelope.js';
import { deriveKeyPair } from '../../src/mesh/keys/derive-key.js';
import { keyDataOf } from '../../src/mesh/keys/key-data.js';
import { encodeTaggedBytes } from '../../src/mesh/objects/registry.js';
import { newDerivedKeySeedUdf, KeySpecifier } from '../../src/mesh/udf/derived-key-seed.js';
import { keyFingerprint } from '../../src/mesh/udf/key-fingerprint.js';
import { measure, printTable, rateRow, type Row } from './measure.js';

const random = seededRandom(42);
const seeds = Array.from({ length: 64 }, () => newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random));
let i = 0;
const nextSeed = () => seeds[i++ % seeds.length] as string;
const message = new Uint8Array(64).fill(7);

// node:crypto baselines: the same standard operation on native keys.
const nodeEd448 = generateKeyPairSync('ed448');
const nodeX448a = generateKeyPairSync('x448');
const nodeX448b = generateKeyPairSync('x448');
const nodeSignature = nodeSign(null, message, nodeEd448.privateKey);
const baseline = {
  keygenEd448: measure(() => generateKeyPairSync('ed448')),
  keygenX448: measure(() => generateKeyPairSync('x448')),
  sign: measure(() => nodeSign(null, message, nodeEd448.privateKey)),
  verify: measure(() => nodeVerify(null, message, nodeEd448.publicKey, nodeSignature)),
  ecdh: measure(() => diffieHellman({ privateKey: nodeX448a.privateKey, publicKey: nodeX448b.publicKey })),
};

const seed = seeds[0] as string;
const edKey = deriveKeyPair(seed, 'BaseDeviceSign');
const xKey = deriveKeyPair(seed, 'BaseDeviceEncrypt');
const peer = deriveKeyPair(seeds[1] as string, 'BaseDeviceEncrypt');
const activation = newDerivedKeySeedUdf(KeySpecifier.MeshActivationAccount, random);
const edContribution = deriveKeyPair(activation, 'ActivationDeviceSign');
const xContribution = deriveKeyPair(activation, 'ActivationDeviceEncrypt');
const combinedEd = combineKeyPairs(edKey, edContribution);
const combinedX = combineKeyPairs(xKey, xContribution);
const edSignature = edKey.sign(message);

const rows: Row[] = [
  rateRow(
    'derive Ed448 from seed',
    measure(() => deriveKeyPair(nextSeed(), 'BaseDeviceSign')),
    'node ed448 keygen',
    baseline.keygenEd448,
  ),
  rateRow(
    'derive X448 from seed',
    measure(() => deriveKeyPair(nextSeed(), 'BaseDeviceEncrypt')),
    'node x448 keygen',
    baseline.keygenX448,
  ),
  rateRow(
    'sign Ed448 (derived key)',
    measure(() => edKey.sign(message)),
    'node ed448 sign',
    baseline.sign,
  ),
  rateRow(
    'sign Ed448 (combined key)',
    measure(() => combinedEd.sign(message)),
    'node ed448 sign',
    baseline.sign,
  ),
  rateRow(
    'verify Ed448',
    measure(() => verifySignature('Ed448', edKey.publicKey, message, edSignature)),
    'node ed448 verify',
    baseline.verify,
  ),
  rateRow(
    'ECDH X448 (derived key)',
    measure(() => xKey.agree(peer.publicKey)),
    'node x448 ECDH',
    baseline.ecdh,
  ),
  rateRow(
    'ECDH X448 (combined key)',
    measure(() => combinedX.agree(peer.publicKey)),
    'node x448 ECDH',
    baseline.ecdh,
  ),
  rateRow(
    'combine Ed448 public keys',
    measure(() => combinePublicKeys('Ed448', edKey.publicKey, edContribution.publicKey)),
    'node ed448 keygen',
    baseline.keygenEd448,
  ),
  rateRow(
    'combine X448 public keys',
    measure(() => combinePublicKeys('X448', xKey.publicKey, xContribution.publicKey)),
    'node x448 ECDH',
    baseline.ecdh,
  ),
];

/** A whole ProfileDevice: the four base keys and the self-signed envelope. */
function deriveProfile(deviceSeed: string): void {
  const profileKey = deriveKeyPair(deviceSeed, 'BaseDeviceProfile');
  const profile = {
    ProfileSignature: keyDataOf(profileKey),
    Encryption: keyDataOf(deriveKeyPair(deviceSeed, 'BaseDeviceEncrypt')),
    Signature: keyDataOf(deriveKeyPair(deviceSeed, 'BaseDeviceSign')),
    Authentication: keyDataOf(deriveKeyPair(deviceSeed, 'BaseDeviceAuthenticate')),
  };
  createEnvelope(encodeTaggedBytes('ProfileDevice', profile as never), {
    signers: [{ key: profileKey, kid: keyFingerprint(profileKey) }],
  });
}
const profileBaseline = measure(() => {
  generateKeyPairSync('ed448');
  generateKeyPairSync('x448');
  generateKeyPairSync('ed448');
  generateKeyPairSync('x448');
  nodeSign(null, message, nodeEd448.privateKey);
});
const profile = measure(() => deriveProfile(nextSeed()), 1000);
rows.push({
  name: 'device profile from seed (4 keys + signed envelope)',
  value: `${profile.msPerOp.toFixed(2)} ms (target < 30 ms: ${profile.msPerOp < 30 ? 'met' : 'NOT met'})`,
  baselineName: 'node: 4 keygens + 1 sign',
  baseline: `${profileBaseline.msPerOp.toFixed(2)} ms`,
  ratio: `${(profile.msPerOp / profileBaseline.msPerOp).toFixed(2)}x slower`,
});
printTable(rows);
