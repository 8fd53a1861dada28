/**
 * @module test/unit/mesh/connect/flow-fixtures
 * Shared actors of the connection-flow tests: seeds from a pinned random source, a
 * service, two owners and a device, each with its verified profile.
 */
import { seededRandom, type RandomSource } from '../../../../src/crypto/random.js';
import {
  accountKeyPairs,
  createProfileAccount,
  verifyProfileAccount,
} from '../../../../src/mesh/profiles/profile-account.js';
import {
  createProfileService,
  serviceKeyPairs,
  verifyProfileService,
} from '../../../../src/mesh/profiles/profile-service.js';
import { signerOf } from '../../../../src/mesh/profiles/signed-object.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../../src/mesh/udf/derived-key-seed.js';

export function seedOf(kind: keyof typeof KeySpecifier, random: RandomSource): string {
  return newDerivedKeySeedUdf(KeySpecifier[kind], random);
}

export function makeService(random: RandomSource) {
  const seed = seedOf('MeshProfileService', random);
  const keys = serviceKeyPairs(seed);
  const created = createProfileService(seed, { keys });
  const verified = verifyProfileService(created.json);
  return { seed, keys, verified, signer: signerOf(keys.serviceSignature) };
}

export function makeOwner(accountAddress: string, random: RandomSource, serviceUdf?: string) {
  const seed = seedOf('MeshProfileAccount', random);
  const keys = accountKeyPairs(seed);
  const created = createProfileAccount(seed, {
    accountAddress,
    keys,
    ...(serviceUdf === undefined ? {} : { serviceUdf }),
  });
  const profile = verifyProfileAccount(created.json);
  return { seed, keys, profile, admin: signerOf(keys.administratorSignature) };
}

export function world(seed = 7) {
  const random = seededRandom(seed);
  const service = makeService(random);
  const alice = makeOwner('alice@example.com', random, service.verified.udf);
  const bob = makeOwner('bob@example.net', random, service.verified.udf);
  const deviceSeed = seedOf('MeshProfileDevice', random);
  const now = new Date('2026-11-21T10:00:00Z');
  return { random, service, alice, bob, deviceSeed, now };
}
