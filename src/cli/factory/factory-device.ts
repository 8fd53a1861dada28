/**
 * @module cli/factory/factory-device
 * One device as the factory makes it (docs/mesh-compatibility.md §6.2 (b) 1): a fresh MeshProfileDevice
 * seed, its self-signed ProfileDevice, the ConnectUri the label carries, the
 * DevicePreconfiguration for the device (with the seed), its public form for the maker's
 * records (without), and the CatalogedPublication for the maker's service.
 *
 * The base keys and the profile are derived once and shared by the preconfiguration and
 * the publication (createPublication checks the given profile against the given keys).
 */
import { performance } from 'node:perf_hooks';
import type { RandomSource } from '../../crypto/random.js';
import type { DevicePreconfigurationPublic } from '../../mesh/connect/device-preconfiguration.js';
import { createPublication } from '../../mesh/connect/cataloged-publication.js';
import { CatalogedPublicationSchema, type CatalogedPublication } from '../../mesh/objects/cataloged-publication.js';
import {
  DevicePreconfigurationSchema,
  type DevicePreconfiguration,
} from '../../mesh/objects/device-preconfiguration.js';
import { createProfileDevice, deviceBaseKeyPairs } from '../../mesh/profiles/profile-device.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../mesh/udf/derived-key-seed.js';

export interface MakeDeviceInput {
  readonly makerAccount: string;
  /** ConnectKey size (120 by default). */
  readonly bits?: number;
  readonly description?: string;
  readonly random: RandomSource;
  /** A seed to use instead of a fresh one (tests and `factory preconfig` reproducibility). */
  readonly deviceSeed?: string;
}

/** Where the time of one device went, for the batch's figures (the bench's). */
export interface DeviceTimings {
  /** Deriving the four base key pairs from the seed. */
  readonly keyDerivationMs: number;
  /** Building and self-signing the ProfileDevice. */
  readonly profileSigningMs: number;
  /** ConnectKey and the sealed publication. */
  readonly publicationMs: number;
}

export interface FactoryDevice {
  /** A secret: only the device's preconfiguration file holds it. */
  readonly deviceSeed: string;
  readonly deviceUdf: string;
  readonly connectUri: string;
  readonly publicationId: string;
  readonly preconfiguration: DevicePreconfiguration;
  readonly publicForm: DevicePreconfigurationPublic;
  readonly publication: CatalogedPublication;
  readonly timings: DeviceTimings;
}

export function makeFactoryDevice(input: MakeDeviceInput): FactoryDevice {
  const seed = input.deviceSeed ?? newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, input.random);
  const t0 = performance.now();
  const keys = deviceBaseKeyPairs(seed);
  const t1 = performance.now();
  const profile = createProfileDevice(seed, {
    keys,
    ...(input.description === undefined ? {} : { description: input.description }),
  });
  const t2 = performance.now();
  const {
    publication,
    publicationId: id,
    connectUri: uri,
  } = createPublication({
    deviceSeed: seed,
    makerAccount: input.makerAccount,
    ...(input.bits === undefined ? {} : { bits: input.bits }),
    random: input.random,
    profile,
    keys,
  });
  const t3 = performance.now();
  return {
    deviceSeed: seed,
    deviceUdf: profile.udf,
    connectUri: uri,
    publicationId: id,
    preconfiguration: {
      EnvelopedProfileDevice: profile.json,
      PrivateKey: { PrivateKeyUDF: { PrivateValue: seed, KeyType: 'MeshProfileDevice' } },
      ConnectUri: uri,
    },
    publicForm: { EnvelopedProfileDevice: profile.json, ConnectUri: uri },
    publication,
    timings: { keyDerivationMs: t1 - t0, profileSigningMs: t2 - t1, publicationMs: t3 - t2 },
  };
}

/** The `.medk` file text: `{"DevicePreconfiguration": {...}}` (holds the seed). */
export function preconfigurationText(preconfiguration: DevicePreconfiguration): string {
  return (
    JSON.stringify({ DevicePreconfiguration: DevicePreconfigurationSchema.toJson(preconfiguration) }, null, 2) + '\n'
  );
}

/** The maker's record of a device, without the seed: `{"DevicePreconfigurationPublic": {...}}`. */
export function publicPreconfigurationText(publicForm: DevicePreconfigurationPublic): string {
  return (
    JSON.stringify(
      {
        DevicePreconfigurationPublic: {
          EnvelopedProfileDevice: publicForm.EnvelopedProfileDevice,
          ConnectUri: publicForm.ConnectUri,
        },
      },
      null,
      2,
    ) + '\n'
  );
}

/** The CatalogedPublication as Publish sends it. */
export function publicationJson(publication: CatalogedPublication): Record<string, unknown> {
  return CatalogedPublicationSchema.toJson(publication) as Record<string, unknown>;
}
