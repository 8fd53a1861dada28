/**
 * @module cli/owner/home-records
 * The files of the owner's profile directory and their checked readers. Every file names
 * its format and version, so a future layout is refused rather than misread, and every
 * reader names the file and the field it rejects (HomeCorruptError).
 *
 * - `profile.json`: account, service, profile UDF, the enveloped ProfileAccount (public).
 * - `secrets.json`: the account seed, from which every private key of the profile derives.
 * - `devices.json`: the owner's own catalog of devices it answered (docs/decisions/0003-untrusted-service.md:
 *   the owner keeps its record instead of trusting the service's).
 * - `pins.json`: PINs it registered, by PinId, with the SaltedPin so that the owner can
 *   check a request's PinWitness itself before auto-accepting (docs/mesh-compatibility.md §6.1).
 */
import { parseEnvelopeJson, type EnvelopeJson } from '../../mesh/schema/envelope-json.js';
import { HomeCorruptError } from './home-errors.js';

export const PROFILE_FILE = 'profile.json';
export const SECRETS_FILE = 'secrets.json';
export const DEVICES_FILE = 'devices.json';
export const PINS_FILE = 'pins.json';

export const PROFILE_FORMAT = 'mesh-owner-profile/1';
export const SECRETS_FORMAT = 'mesh-owner-secrets/1';
export const DEVICES_FORMAT = 'mesh-owner-devices/1';
export const PINS_FORMAT = 'mesh-owner-pins/1';

export interface OwnerProfileRecord {
  readonly Format: typeof PROFILE_FORMAT;
  readonly Account: string;
  /** The transaction URL (…/.well-known/mmm/). */
  readonly Service: string;
  /** UDF of ProfileAccount.ProfileSignature: the profile's permanent identifier. */
  readonly ProfileUdf: string;
  readonly Created: string;
  /** False until CreateAccount succeeded: `account create` resumes with the same seed. */
  readonly Registered: boolean;
  readonly EnvelopedProfileAccount: EnvelopeJson;
}

export interface OwnerSecretsRecord {
  readonly Format: typeof SECRETS_FORMAT;
  /** The 'Z' account seed (MeshProfileAccount); never printed. */
  readonly AccountSeed: string;
}

export const LOCAL_DEVICE_STATUSES = ['Connected', 'Rejected', 'Revoked'] as const;
export type LocalDeviceStatus = (typeof LOCAL_DEVICE_STATUSES)[number];

export interface LocalDevice {
  /** ProfileDevice UDF. */
  readonly DeviceUdf: string;
  /** The witness the owner recomputed and the person confirmed. */
  readonly Witness: string;
  readonly Status: LocalDeviceStatus;
  readonly Roles: readonly string[];
  readonly Description?: string;
  /** When the service received the request. */
  readonly Received?: string;
  /** When the owner accepted or rejected it. */
  readonly Answered: string;
  readonly Revoked?: string;
  /** PinId of the PIN that vouched for it, when accepted automatically. */
  readonly PinId?: string;
  readonly EnvelopedCatalogedDevice?: EnvelopeJson;
}

export interface OwnerDevicesRecord {
  readonly Format: typeof DEVICES_FORMAT;
  readonly Devices: readonly LocalDevice[];
}

export interface LocalPin {
  readonly PinId: string;
  /** The MAC key of the PinWitness: as secret as the PIN itself. */
  readonly SaltedPin: string;
  readonly Expires: string;
  readonly Roles: readonly string[];
  readonly Automatic: boolean;
  readonly Created: string;
  /** Device UDF that used it; a PIN vouches for one device only. */
  readonly UsedBy?: string;
}

export interface OwnerPinsRecord {
  readonly Format: typeof PINS_FORMAT;
  readonly Pins: readonly LocalPin[];
}

// ---------------------------------------------------------------------------------------

type Fields = Record<string, unknown>;

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, found: unknown): never {
    const kind =
      found === undefined
        ? 'absent'
        : found === null
          ? 'null'
          : Array.isArray(found)
            ? 'an array'
            : `a ${typeof found}`;
    throw new HomeCorruptError(`${this.file}: "${path}" expected ${expected}, got ${kind}`, {
      context: { file: this.file, path, expected },
    });
  }

  object(value: unknown, path: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'an object', value);
    return value as Fields;
  }

  string(o: Fields, field: string, path: string): string {
    const v = o[field];
    if (typeof v !== 'string' || v === '') this.fail(`${path}.${field}`, 'a non-empty string', v);
    return v as string;
  }

  optionalString(o: Fields, field: string, path: string): string | undefined {
    return o[field] === undefined ? undefined : this.string(o, field, path);
  }

  date(o: Fields, field: string, path: string): string {
    const v = this.string(o, field, path);
    if (Number.isNaN(Date.parse(v))) this.fail(`${path}.${field}`, 'an RFC 3339 date', v);
    return v;
  }

  boolean(o: Fields, field: string, path: string): boolean {
    const v = o[field];
    if (typeof v !== 'boolean') this.fail(`${path}.${field}`, 'a boolean', v);
    return v as boolean;
  }

  strings(o: Fields, field: string, path: string): string[] {
    const v = o[field];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      this.fail(`${path}.${field}`, 'an array of strings', v);
    return v as string[];
  }

  envelope(o: Fields, field: string, path: string): EnvelopeJson {
    try {
      return parseEnvelopeJson(o[field], `${path}.${field}`);
    } catch (cause) {
      throw new HomeCorruptError(`${this.file}: ${(cause as Error).message}`, { cause, context: { file: this.file } });
    }
  }

  format(o: Fields, expected: string, path: string): void {
    if (o['Format'] !== expected) this.fail(`${path}.Format`, JSON.stringify(expected), o['Format']);
  }

  array(o: Fields, field: string, path: string): unknown[] {
    const v = o[field];
    if (!Array.isArray(v)) this.fail(`${path}.${field}`, 'an array', v);
    return v as unknown[];
  }
}

export function readProfileRecord(value: unknown, file: string): OwnerProfileRecord {
  const r = new Reader(file);
  const o = r.object(value, 'profile');
  r.format(o, PROFILE_FORMAT, 'profile');
  return {
    Format: PROFILE_FORMAT,
    Account: r.string(o, 'Account', 'profile'),
    Service: r.string(o, 'Service', 'profile'),
    ProfileUdf: r.string(o, 'ProfileUdf', 'profile'),
    Created: r.date(o, 'Created', 'profile'),
    Registered: r.boolean(o, 'Registered', 'profile'),
    EnvelopedProfileAccount: r.envelope(o, 'EnvelopedProfileAccount', 'profile'),
  };
}

export function readSecretsRecord(value: unknown, file: string): OwnerSecretsRecord {
  const r = new Reader(file);
  const o = r.object(value, 'secrets');
  r.format(o, SECRETS_FORMAT, 'secrets');
  const seed = o['AccountSeed'];
  // Checked for shape only, and never echoed: it is the account's master secret.
  if (typeof seed !== 'string' || !/^[A-Z2-7-]{20,}$/i.test(seed)) {
    throw new HomeCorruptError(`${file}: "secrets.AccountSeed" expected a seed UDF string`, {
      context: { file, path: 'secrets.AccountSeed' },
    });
  }
  return { Format: SECRETS_FORMAT, AccountSeed: seed };
}

export function readDevicesRecord(value: unknown, file: string): OwnerDevicesRecord {
  const r = new Reader(file);
  const o = r.object(value, 'devices');
  r.format(o, DEVICES_FORMAT, 'devices');
  const devices = r.array(o, 'Devices', 'devices').map((item, i): LocalDevice => {
    const path = `devices.Devices[${i}]`;
    const d = r.object(item, path);
    const status = d['Status'];
    if (!LOCAL_DEVICE_STATUSES.includes(status as LocalDeviceStatus))
      r.fail(`${path}.Status`, LOCAL_DEVICE_STATUSES.join('|'), status);
    const description = r.optionalString(d, 'Description', path);
    const received = d['Received'] === undefined ? undefined : r.date(d, 'Received', path);
    const revoked = d['Revoked'] === undefined ? undefined : r.date(d, 'Revoked', path);
    const pinId = r.optionalString(d, 'PinId', path);
    const cataloged =
      d['EnvelopedCatalogedDevice'] === undefined ? undefined : r.envelope(d, 'EnvelopedCatalogedDevice', path);
    return {
      DeviceUdf: r.string(d, 'DeviceUdf', path),
      Witness: r.string(d, 'Witness', path),
      Status: status as LocalDeviceStatus,
      Roles: r.strings(d, 'Roles', path),
      Answered: r.date(d, 'Answered', path),
      ...(description === undefined ? {} : { Description: description }),
      ...(received === undefined ? {} : { Received: received }),
      ...(revoked === undefined ? {} : { Revoked: revoked }),
      ...(pinId === undefined ? {} : { PinId: pinId }),
      ...(cataloged === undefined ? {} : { EnvelopedCatalogedDevice: cataloged }),
    };
  });
  return { Format: DEVICES_FORMAT, Devices: devices };
}

export function readPinsRecord(value: unknown, file: string): OwnerPinsRecord {
  const r = new Reader(file);
  const o = r.object(value, 'pins');
  r.format(o, PINS_FORMAT, 'pins');
  const pins = r.array(o, 'Pins', 'pins').map((item, i): LocalPin => {
    const path = `pins.Pins[${i}]`;
    const p = r.object(item, path);
    const usedBy = r.optionalString(p, 'UsedBy', path);
    return {
      PinId: r.string(p, 'PinId', path),
      SaltedPin: r.string(p, 'SaltedPin', path),
      Expires: r.date(p, 'Expires', path),
      Roles: r.strings(p, 'Roles', path),
      Automatic: r.boolean(p, 'Automatic', path),
      Created: r.date(p, 'Created', path),
      ...(usedBy === undefined ? {} : { UsedBy: usedBy }),
    };
  });
  return { Format: PINS_FORMAT, Pins: pins };
}
