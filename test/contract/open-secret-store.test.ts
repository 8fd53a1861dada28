/**
 * @module test/contract/open-secret-store
 * Choosing the keystore when neither a TPM nor a Secret Service is present: `auto` lands
 * on the file tier and logs why each better tier was skipped; explicit choices open what
 * they name; a bad choice or a damaged record of the auto choice is a clear error. (The
 * TPM and Secret Service picks are tested beside their backends.)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeystoreIntegrityError, UnknownKeystoreChoiceError } from '../../src/platform/keystore/keystore-errors.js';
import { MemorySecretStoreBackend } from '../../src/agent/fakes/memory-secret-store.js';
import {
  KEYSTORE_TIER_FILE,
  openSecretStore,
  type SecretStoreChoice,
} from '../../src/platform/keystore/open-secret-store.js';
import { caught } from './secret-store-contract.js';

const NOTHING = { env: {}, tpmDevice: '/nonexistent/tpmrm0' } as const;

describe('openSecretStore without TPM or Secret Service', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mesh-open-store-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('auto falls to the file tier, logging why tpm and secret-service were skipped, and records the choice', async () => {
    const lines: string[] = [];
    const store = await openSecretStore({ choice: 'auto', stateDir, ...NOTHING, log: (l) => lines.push(l) });
    expect(store.tier).toBe('file');
    expect(lines).toEqual([
      'keystore: skipped tpm: no TPM: /nonexistent/tpmrm0 absent and TPM2TOOLS_TCTI unset',
      'keystore: skipped secret-service: no Secret Service: no session bus: DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus',
      `keystore: file (${join(stateDir, 'secrets')}, 0600 files) (auto: best available; recorded in ${join(stateDir, KEYSTORE_TIER_FILE)})`,
    ]);
    expect(JSON.parse(await readFile(join(stateDir, KEYSTORE_TIER_FILE), 'utf8'))).toMatchObject({
      tier: 'file',
      chosen: 'auto',
    });
    await store.put('device-seed', Uint8Array.of(1, 2, 3));
    await store.close();

    const again: string[] = [];
    const reopened = await openSecretStore({ choice: 'auto', stateDir, ...NOTHING, log: (l) => again.push(l) });
    expect(await reopened.get('device-seed')).toEqual(Uint8Array.of(1, 2, 3));
    expect(again).toEqual([
      `keystore: ${reopened.describe()} (auto: the tier chosen at first start, recorded in ${join(stateDir, KEYSTORE_TIER_FILE)})`,
    ]);
  });

  it('creates a missing state directory', async () => {
    const nested = join(stateDir, 'var', 'lib', 'mesh-agent');
    const store = await openSecretStore({ choice: 'file', stateDir: nested, log: () => undefined });
    expect(store.describe()).toBe(`file (${join(nested, 'secrets')}, 0600 files)`);
  });

  it('explicit choices open what they name and log it as configured', async () => {
    const lines: string[] = [];
    const file = await openSecretStore({ choice: 'file', stateDir, log: (l) => lines.push(l) });
    expect(file.tier).toBe('file');
    const backend = new MemorySecretStoreBackend();
    const memory = await openSecretStore({
      choice: 'memory',
      stateDir,
      memoryBackend: backend,
      log: (l) => lines.push(l),
    });
    await memory.put('k', Uint8Array.of(5));
    expect(backend.secrets.get('k')).toEqual(Uint8Array.of(5));
    expect(lines).toEqual([`keystore: ${file.describe()} (configured)`, `keystore: ${memory.describe()} (configured)`]);
  });

  it('refuses an unknown choice, naming the accepted ones', async () => {
    const error = await caught(() =>
      openSecretStore({ choice: 'tmp' as SecretStoreChoice, stateDir, log: () => undefined }),
    );
    expect(error).toBeInstanceOf(UnknownKeystoreChoiceError);
    expect((error as Error).message).toBe(
      '"keystore" expected one of auto, tpm, secret-service, file, memory, got "tmp"',
    );
  });

  it('refuses a damaged record of the auto choice rather than choosing again', async () => {
    await writeFile(join(stateDir, KEYSTORE_TIER_FILE), '{"tier":"floppy"}', { mode: 0o600 });
    const error = await caught(() => openSecretStore({ choice: 'auto', stateDir, ...NOTHING, log: () => undefined }));
    expect(error).toBeInstanceOf(KeystoreIntegrityError);
    expect((error as Error).message).toContain(KEYSTORE_TIER_FILE);
  });
});
