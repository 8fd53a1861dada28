/**
 * @module service/service-identity
 * The service's own key: a MeshProfileService (0x0104) seed created on first start in the data
 * directory and reused afterwards, from which the service derives the key that signs
 * AcknowledgeConnection (docs/service-protocol.md "ConnectStart") and the ProfileService it
 * publishes in Hello. The seed file is written 0600 to a temp file, fsync'd, and linked into
 * place (link fails if the name exists), so two instances starting together on one data
 * directory agree on a single identity and a crash never leaves a half-written seed.
 */
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MeshError } from '../crypto/errors.js';
import type { KeyPair } from '../crypto/key-pair.js';
import type { RandomSource } from '../crypto/random.js';
import type { Signer } from '../mesh/dare/signature.js';
import type { EnvelopeJson } from '../mesh/schema/index.js';
import { KeySpecifier, newDerivedKeySeedUdf, parseDerivedKeySeed } from '../mesh/udf/derived-key-seed.js';
import { keyFingerprint } from '../mesh/udf/key-fingerprint.js';
import { createProfileService, serviceKeyPairs } from '../mesh/profiles/profile-service.js';

export const SERVICE_SEED_FILE = 'service-seed';

/** The service identity file is unusable (wrong kind of seed, unreadable, bad mode). */
export class ServiceIdentityError extends MeshError {
  readonly code = 'ERR_SERVICE_IDENTITY';
}

export interface ServiceIdentity {
  /** The ProfileService UDF (its ProfileSignature fingerprint). */
  readonly udf: string;
  /** ServiceSignature: signs AcknowledgeConnection. */
  readonly signer: Signer;
  readonly profileSignature: KeyPair;
  /**
   * ServiceEncryption: an owner may add it as a recipient of RespondConnection so the service
   * can read the Result and keep the device catalog (mesh/connect/respond-connection).
   */
  readonly encryption: KeyPair;
  /** The self-signed ProfileService, JSON form, for Hello. */
  readonly envelopedProfileService: EnvelopeJson;
}

/** The identity of a ProfileService seed (pure: no I/O). */
export function serviceIdentityFromSeed(seed: string): ServiceIdentity {
  const { specifier } = parseDerivedKeySeed(seed, 'service seed');
  if (specifier !== KeySpecifier.MeshProfileService) {
    throw new ServiceIdentityError(
      `"service seed" expected a MeshProfileService seed (specifier 0x0104), got specifier 0x${specifier.toString(16).padStart(4, '0')}`,
      { context: { what: 'service seed' } },
    );
  }
  const keys = serviceKeyPairs(seed);
  const profile = createProfileService(seed, { keys, description: 'Mesh service' });
  return {
    udf: profile.udf,
    signer: { key: keys.serviceSignature, kid: keyFingerprint(keys.serviceSignature) },
    profileSignature: keys.profileSignature,
    encryption: keys.serviceEncryption,
    envelopedProfileService: profile.json,
  };
}

export function newServiceSeed(random: RandomSource): string {
  return newDerivedKeySeedUdf(KeySpecifier.MeshProfileService, random);
}

/** Reads `<dataDirectory>/service-seed`, creating it on first start. */
export async function loadOrCreateServiceIdentity(
  dataDirectory: string,
  random: RandomSource,
): Promise<ServiceIdentity> {
  await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
  const path = join(dataDirectory, SERVICE_SEED_FILE);
  let seed = await readSeed(path);
  if (seed === undefined) {
    const temp = join(dataDirectory, `.${SERVICE_SEED_FILE}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(`${newServiceSeed(random)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, path);
      } catch (error) {
        // Another instance created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const directory = await open(dataDirectory, 'r');
      await directory.sync().catch(() => undefined);
      await directory.close();
    } finally {
      await rm(temp, { force: true });
    }
    seed = await readSeed(path);
    if (seed === undefined) throw new ServiceIdentityError(`cannot create the service seed in ${dataDirectory}`);
  }
  return serviceIdentityFromSeed(seed);
}

async function readSeed(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServiceIdentityError(
      `cannot read the service seed ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
  const seed = text.trim();
  if (seed === '') throw new ServiceIdentityError(`the service seed file ${path} is empty`);
  return seed;
}
