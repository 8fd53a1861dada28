/**
 * @module agent/first-boot
 * The device's identity at every start: factory mode imports the seed of a
 * DevicePreconfiguration into the keystore and rewrites the file without it; self mode
 * makes a seed from the system CSPRNG. Nothing is remembered about "having booted": the
 * step to take is re-derived from what is on disk and in the keystore each time, so a power
 * cut anywhere leaves a situation the next start finishes (docs/decisions/0011-crash-safe-persistence.md):
 *
 * | preconfiguration file  | keystore `device-seed`      | action                                    |
 * |------------------------|-----------------------------|-------------------------------------------|
 * | private (with seed)    | none                        | verify, import, read back, rewrite public |
 * | private                | the same seed               | rewrite public (a crash after the import) |
 * | private                | another seed                | refuse: DeviceKeyMismatchError            |
 * | public only            | the seed that regenerates it| done                                      |
 * | public only            | none                        | refuse: DeviceKeyLostError                |
 * | public only            | another seed                | refuse: DeviceKeyMismatchError            |
 * | absent                 | seed, state names it        | done (the file was removed after import)  |
 * | absent (factory mode)  | none                        | refuse: PreconfigurationError             |
 * | unreadable / tampered  | anything                    | refuse: PreconfigurationError             |
 *
 * Self mode: a seed in the keystore is used; none and no state → a fresh seed; none but a
 * state naming a device → DeviceKeyLostError (never a silent new identity).
 *
 * Order of the import: the seed is stored and read back before the file loses it, and the
 * rewrite is atomic (temp, fsync, rename, fsync dir), so at no instant is the seed in
 * neither place, and a half-written file never replaces a good one. Nothing is written
 * before the file has been verified, so a bad file leaves every piece of state untouched.
 */
import { fromUtf8, utf8 } from '../crypto/bytes.js';
import type { UncheckedObject } from '../mesh/encoding/json-value.js';
import { MeshError } from '../crypto/errors.js';
import { PreconfigurationMismatchError } from '../mesh/connect/connection-errors.js';
import {
  verifyDevicePreconfiguration,
  type VerifiedDevicePreconfiguration,
} from '../mesh/connect/device-preconfiguration.js';
import type { DeviceClaimSecrets } from '../mesh/connect/message-claim.js';
import type { ProfileDevice } from '../mesh/objects/profile-device.js';
import { createProfileDevice, verifyProfileDevice, type CreatedProfile } from '../mesh/profiles/profile-device.js';
import { requireSeedOfKind } from '../mesh/profiles/seed-type.js';
import { parseEnvelopeJson } from '../mesh/schema/envelope-json.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../mesh/udf/derived-key-seed.js';
import { DEVICE_SEED_SECRET, type AgentState, type DeviceMode, type DeviceRecord } from './agent-state.js';
import { DeviceKeyLostError, DeviceKeyMismatchError, PreconfigurationError } from './agent-errors.js';
import type { Clock } from '../crypto/clock.js';
import type { RandomSource } from '../crypto/random.js';
import type { Logger, PreconfigurationFile, SecretStore } from './ports.js';

/** The tag of the rewritten, public-only file (HEAD's DevicePreconfigurationPublic). */
export const PUBLIC_PRECONFIGURATION_TAG = 'DevicePreconfigurationPublic';
const PRIVATE_TAGS = ['DevicePreconfiguration', 'DevicePreconfigurationPrivate'];

export interface FirstBootInput {
  readonly secrets: SecretStore;
  /** Factory mode when present. */
  readonly preconfiguration?: PreconfigurationFile;
  /** The state saved by a previous start, if any. */
  readonly previous?: AgentState;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type BootStep = 'verified' | 'imported' | 'rewrote' | 'generated' | 'resumed';

export interface BootedDevice {
  /** The device seed, in memory only. */
  readonly deviceSeed: string;
  readonly device: DeviceRecord;
  readonly profile: CreatedProfile<ProfileDevice>;
  /** Factory mode: what the device keeps to check claims of its label (§6.2 (b) 2). */
  readonly claimSecrets?: DeviceClaimSecrets;
  /** What this start did, in order. */
  readonly steps: readonly BootStep[];
}

/** A parsed preconfiguration file: the body under its tag, and whether it still holds the seed. */
interface ParsedFile {
  readonly body: UncheckedObject;
  readonly hasPrivateKey: boolean;
}

function isRecord(value: unknown): value is UncheckedObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(path: string, message: string, cause?: unknown): PreconfigurationError {
  return new PreconfigurationError(`preconfiguration ${path}: ${message}`, {
    context: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads the file's JSON; what is wrong is named without echoing its content (it may hold a seed). */
export function parsePreconfigurationFile(bytes: Uint8Array, path: string): ParsedFile {
  let text: string;
  try {
    text = fromUtf8(bytes, 'preconfiguration');
  } catch (cause) {
    throw refuse(path, 'is not UTF-8 text', cause);
  }
  if (text.trim() === '') throw refuse(path, 'is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw refuse(path, `is not JSON (truncated or not a DevicePreconfiguration file; ${bytes.length} bytes)`, cause);
  }
  if (!isRecord(value)) throw refuse(path, 'expected a JSON object');
  let body: unknown = value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (PRIVATE_TAGS.includes(keys[0] as string) || keys[0] === PUBLIC_PRECONFIGURATION_TAG)) {
    body = value[keys[0] as string];
  }
  if (!isRecord(body)) throw refuse(path, `expected the ${keys[0]} object`);
  if (keys[0] === PUBLIC_PRECONFIGURATION_TAG && 'PrivateKey' in body) {
    throw refuse(path, `a ${PUBLIC_PRECONFIGURATION_TAG} must not hold PrivateKey`);
  }
  return { body, hasPrivateKey: body['PrivateKey'] !== undefined };
}

/** The file's text without its private part, every other field as it was. */
export function publicPreconfigurationText(body: UncheckedObject): string {
  const { PrivateKey: _dropped, ...rest } = body;
  return `${JSON.stringify({ [PUBLIC_PRECONFIGURATION_TAG]: rest }, null, 2)}\n`;
}

function verifyWithSeed(
  body: UncheckedObject,
  seed: string | undefined,
  path: string,
  source: string,
): VerifiedDevicePreconfiguration {
  const candidate =
    seed === undefined
      ? body
      : { ...body, PrivateKey: { PrivateKeyUDF: { PrivateValue: seed, KeyType: 'MeshProfileDevice' } } };
  try {
    // The envelope shape first, for a precise message on a mangled file.
    parseEnvelopeJson(candidate['EnvelopedProfileDevice'], 'DevicePreconfiguration.EnvelopedProfileDevice');
    return verifyDevicePreconfiguration(candidate);
  } catch (cause) {
    if (!(cause instanceof MeshError)) throw cause;
    // Decided by the error's class and the field it names, never by its wording.
    const field = cause instanceof PreconfigurationMismatchError ? String(cause.context['what'] ?? '') : '';
    if (seed !== undefined && field.startsWith('DevicePreconfiguration.PrivateKey')) {
      throw new DeviceKeyMismatchError(
        `preconfiguration ${path}: the device seed in the keystore (${source}) does not regenerate its ProfileDevice; refusing to use either`,
        { context: { path }, cause },
      );
    }
    throw refuse(path, cause.message, cause);
  }
}

async function storedSeed(secrets: SecretStore): Promise<string | undefined> {
  const bytes = await secrets.get(DEVICE_SEED_SECRET);
  if (bytes === undefined) return undefined;
  let seed: string;
  try {
    seed = requireSeedOfKind(fromUtf8(bytes, DEVICE_SEED_SECRET), 'MeshProfileDevice', DEVICE_SEED_SECRET);
  } catch (cause) {
    throw new DeviceKeyMismatchError(`keystore secret "${DEVICE_SEED_SECRET}" is not a MeshProfileDevice seed`, {
      cause,
    });
  }
  return seed;
}

/** Stores the seed and reads it back: the file loses its copy only once the keystore has it. */
async function importSeed(secrets: SecretStore, seed: string): Promise<void> {
  await secrets.put(DEVICE_SEED_SECRET, utf8(seed));
  const back = await storedSeed(secrets);
  if (back !== seed) {
    throw new DeviceKeyMismatchError(
      `keystore ${secrets.describe()} did not return the device seed just stored; the preconfiguration is kept`,
    );
  }
}

function checkPrevious(previous: AgentState | undefined, udf: string, where: string): void {
  if (previous !== undefined && previous.device.udf !== udf) {
    throw new DeviceKeyMismatchError(
      `the state file names device ${previous.device.udf} but ${where} is device ${udf}; refusing to mix two identities`,
      { context: { state: previous.device.udf, device: udf } },
    );
  }
}

function deviceRecordOf(
  verified: VerifiedDevicePreconfiguration,
  previous: AgentState | undefined,
  now: Date,
): DeviceRecord {
  const description = verified.profile.profile.Description;
  return {
    udf: verified.profile.udf,
    mode: 'factory',
    ...(description === undefined ? {} : { description }),
    connectUri: verified.connectUri,
    makerAccount: verified.makerAccount,
    publicationId: verified.publicationId,
    created: previous?.device.created ?? now.toISOString(),
  };
}

function factoryResult(
  seed: string,
  verified: VerifiedDevicePreconfiguration,
  device: DeviceRecord,
  steps: BootStep[],
): BootedDevice {
  // verifyDevicePreconfiguration has just regenerated the profile from this seed and found
  // its keys and UDF equal to the enveloped one: use that, rather than deriving it again.
  return {
    deviceSeed: seed,
    device,
    profile: verified.profile,
    claimSecrets: {
      publicationId: verified.publicationId,
      serviceAuthenticator: verified.serviceAuthenticator,
      deviceAuthenticator: verified.deviceAuthenticator,
    },
    steps,
  };
}

async function factoryBoot(input: FirstBootInput, file: PreconfigurationFile): Promise<BootedDevice> {
  const { secrets, previous, logger } = input;
  const now = input.clock.now();
  const bytes = await file.read();
  const existing = await storedSeed(secrets);

  if (bytes === undefined) {
    // Imported earlier and the file removed since: the state carries what the file gave.
    if (
      existing !== undefined &&
      previous !== undefined &&
      previous.device.mode === 'factory' &&
      previous.device.connectUri !== undefined
    ) {
      const pseudo = {
        EnvelopedProfileDevice: createProfileDevice(
          existing,
          previous.device.description === undefined ? {} : { description: previous.device.description },
        ).json,
        ConnectUri: previous.device.connectUri,
      };
      const verified = verifyWithSeed(pseudo, existing, file.path, secrets.tier);
      checkPrevious(previous, verified.profile.udf, 'the keystore seed');
      logger.log('warn', 'preconfiguration file is gone; using the imported seed and the state file', {
        path: file.path,
      });
      return factoryResult(existing, verified, deviceRecordOf(verified, previous, now), ['resumed']);
    }
    if (previous !== undefined && existing === undefined) {
      throw new DeviceKeyLostError(
        `device ${previous.device.udf} has no seed in keystore ${secrets.describe()} and no preconfiguration at ${file.path}: the key was lost`,
      );
    }
    throw refuse(file.path, 'does not exist (factory mode needs the DevicePreconfiguration file)');
  }

  const parsed = parsePreconfigurationFile(bytes, file.path);
  if (parsed.hasPrivateKey) {
    const verified = verifyWithSeed(parsed.body, undefined, file.path, '');
    checkPrevious(previous, verified.profile.udf, `the preconfiguration ${file.path}`);
    const steps: BootStep[] = ['verified'];
    if (existing === undefined) {
      await importSeed(secrets, verified.deviceSeed);
      steps.push('imported');
      logger.log('info', 'device seed imported into the keystore', { path: file.path, keystore: secrets.tier });
    } else if (existing !== verified.deviceSeed) {
      throw new DeviceKeyMismatchError(
        `preconfiguration ${file.path} holds another device seed than keystore ${secrets.describe()} already does; refusing to replace a key (remove one of them deliberately)`,
        { context: { path: file.path } },
      );
    }
    await file.replace(publicPreconfigurationText(parsed.body));
    steps.push('rewrote');
    logger.log('info', 'preconfiguration rewritten without its private part', { path: file.path });
    return factoryResult(verified.deviceSeed, verified, deviceRecordOf(verified, previous, now), steps);
  }

  if (existing === undefined) {
    throw new DeviceKeyLostError(
      `preconfiguration ${file.path} was imported (it holds no seed any more) but keystore ${secrets.describe()} has no device seed: the key was lost`,
      { context: { path: file.path } },
    );
  }
  const verified = verifyWithSeed(parsed.body, existing, file.path, secrets.tier);
  checkPrevious(previous, verified.profile.udf, `the preconfiguration ${file.path}`);
  return factoryResult(existing, verified, deviceRecordOf(verified, previous, now), ['resumed']);
}

async function selfBoot(input: FirstBootInput): Promise<BootedDevice> {
  const { secrets, previous, logger } = input;
  const now = input.clock.now();
  let seed = await storedSeed(secrets);
  const steps: BootStep[] = [];
  if (seed === undefined) {
    if (previous !== undefined) {
      throw new DeviceKeyLostError(
        `device ${previous.device.udf} has no seed in keystore ${secrets.describe()}: the key was lost`,
      );
    }
    seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, input.random);
    await importSeed(secrets, seed);
    steps.push('generated');
    logger.log('info', 'device seed generated from the system CSPRNG and stored in the keystore', {
      keystore: secrets.tier,
    });
  } else {
    steps.push('resumed');
  }
  const description = previous?.device.description;
  const profile = createProfileDevice(seed, description === undefined ? {} : { description });
  checkPrevious(previous, profile.udf, 'the keystore seed');
  const device: DeviceRecord = previous?.device ?? { udf: profile.udf, mode: 'self', created: now.toISOString() };
  return { deviceSeed: seed, device, profile, steps };
}

/**
 * The identity a start can show before it has re-derived anything (the cold
 * start to "fingerprint shown"). Re-deriving the profile from the seed costs Ed448 base
 * multiplications in BigInt, the slowest part of a start, and proves only what an earlier
 * start already proved; a person at the device should not wait for it to see which device
 * this is. bootDevice still proves it before anything is imported, connected or signed, and
 * a start whose proof names another UDF is refused (Agent.start).
 */
export interface KnownIdentity {
  readonly udf: string;
  readonly mode: DeviceMode;
  /**
   * `state`: saved by an earlier start after bootDevice proved it. `preconfiguration`: the
   * first boot's EnvelopedProfileDevice, whose self-signature has been checked (node's
   * native Ed448); that its seed regenerates it is bootDevice's check, still to come.
   */
  readonly source: 'state' | 'preconfiguration';
}

/**
 * What can be shown at once: the saved state's device, else a factory preconfiguration's
 * validly self-signed profile; undefined for a first self-mode boot (its seed does not
 * exist yet) or a file bootDevice is about to refuse (it names the problem itself).
 */
export async function knownIdentity(
  previous: AgentState | undefined,
  preconfiguration: PreconfigurationFile | undefined,
): Promise<KnownIdentity | undefined> {
  if (previous !== undefined) return { udf: previous.device.udf, mode: previous.device.mode, source: 'state' };
  if (preconfiguration === undefined) return undefined;
  try {
    const bytes = await preconfiguration.read();
    if (bytes === undefined) return undefined;
    const { body } = parsePreconfigurationFile(bytes, preconfiguration.path);
    const profile = verifyProfileDevice(
      body['EnvelopedProfileDevice'] as Parameters<typeof verifyProfileDevice>[0],
      'DevicePreconfiguration.EnvelopedProfileDevice',
    );
    return { udf: profile.udf, mode: 'factory', source: 'preconfiguration' };
  } catch (error) {
    // A bad file is bootDevice's to report, with its full explanation.
    if (error instanceof MeshError) return undefined;
    throw error;
  }
}

/**
 * Establishes the device identity for this start (see the module comment for every case).
 * @throws PreconfigurationError, DeviceKeyLostError, DeviceKeyMismatchError; keystore errors.
 */
export async function bootDevice(input: FirstBootInput): Promise<BootedDevice> {
  return input.preconfiguration === undefined ? selfBoot(input) : factoryBoot(input, input.preconfiguration);
}
