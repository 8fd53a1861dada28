/**
 * @module platform/keystore/open-secret-store
 * Chooses and opens the agent's SecretStore from configuration (docs/decisions/
 * 0002-seed-based-secret-store.md). `auto` takes the best tier available, TPM then Secret Service then file,
 * and logs the choice with the reason each better tier was skipped, so a person reading
 * the log or `mesh-agent status` knows what protects the seed and why nothing better does.
 * An explicit choice that is unavailable is an error, never a silent fallback.
 *
 * `auto` is sticky: the tier it first chose is recorded in `<stateDir>/keystore-tier.json`
 * and used from then on. Otherwise a keyring that is not reachable at one boot (its bus
 * not up yet) would send `auto` to the file tier, which holds no seed, and first boot
 * would make a new identity: a key lost without any error. A recorded tier that is
 * unavailable is an error naming the file, so a person decides.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SECRET_STORE_TIERS, type SecretStore, type SecretStoreTier } from '../../agent/secret-store.js';
import { writePrivateFileAtomic } from '../fs/atomic-write.js';
import { FileSecretStore } from './file-secret-store.js';
import type { MeshErrorOptions } from '../../crypto/errors.js';
import {
  KeystoreIntegrityError,
  KeystoreUnavailableError,
  SecretServiceUnavailableError,
  TpmUnavailableError,
  UnknownKeystoreChoiceError,
} from './keystore-errors.js';
import { MemorySecretStore, type MemorySecretStoreBackend } from '../../agent/fakes/memory-secret-store.js';
import { readPrivateFile } from './private-files.js';
import { TpmSecretStore } from './tpm-secret-store.js';
import { probeTpm } from './tpm-tools.js';

export type SecretStoreChoice = 'auto' | SecretStoreTier;

export const SECRET_STORE_CHOICES: readonly SecretStoreChoice[] = ['auto', ...SECRET_STORE_TIERS];

/** Where `auto` records the tier it chose, relative to the state directory. */
export const KEYSTORE_TIER_FILE = 'keystore-tier.json';

export interface OpenSecretStoreOptions {
  readonly choice: SecretStoreChoice;
  /** The agent's state directory (created 0700 if absent). */
  readonly stateDir: string;
  /** TPM TCTI; default TPM2TOOLS_TCTI, then `device:/dev/tpmrm0` if that node exists. */
  readonly tcti?: string | undefined;
  /** Session bus address; default DBUS_SESSION_BUS_ADDRESS, then $XDG_RUNTIME_DIR/bus. */
  readonly dbusAddress?: string | undefined;
  /** Secret Service `instance` attribute (default: the absolute state directory, one per agent). */
  readonly instance?: string | undefined;
  /** One line per decision; never receives secret material. */
  readonly log: (line: string) => void;
  /** Environment for TPM2TOOLS_TCTI / DBUS_SESSION_BUS_ADDRESS (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** TPM device node probed when no TCTI is set (default /dev/tpmrm0). */
  readonly tpmDevice?: string | undefined;
  /** Deadline for each availability probe (default 3 s). */
  readonly probeTimeoutMs?: number | undefined;
  /** Backend of the `memory` tier, to share it between opens in tests (default a new one). */
  readonly memoryBackend?: MemorySecretStoreBackend | undefined;
}

type Attempt = { readonly store: SecretStore } | { readonly skipped: string };

/**
 * The Secret Service adapter and dbus-next (~100 KB bundled) load only when that tier is
 * tried: the core agent file does not carry them (scripts/build.mjs, docs/packaging.md).
 */
async function secretService(): Promise<typeof import('./secret-service-store.js')> {
  try {
    return await import('./secret-service-store.js');
  } catch (cause) {
    // A device image may leave the optional file out (docs/packaging.md).
    throw new SecretServiceUnavailableError(
      `keystore "secret-service" is unavailable: its module could not be loaded (${(cause as Error)?.message ?? String(cause)}); install mesh-agent-secret-service.mjs beside mesh-agent.mjs to use this tier`,
      { cause },
    );
  }
}

async function recordedTier(path: string): Promise<SecretStoreTier | undefined> {
  const bytes = await readPrivateFile(path);
  if (bytes === undefined) return undefined;
  let tier: unknown;
  try {
    tier = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { tier?: unknown } | null)?.tier;
  } catch (cause) {
    throw new KeystoreIntegrityError(`${path} is not valid JSON; expected {"tier": "<tier>"}`, {
      context: { path },
      cause,
    });
  }
  if (typeof tier !== 'string' || !(SECRET_STORE_TIERS as readonly string[]).includes(tier)) {
    throw new KeystoreIntegrityError(
      `${path} expected "tier" to be one of ${SECRET_STORE_TIERS.join(', ')}, got ${JSON.stringify(tier)}`,
      {
        context: { path },
      },
    );
  }
  return tier as SecretStoreTier;
}

export async function openSecretStore(options: OpenSecretStoreOptions): Promise<SecretStore> {
  if (!(SECRET_STORE_CHOICES as readonly string[]).includes(options.choice)) {
    throw new UnknownKeystoreChoiceError(
      `"keystore" expected one of ${SECRET_STORE_CHOICES.join(', ')}, got ${JSON.stringify(options.choice)}`,
    );
  }
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const env = options.env ?? process.env;
  const probeTimeoutMs = options.probeTimeoutMs ?? 3_000;
  const tpmLocation = { tcti: options.tcti, env, tpmDevice: options.tpmDevice };
  const busLocation = { dbusAddress: options.dbusAddress, env };

  const openTier = async (tier: SecretStoreTier): Promise<SecretStore> => {
    switch (tier) {
      case 'tpm': {
        const probe = await probeTpm(tpmLocation, probeTimeoutMs);
        if (!probe.available) throw new TpmUnavailableError(`keystore "tpm" is unavailable: ${probe.reason}`);
        return TpmSecretStore.open({ stateDir, ...tpmLocation, tcti: probe.tcti });
      }
      case 'secret-service': {
        const { probeSecretService, SecretServiceStore } = await secretService();
        const probe = await probeSecretService(busLocation, probeTimeoutMs);
        if (!probe.available)
          throw new SecretServiceUnavailableError(`keystore "secret-service" is unavailable: ${probe.reason}`);
        return SecretServiceStore.open({ dbusAddress: probe.address, instance: options.instance ?? stateDir });
      }
      case 'file':
        return FileSecretStore.open({ stateDir });
      case 'memory':
        return new MemorySecretStore(options.memoryBackend);
    }
  };

  const markerPath = join(stateDir, KEYSTORE_TIER_FILE);
  if (options.choice !== 'auto') {
    const store = await openTier(options.choice);
    options.log(`keystore: ${store.describe()} (configured)`);
    return store;
  }

  const recorded = await recordedTier(markerPath);
  if (recorded !== undefined) {
    try {
      const store = await openTier(recorded);
      options.log(`keystore: ${store.describe()} (auto: the tier chosen at first start, recorded in ${markerPath})`);
      return store;
    } catch (error) {
      if (!(error instanceof KeystoreUnavailableError)) throw error;
      // Same class as the cause, so callers branch on TPM vs Secret Service as usual.
      const SameClass = error.constructor as new (
        message: string,
        options: MeshErrorOptions,
      ) => KeystoreUnavailableError;
      throw new SameClass(
        `keystore "auto" chose ${recorded} at first start (recorded in ${markerPath}) and the agent's secrets are there, so it does not fall back; ${error.message}. Make ${recorded} reachable again, or remove ${markerPath} to choose afresh (which leaves those secrets behind)`,
        { context: { tier: recorded, marker: markerPath }, cause: error },
      );
    }
  }

  // First start under auto: best first, each skip explained.
  const attempts: Array<[SecretStoreTier, () => Promise<Attempt>]> = [
    [
      'tpm',
      async () => {
        const probe = await probeTpm(tpmLocation, probeTimeoutMs);
        if (!probe.available) return { skipped: probe.reason };
        try {
          return { store: await TpmSecretStore.open({ stateDir, ...tpmLocation, tcti: probe.tcti }) };
        } catch (error) {
          // A TPM that answers but will not seal (owner hierarchy with a password, no
          // ECC) can be passed over at first start, unless it already holds our key.
          if (existsSync(join(stateDir, 'tpm', 'wrapping-key.json'))) throw error;
          return { skipped: `TPM on ${probe.tcti} answers but cannot seal a key: ${(error as Error).message}` };
        }
      },
    ],
    [
      'secret-service',
      async () => {
        let adapter: Awaited<ReturnType<typeof secretService>>;
        try {
          adapter = await secretService();
        } catch (error) {
          return { skipped: (error as Error).message };
        }
        const { probeSecretService, SecretServiceStore } = adapter;
        const probe = await probeSecretService(busLocation, probeTimeoutMs);
        if (!probe.available) return { skipped: probe.reason };
        try {
          return {
            store: await SecretServiceStore.open({
              dbusAddress: probe.address,
              instance: options.instance ?? stateDir,
            }),
          };
        } catch (error) {
          return { skipped: (error as Error).message };
        }
      },
    ],
    ['file', async () => ({ store: await FileSecretStore.open({ stateDir }) })],
  ];
  for (const [tier, attempt] of attempts) {
    const result = await attempt();
    if ('skipped' in result) {
      options.log(`keystore: skipped ${tier}: ${result.skipped}`);
      continue;
    }
    const record = {
      tier,
      chosen: 'auto',
      note: 'the keystore tier auto chose at first start; the agent keeps using it',
    };
    await writePrivateFileAtomic(markerPath, Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8'));
    options.log(`keystore: ${result.store.describe()} (auto: best available; recorded in ${markerPath})`);
    return result.store;
  }
  // The file tier never returns `skipped`; this is unreachable.
  throw new KeystoreUnavailableError('no keystore tier could be opened');
}
