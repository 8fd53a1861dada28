/**
 * @module cli/owner/owner-session
 * Everything an owner command needs, opened once: the home directory, the stored profile
 * re-verified and checked against the seed it claims to come from, the account's private
 * keys (derived from the seed, never written out), a client for the account's service, and
 * the signer that puts the Mesh-Authorization header (admin key) on owner transactions.
 */
import type { RandomSource } from '../../crypto/random.js';
import { systemRandom } from '../../crypto/random.js';
import type { MeshError } from '../../crypto/errors.js';
import {
  accountKeyPairs,
  verifyProfileAccount,
  type AccountKeyPairs,
  type VerifiedProfileAccount,
} from '../../mesh/profiles/profile-account.js';
import { verifyProfileService, type VerifiedProfileService } from '../../mesh/profiles/profile-service.js';
import { keyFingerprint } from '../../mesh/udf/key-fingerprint.js';
import {
  MalformedResponseError,
  ProtocolError,
  ResponseTooLargeError,
  ServiceUnavailableError,
} from '../../platform/http/http-errors.js';
import { IncompatibleServiceError } from '../../platform/http/hello-check.js';
import { MeshClient, type RequestSigner } from '../../platform/http/mesh-client.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import { CheckFailedError } from '../cli-errors.js';
import { HomeCorruptError } from './home-errors.js';
import type { OwnerProfileRecord } from './home-records.js';
import { OwnerHome } from './owner-home.js';
import { meshAuthorizationSigner } from './request-signer.js';

export interface OwnerEnvironment {
  readonly now: () => Date;
  readonly random: RandomSource;
  /** Client options for tests (a shorter timeout). */
  readonly timeoutMs?: number;
}

export const defaultOwnerEnvironment: OwnerEnvironment = { now: () => new Date(), random: systemRandom };

export interface OwnerSession {
  readonly home: OwnerHome;
  readonly record: OwnerProfileRecord;
  readonly profile: VerifiedProfileAccount;
  readonly keys: AccountKeyPairs;
  readonly client: MeshClient;
  /** Signs owner transactions with the AdministratorSignature key. */
  readonly signer: RequestSigner;
  readonly env: OwnerEnvironment;
}

/** Opens the profile at `directory` and checks the seed regenerates the stored profile. */
export async function openOwnerSession(
  directory: string,
  env: OwnerEnvironment = defaultOwnerEnvironment,
  allowInsecureHttp = false,
): Promise<OwnerSession> {
  const home = await OwnerHome.open(directory);
  const record = await home.readProfile();
  const secrets = await home.readSecrets();
  let keys: AccountKeyPairs;
  try {
    keys = accountKeyPairs(secrets.AccountSeed);
  } catch (cause) {
    // The library's message names the field, never the seed.
    throw new HomeCorruptError(
      `${home.directory}/secrets.json: the account seed is unusable (${(cause as Error).message})`,
      {
        context: { directory: home.directory },
      },
    );
  }
  let profile: VerifiedProfileAccount;
  try {
    profile = verifyProfileAccount(record.EnvelopedProfileAccount, 'profile.EnvelopedProfileAccount');
  } catch (cause) {
    throw new HomeCorruptError(
      `${home.directory}/profile.json: the stored profile does not verify (${(cause as Error).message})`,
      {
        cause,
        context: { directory: home.directory },
      },
    );
  }
  if (
    profile.udf !== keyFingerprint(keys.profileSignature) ||
    keyFingerprint(profile.keys.administratorSignature) !== keyFingerprint(keys.administratorSignature)
  ) {
    throw new HomeCorruptError(
      `${home.directory}: the seed in secrets.json does not regenerate the profile in profile.json`,
      {
        context: { directory: home.directory },
      },
    );
  }
  if (profile.accountAddress !== record.Account || profile.udf !== record.ProfileUdf) {
    throw new HomeCorruptError(
      `${home.directory}/profile.json: Account or ProfileUdf disagrees with the enveloped profile`,
      {
        context: { directory: home.directory },
      },
    );
  }
  const client = ownerClient(record.Service, env, allowInsecureHttp);
  const signer = meshAuthorizationSigner({
    account: record.Account,
    key: keys.administratorSignature,
    now: env.now,
    random: env.random,
  });
  return { home, record, profile, keys, client, signer, env };
}

/** A client for `service` with the owner environment's timeout and the transport policy. */
export function ownerClient(service: string, env: OwnerEnvironment, allowInsecureHttp: boolean): MeshClient {
  return new MeshClient({
    service,
    allowInsecureHttp,
    ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
  });
}

/**
 * Hello, and the service's verified profile. A service whose Hello offers no version and
 * encoding this client speaks is an IncompatibleServiceError (platform/http/hello-check.ts,
 * mesh-security-05 §3.5). When the account profile names a ServiceUdf,
 * the service must present that profile: its key is what AcknowledgeConnection is checked
 * against, so a different service (or a man in the middle) cannot slip in.
 */
export async function helloService(
  client: MeshClient,
  expectedServiceUdf?: string,
): Promise<VerifiedProfileService | undefined> {
  const hello = await client.hello();
  if (hello.EnvelopedProfileService === undefined) {
    if (expectedServiceUdf === undefined) return undefined;
    throw new CheckFailedError(
      `${client.endpoint} presented no service profile, but the account profile names ${expectedServiceUdf}`,
      {
        context: { expected: expectedServiceUdf },
      },
    );
  }
  let service: VerifiedProfileService;
  try {
    service = verifyProfileService(hello.EnvelopedProfileService, 'HelloResponse.EnvelopedProfileService');
  } catch (cause) {
    throw new CheckFailedError(
      `${client.endpoint} presented a service profile that does not verify (${(cause as Error).message})`,
      { cause },
    );
  }
  if (expectedServiceUdf !== undefined && service.udf !== expectedServiceUdf) {
    throw new CheckFailedError(
      `${client.endpoint} presented service profile ${service.udf}, but the account profile names ${expectedServiceUdf}`,
      { context: { expected: expectedServiceUdf, actual: service.udf } },
    );
  }
  return service;
}

/** Whether `error` is the service refusing, failing or being unreachable. */
export function isServiceError(error: unknown): error is MeshError {
  return (
    error instanceof ProtocolError ||
    error instanceof IncompatibleServiceError ||
    error instanceof ServiceUnavailableError ||
    error instanceof MalformedResponseError ||
    error instanceof ResponseTooLargeError
  );
}

/**
 * Runs `fn`, turning a service failure into exit status 1 (a check that said no) rather
 * than 2, which `mesh` keeps for bad input and an unusable home.
 */
export async function serviceStep<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // The message may echo what the service said: shown neutralised.
    if (isServiceError(error)) throw new CheckFailedError(terminalText(error.message, 600), { cause: error });
    throw error;
  }
}
