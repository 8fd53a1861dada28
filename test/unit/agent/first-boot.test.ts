/**
 * @module test/unit/agent/first-boot.test
 * First boot against a memory keystore and preconfiguration file: the import,
 * its idempotence, every half-done situation a power cut can leave, the refusals (lost key,
 * mismatched seed) and bad files, each of which leaves keystore and file untouched.
 */
import { describe, expect, it } from 'vitest';
import { DeviceKeyLostError, DeviceKeyMismatchError, PreconfigurationError } from '../../../src/agent/agent-errors.js';
import { DEVICE_SEED_SECRET, STATE_FORMAT, type AgentState } from '../../../src/agent/agent-state.js';
import { FakeClock } from '../../../src/agent/fakes/fake-clock.js';
import { MemoryPreconfigurationFile, RecordingLogger } from '../../../src/agent/fakes/memory-ports.js';
import { PUBLIC_PRECONFIGURATION_TAG, bootDevice, type FirstBootInput } from '../../../src/agent/first-boot.js';
import { utf8 } from '../../../src/crypto/bytes.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { createDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import { DevicePreconfigurationSchema } from '../../../src/mesh/objects/device-preconfiguration.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { MemorySecretStore } from '../../../src/agent/fakes/memory-secret-store.js';

const PATH = '/var/lib/mesh-agent/device.medk';
const random = seededRandom(11);
const newSeed = (): string => newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random);

function factoryFile(seed = newSeed(), description?: string) {
  const made = createDevicePreconfiguration({
    deviceSeed: seed,
    makerAccount: 'maker@example.com',
    ...(description === undefined ? {} : { description }),
  });
  const text = JSON.stringify(
    { DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) },
    null,
    2,
  );
  return { seed, made, text };
}

function input(secrets: MemorySecretStore, file?: MemoryPreconfigurationFile, previous?: AgentState): FirstBootInput {
  return {
    secrets,
    ...(file === undefined ? {} : { preconfiguration: file }),
    ...(previous === undefined ? {} : { previous }),
    random: seededRandom(5),
    clock: new FakeClock(),
    logger: new RecordingLogger(),
  };
}

async function seedIn(secrets: MemorySecretStore): Promise<string | undefined> {
  const bytes = await secrets.get(DEVICE_SEED_SECRET);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

describe('factory mode', () => {
  it('verifies, imports the seed, and rewrites the file without it', async () => {
    const { seed, made, text } = factoryFile(undefined, 'Thermostat');
    const secrets = new MemorySecretStore();
    const file = new MemoryPreconfigurationFile(PATH, text);
    const booted = await bootDevice(input(secrets, file));
    expect(booted.steps).toEqual(['verified', 'imported', 'rewrote']);
    expect(await seedIn(secrets)).toBe(seed);
    expect(booted.device).toMatchObject({
      udf: made.deviceUdf,
      mode: 'factory',
      connectUri: made.connectUri,
      makerAccount: 'maker@example.com',
      description: 'Thermostat',
    });
    expect(booted.profile.udf).toBe(made.deviceUdf);
    expect(booted.claimSecrets?.publicationId).toBe(booted.device.publicationId);
    // No trace of the seed in the file: neither the string nor the field.
    expect(file.text).not.toContain(seed);
    expect(file.text).not.toContain('PrivateKey');
    const rewritten = JSON.parse(file.text as string) as Record<string, Record<string, unknown>>;
    expect(Object.keys(rewritten)).toEqual([PUBLIC_PRECONFIGURATION_TAG]);
    expect(rewritten[PUBLIC_PRECONFIGURATION_TAG]?.['ConnectUri']).toBe(made.connectUri);
  });

  it('is idempotent: the next boot finds the import done and writes nothing', async () => {
    const { seed, text } = factoryFile();
    const secrets = new MemorySecretStore();
    const file = new MemoryPreconfigurationFile(PATH, text);
    const first = await bootDevice(input(secrets, file));
    const again = await bootDevice(input(secrets, file));
    expect(again.steps).toEqual(['resumed']);
    expect(again.device.udf).toBe(first.device.udf);
    expect(file.replaced).toBe(1);
    expect(await seedIn(secrets)).toBe(seed);
  });

  it('power cut after the import, before the rewrite: the next boot only rewrites', async () => {
    const { seed, text } = factoryFile();
    const secrets = new MemorySecretStore();
    await secrets.put(DEVICE_SEED_SECRET, utf8(seed));
    const file = new MemoryPreconfigurationFile(PATH, text);
    const booted = await bootDevice(input(secrets, file));
    expect(booted.steps).toEqual(['verified', 'rewrote']);
    expect(file.text).not.toContain(seed);
  });

  it('a rewrite that fails leaves the private file and the imported seed: the next boot finishes', async () => {
    const { seed, text } = factoryFile();
    const secrets = new MemorySecretStore();
    const file = new MemoryPreconfigurationFile(PATH, text);
    file.replace = async () => {
      throw new Error('EIO');
    };
    await expect(bootDevice(input(secrets, file))).rejects.toThrow('EIO');
    expect(file.text).toBe(text);
    expect(await seedIn(secrets)).toBe(seed);
    const healthy = new MemoryPreconfigurationFile(PATH, text);
    expect((await bootDevice(input(secrets, healthy))).steps).toEqual(['verified', 'rewrote']);
  });

  it('public-only file and no seed in the keystore: the key was lost, refused loudly', async () => {
    const { text } = factoryFile();
    const file = new MemoryPreconfigurationFile(PATH, text);
    await bootDevice(input(new MemorySecretStore(), file));
    const empty = new MemorySecretStore();
    await expect(bootDevice(input(empty, file))).rejects.toThrow(DeviceKeyLostError);
    expect(await empty.list()).toEqual([]);
  });

  it('public-only file and another seed in the keystore: refused', async () => {
    const { text } = factoryFile();
    const file = new MemoryPreconfigurationFile(PATH, text);
    await bootDevice(input(new MemorySecretStore(), file));
    const other = new MemorySecretStore();
    await other.put(DEVICE_SEED_SECRET, utf8(newSeed()));
    await expect(bootDevice(input(other, file))).rejects.toThrow(DeviceKeyMismatchError);
  });

  it('a new preconfiguration on a device that already holds another seed is refused, the key kept', async () => {
    const secrets = new MemorySecretStore();
    const first = factoryFile();
    await bootDevice(input(secrets, new MemoryPreconfigurationFile(PATH, first.text)));
    const second = factoryFile();
    const file = new MemoryPreconfigurationFile(PATH, second.text);
    await expect(bootDevice(input(secrets, file))).rejects.toThrow(DeviceKeyMismatchError);
    expect(await seedIn(secrets)).toBe(first.seed);
    expect(file.text).toBe(second.text);
  });

  it('the state names another device than the preconfiguration: refused', async () => {
    const { text } = factoryFile();
    const previous: AgentState = {
      Format: STATE_FORMAT,
      device: { udf: 'MAAA-BBBB-CCCC', mode: 'factory', created: '2026-01-01T00:00:00Z' },
      owners: {},
      claims: { seen: [], held: [] },
      updated: '2026-01-01T00:00:00Z',
    };
    const secrets = new MemorySecretStore();
    await expect(bootDevice(input(secrets, new MemoryPreconfigurationFile(PATH, text), previous))).rejects.toThrow(
      DeviceKeyMismatchError,
    );
    expect(await secrets.list()).toEqual([]);
  });

  it('no file at all in factory mode: refused, naming the path', async () => {
    await expect(bootDevice(input(new MemorySecretStore(), new MemoryPreconfigurationFile(PATH)))).rejects.toThrow(
      new RegExp(`preconfiguration ${PATH}: does not exist`),
    );
  });

  describe('bad files: a clear typed error, nothing written', () => {
    const good = factoryFile();
    const body = JSON.parse(good.text) as { DevicePreconfiguration: Record<string, unknown> };
    const envelope = body.DevicePreconfiguration['EnvelopedProfileDevice'] as unknown[];
    const tamperedPayload = (): string => {
      const payload = envelope[1] as string;
      const i = 40;
      return payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    };
    const cases: Array<[string, string, RegExp]> = [
      ['empty', '', /is empty/],
      ['truncated', good.text.slice(0, Math.floor(good.text.length / 2)), /is not JSON \(truncated/],
      ['not JSON', 'seed=ZAAQ-…\n', /is not JSON/],
      ['a JSON array', '[1, 2]', /expected a JSON object/],
      [
        'wrong seed',
        JSON.stringify({
          DevicePreconfiguration: {
            ...body.DevicePreconfiguration,
            PrivateKey: { PrivateKeyUDF: { PrivateValue: newSeed(), KeyType: 'MeshProfileDevice' } },
          },
        }),
        /does not regenerate the enveloped ProfileDevice/,
      ],
      [
        'not a device seed',
        JSON.stringify({
          DevicePreconfiguration: {
            ...body.DevicePreconfiguration,
            PrivateKey: {
              PrivateKeyUDF: {
                PrivateValue: newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, random),
                KeyType: 'MeshProfileDevice',
              },
            },
          },
        }),
        /is not a MeshProfileDevice seed/,
      ],
      [
        'tampered envelope',
        JSON.stringify({
          DevicePreconfiguration: {
            ...body.DevicePreconfiguration,
            EnvelopedProfileDevice: [envelope[0], tamperedPayload(), envelope[2]],
          },
        }),
        /EnvelopedProfileDevice/,
      ],
      [
        'envelope removed',
        JSON.stringify({ DevicePreconfiguration: { ...body.DevicePreconfiguration, EnvelopedProfileDevice: 'x' } }),
        /EnvelopedProfileDevice/,
      ],
      [
        'another ConnectUri',
        JSON.stringify({
          DevicePreconfiguration: { ...body.DevicePreconfiguration, ConnectUri: factoryFile().made.connectUri },
        }),
        /ConnectUri/,
      ],
      ['bytes that are not UTF-8', '\udc80', /./],
    ];
    for (const [name, text, message] of cases) {
      it(name, async () => {
        const secrets = new MemorySecretStore();
        const file = new MemoryPreconfigurationFile(PATH, text);
        if (name === 'bytes that are not UTF-8') file.bytes = Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d);
        const before = file.text;
        const error = await bootDevice(input(secrets, file)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(PreconfigurationError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).toContain(PATH);
        expect((error as Error).message).not.toContain(good.seed);
        expect(await secrets.list()).toEqual([]);
        expect(file.replaced).toBe(0);
        expect(file.text).toBe(before);
      });
    }
  });
});

describe('self mode', () => {
  it('generates a seed from the injected CSPRNG once, then resumes with it', async () => {
    const secrets = new MemorySecretStore();
    const first = await bootDevice(input(secrets));
    expect(first.steps).toEqual(['generated']);
    expect(first.device.mode).toBe('self');
    expect(first.claimSecrets).toBeUndefined();
    const previous: AgentState = {
      Format: STATE_FORMAT,
      device: first.device,
      owners: {},
      claims: { seen: [], held: [] },
      updated: '',
    };
    const again = await bootDevice(input(secrets, undefined, previous));
    expect(again.steps).toEqual(['resumed']);
    expect(again.device.udf).toBe(first.device.udf);
  });

  it('a state naming a device whose seed is gone: refused, no new identity', async () => {
    const first = await bootDevice(input(new MemorySecretStore()));
    const previous: AgentState = {
      Format: STATE_FORMAT,
      device: first.device,
      owners: {},
      claims: { seen: [], held: [] },
      updated: '',
    };
    const empty = new MemorySecretStore();
    await expect(bootDevice(input(empty, undefined, previous))).rejects.toThrow(DeviceKeyLostError);
    expect(await empty.list()).toEqual([]);
  });
});
