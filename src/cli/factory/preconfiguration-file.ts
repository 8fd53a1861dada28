/**
 * @module cli/factory/preconfiguration-file
 * Reading a device's preconfiguration for its label: either the device's own
 * `.medk` (with the seed: checked in full by verifyDevicePreconfiguration, docs/mesh-compatibility.md
 * §6.2 (b) 2) or the maker's public record of it (no seed, as labels are printed from the
 * maker's records). The public form can be checked only so far: the ProfileDevice must be
 * validly self-signed and the ConnectUri a static-QR URI; that the ConnectUri belongs to
 * that profile needs the seed (or the maker's service: a claim decrypts the publication).
 */
import { MeshError } from '../../crypto/errors.js';
import { parseConnectUri } from '../../mesh/connect/connect-uri.js';
import { PreconfigurationMismatchError } from '../../mesh/connect/connection-errors.js';
import { verifyDevicePreconfiguration } from '../../mesh/connect/device-preconfiguration.js';
import { verifyProfileDevice } from '../../mesh/profiles/profile-device.js';
import { isPlainObject } from '../../mesh/schema/index.js';

export const PRECONFIGURATION_TAGS = [
  'DevicePreconfiguration',
  'DevicePreconfigurationPrivate',
  'DevicePreconfigurationPublic',
] as const;

export interface LabelSource {
  readonly deviceUdf: string;
  readonly connectUri: string;
  readonly makerAccount: string;
  readonly description?: string;
  /** Whether the file held the seed (and so was checked in full). */
  readonly private: boolean;
}

function mismatch(field: string, message: string, cause?: unknown): PreconfigurationMismatchError {
  return new PreconfigurationMismatchError(`"${field}" ${message}`, {
    context: { what: field },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The label's content from a parsed preconfiguration file (private or public form). */
export function labelSourceOf(json: unknown): LabelSource {
  let inner: unknown = json;
  let tag = 'DevicePreconfiguration';
  if (isPlainObject(json) && Object.keys(json).length === 1) {
    const [only] = Object.keys(json) as [string];
    if ((PRECONFIGURATION_TAGS as readonly string[]).includes(only)) {
      tag = only;
      inner = json[only];
    }
  }
  if (!isPlainObject(inner)) throw mismatch(tag, 'expected an object');
  if (inner['PrivateKey'] !== undefined) {
    const verified = verifyDevicePreconfiguration({ DevicePreconfiguration: inner });
    const description = verified.profile.profile.Description;
    return {
      deviceUdf: verified.profile.udf,
      connectUri: verified.connectUri,
      makerAccount: verified.makerAccount,
      ...(description === undefined ? {} : { description }),
      private: true,
    };
  }
  let profile: ReturnType<typeof verifyProfileDevice>;
  try {
    profile = verifyProfileDevice(inner['EnvelopedProfileDevice'] as never, `${tag}.EnvelopedProfileDevice`);
  } catch (cause) {
    if (!(cause instanceof MeshError)) throw cause;
    throw mismatch(
      `${tag}.EnvelopedProfileDevice`,
      `is not a valid self-signed ProfileDevice: ${cause.message}`,
      cause,
    );
  }
  const uri = inner['ConnectUri'];
  if (typeof uri !== 'string') throw mismatch(`${tag}.ConnectUri`, 'expected an mcu:// URI string');
  let parsed: ReturnType<typeof parseConnectUri>;
  try {
    parsed = parseConnectUri(uri);
  } catch (cause) {
    throw mismatch(`${tag}.ConnectUri`, `is not an mcu:// URI: ${(cause as Error).message}`, cause);
  }
  if (parsed.kind !== 'ConnectKey') throw mismatch(`${tag}.ConnectUri`, 'expected a ConnectKey (E…), got a PIN');
  const description = profile.profile.Description;
  return {
    deviceUdf: profile.udf,
    connectUri: uri,
    makerAccount: parsed.account,
    ...(description === undefined ? {} : { description }),
    private: false,
  };
}
