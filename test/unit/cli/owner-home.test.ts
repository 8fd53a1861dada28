/**
 * @module test/unit/cli/owner-home
 * The owner's profile directory: 0700 directory and 0600 files, atomic writes that a crash
 * cannot turn into a torn or lost file, leftover temp files never read, and clear errors for
 * a missing, corrupt or insecure home that never echo the seed. A writer killed mid-write in
 * another process: test/integration/cli/owner-home-crash.
 */
import { chmod, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isTempFileName as isTempName,
  sweepTempFiles,
  writePrivateFileAtomic,
} from '../../../src/platform/fs/atomic-write.js';
import {
  HomeCorruptError,
  HomeExistsError,
  HomeInsecureError,
  HomeMissingError,
} from '../../../src/cli/owner/home-errors.js';
import {
  DEVICES_FORMAT,
  PROFILE_FORMAT,
  SECRETS_FORMAT,
  type OwnerProfileRecord,
  type OwnerSecretsRecord,
} from '../../../src/cli/owner/home-records.js';
import { OwnerHome, defaultHome } from '../../../src/cli/owner/owner-home.js';

const SEED = 'ZAAQ-EAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA';
const profile: OwnerProfileRecord = {
  Format: PROFILE_FORMAT,
  Account: 'alice@example.com',
  Service: 'http://127.0.0.1:15099/.well-known/mmm/',
  ProfileUdf: 'MAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG',
  Created: '2026-11-22T00:00:00Z',
  Registered: true,
  EnvelopedProfileAccount: [{ EnvelopeId: 'MAAA' }, 'e30'],
};
const secrets: OwnerSecretsRecord = { Format: SECRETS_FORMAT, AccountSeed: SEED };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-owner-home-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('owner home: location', () => {
  it('defaults to $XDG_DATA_HOME/mesh, then ~/.local/share/mesh, ignoring a relative XDG_DATA_HOME', () => {
    expect(defaultHome({ XDG_DATA_HOME: '/x/data', HOME: '/home/a' })).toBe('/x/data/mesh');
    expect(defaultHome({ XDG_DATA_HOME: 'relative', HOME: '/home/a' })).toBe('/home/a/.local/share/mesh');
    expect(defaultHome({ HOME: '/home/a' })).toBe('/home/a/.local/share/mesh');
    expect(defaultHome({})).toBeUndefined();
  });
});

describe('owner home: permissions', () => {
  it('creates the directory 0700 and every file 0600, even under a permissive umask', async () => {
    const previous = process.umask(0o000);
    try {
      const home = await OwnerHome.create(join(dir, 'h'));
      await home.writeNewProfile(profile, secrets);
      await home.updateDevices((d) => d);
      await home.updatePins((p) => p);
      expect(await mode(join(dir, 'h'))).toBe(0o700);
      for (const f of ['profile.json', 'secrets.json', 'devices.json', 'pins.json']) {
        expect(await mode(join(dir, 'h', f)), f).toBe(0o600);
      }
    } finally {
      process.umask(previous);
    }
  });

  it('tightens an existing directory to 0700 on create', async () => {
    await chmod(dir, 0o755);
    await OwnerHome.create(dir);
    expect(await mode(dir)).toBe(0o700);
  });

  it('refuses a home or a private file open to other users, naming it and the fix', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    await chmod(join(dir, 'secrets.json'), 0o644);
    await expect(OwnerHome.open(dir)).rejects.toThrow(HomeInsecureError);
    await expect(OwnerHome.open(dir)).rejects.toThrow(/secrets\.json.*chmod 600/);
    await chmod(join(dir, 'secrets.json'), 0o600);
    await chmod(dir, 0o750);
    await expect(OwnerHome.open(dir)).rejects.toThrow(/chmod 700/);
  });
});

describe('owner home: missing and corrupt', () => {
  it('says there is no profile and how to make one, for a missing or empty directory', async () => {
    await expect(OwnerHome.open(join(dir, 'nope'))).rejects.toThrow(HomeMissingError);
    await expect(OwnerHome.open(join(dir, 'nope'))).rejects.toThrow(/mesh account create/);
    await expect(OwnerHome.open(dir)).rejects.toThrow(/no profile\.json/);
  });

  it('reports truncated JSON with the file name and without the seed', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    await writeFile(join(dir, 'secrets.json'), `{"Format":"${SECRETS_FORMAT}","AccountSeed":"${SEED}`, { mode: 0o600 });
    const opened = await OwnerHome.open(dir);
    const error = await opened.readSecrets().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HomeCorruptError);
    expect((error as Error).message).toMatch(/secrets\.json is not valid JSON/);
    expect((error as Error).message).not.toContain(SEED.slice(5, 20));
    expect((error as Error).cause).toBeUndefined();
  });

  it('names the field of a record in the wrong shape, and refuses an unknown format', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    await writeFile(
      join(dir, 'devices.json'),
      JSON.stringify({ Format: DEVICES_FORMAT, Devices: [{ DeviceUdf: 'M', Status: 'Maybe' }] }),
      { mode: 0o600 },
    );
    await expect(home.readDevices()).rejects.toThrow(
      /devices\.json: "devices\.Devices\[0\]\.Status" expected Connected\|Rejected\|Revoked/,
    );
    await writeFile(join(dir, 'profile.json'), JSON.stringify({ ...profile, Format: 'mesh-owner-profile/9' }), {
      mode: 0o600,
    });
    await expect(home.readProfile()).rejects.toThrow(/"profile\.Format" expected "mesh-owner-profile\/1"/);
    await writeFile(join(dir, 'profile.json'), JSON.stringify({ ...profile, EnvelopedProfileAccount: 'x' }), {
      mode: 0o600,
    });
    await expect(home.readProfile()).rejects.toThrow(/EnvelopedProfileAccount/);
  });

  it('refuses to create a second profile in the same home', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    await expect(home.writeNewProfile({ ...profile, Account: 'bob@example.com' }, secrets)).rejects.toThrow(
      HomeExistsError,
    );
    expect((await home.readProfile()).Account).toBe('alice@example.com');
  });
});

describe('owner home: atomic writes', () => {
  it('a crash before the rename leaves the good file untouched and no temp file behind', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    await home.updateDevices(() => ({ Format: DEVICES_FORMAT, Devices: [] }));
    const before = await readFile(join(dir, 'devices.json'), 'utf8');
    let seenTemp = '';
    await expect(
      home.updateDevices(
        () => ({
          Format: DEVICES_FORMAT,
          Devices: [
            { DeviceUdf: 'MDEV', Witness: 'W', Status: 'Connected', Roles: [], Answered: '2026-11-22T00:00:00Z' },
          ],
        }),
        {
          beforeRename: async (temp) => {
            seenTemp = temp;
            // The new content is complete and durable in the temp file at this point.
            expect(await readFile(temp, 'utf8')).toContain('MDEV');
            throw new Error('simulated crash');
          },
        },
      ),
    ).rejects.toThrow('simulated crash');
    expect(isTempName(seenTemp.split('/').pop() as string)).toBe(true);
    expect(await readFile(join(dir, 'devices.json'), 'utf8')).toBe(before);
    expect((await readdir(dir)).filter(isTempName)).toEqual([]);
  });

  it('a temp file left by a killed writer is never read, never replaces the good file, and is swept when stale', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    // What a writer killed mid-write leaves: a partial temp file beside the good one.
    const leftover = join(dir, '.profile.json.tmp-99999-abcdef');
    await writeFile(leftover, '{"Format":"mesh-owner-pro', { mode: 0o600 });
    const opened = await OwnerHome.open(dir);
    expect(await opened.readProfile()).toEqual(profile);
    // Fresh leftovers may belong to a live writer: kept; old ones are removed.
    expect(await sweepTempFiles(dir)).toEqual([]);
    const old = new Date(Date.now() - 3_600_000);
    await utimes(leftover, old, old);
    await OwnerHome.open(dir);
    expect((await readdir(dir)).filter(isTempName)).toEqual([]);
    expect(await (await OwnerHome.open(dir)).readProfile()).toEqual(profile);
  });

  it('writePrivateFileAtomic replaces content whole, mode 0600', async () => {
    const path = join(dir, 'f');
    await writePrivateFileAtomic(path, new TextEncoder().encode('one'));
    await writePrivateFileAtomic(path, new TextEncoder().encode('two'));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await mode(path)).toBe(0o600);
  });

  it('concurrent catalog updates under the lock lose nothing', async () => {
    const home = await OwnerHome.create(dir);
    await home.writeNewProfile(profile, secrets);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        home.updateDevices((d) => ({
          ...d,
          Devices: [
            ...d.Devices,
            {
              DeviceUdf: `M${i}`,
              Witness: 'W',
              Status: 'Connected' as const,
              Roles: [],
              Answered: '2026-11-22T00:00:00Z',
            },
          ],
        })),
      ),
    );
    expect((await home.readDevices()).Devices).toHaveLength(12);
  });
});
