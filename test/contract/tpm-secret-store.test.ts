/**
 * @module test/contract/tpm-secret-store
 * The TPM tier against a real software TPM (swtpm on 127.0.0.1, driven by tpm2-tools
 * with no resource manager, so the flush-after-every-step rule is exercised): the
 * contract, then what the TPM tier promises beyond it. The state directory holds no
 * plaintext; a TPM restart (a reboot) keeps every secret; a tampered, truncated or
 * swapped blob is an integrity error; a damaged sealed key or an unreachable TPM is a
 * typed error naming the tool; `auto` picks the TPM when one answers.
 */
import { readdir, readFile, rm, writeFile, mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KeystoreIntegrityError,
  TpmCommandError,
  TpmUnavailableError,
  InsecureStorageError,
} from '../../src/platform/keystore/keystore-errors.js';
import { KEYSTORE_TIER_FILE, openSecretStore } from '../../src/platform/keystore/open-secret-store.js';
import { TpmSecretStore } from '../../src/platform/keystore/tpm-secret-store.js';
import { probeTpm, resolveTcti } from '../../src/platform/keystore/tpm-tools.js';
import { startSwtpm, type Swtpm } from '../helpers/swtpm.js';
import { caught, distinctiveSecret, expectNoSecretIn, secretStoreContract } from './secret-store-contract.js';

let swtpm: Swtpm;
let scratch: string;
let counter = 0;

beforeAll(async () => {
  swtpm = await startSwtpm();
  scratch = await mkdtemp(join(tmpdir(), 'mesh-tpm-store-'));
});
afterAll(async () => {
  await swtpm?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

const newStateDir = (): string => join(scratch, `state-${++counter}`);
/** No TPM for the probes that must not find one, whatever this machine has. */
const NO_TPM = { env: {}, tpmDevice: '/nonexistent/tpmrm0' } as const;

secretStoreContract('tpm (swtpm)', () => ({
  tier: 'tpm',
  async fresh() {
    const stateDir = newStateDir();
    return {
      open: () => TpmSecretStore.open({ stateDir, tcti: swtpm.tcti, env: {} }),
      cleanup: () => rm(stateDir, { recursive: true, force: true }),
    };
  },
}));

async function filesUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}

describe('TpmSecretStore on swtpm', () => {
  it('leaves no plaintext in the state directory: no file contains the secret in any encoding', async () => {
    const stateDir = newStateDir();
    const store = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    const secrets = [distinctiveSecret(32), distinctiveSecret(57), distinctiveSecret(4096)];
    for (const [i, secret] of secrets.entries()) await store.put(`seed/${i}`, secret);
    await store.close();

    const files = await filesUnder(stateDir);
    expect(files.map((f) => f.slice(stateDir.length)).sort()).toEqual([
      '/tpm/secrets/seed~0.blob',
      '/tpm/secrets/seed~1.blob',
      '/tpm/secrets/seed~2.blob',
      '/tpm/wrapping-key.json',
    ]);
    for (const file of files) {
      const content = await readFile(file);
      expect((await stat(file)).mode & 0o777, file).toBe(0o600);
      for (const secret of secrets) {
        const raw = Buffer.from(secret);
        // Any 16-byte window of the secret, raw, hex or base64, would be a leak.
        for (const window of [raw.subarray(0, 16), raw.subarray(raw.length - 16)]) {
          expect(content.includes(window), `${file} holds secret bytes`).toBe(false);
          expect(content.toString('latin1').includes(window.toString('hex')), `${file} holds the secret in hex`).toBe(
            false,
          );
        }
        expect(
          content.toString('latin1').includes(raw.toString('base64').slice(0, 24)),
          `${file} holds the secret in base64`,
        ).toBe(false);
      }
    }
    const record = JSON.parse(await readFile(join(stateDir, 'tpm', 'wrapping-key.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(record['attributes']).toBe('fixedtpm|fixedparent|userwithauth|noda');
    expect(Object.keys(record).sort()).toEqual(['attributes', 'primary', 'private', 'public', 'version']);
  });

  it('keeps every secret across a TPM restart on the same NVRAM (a reboot)', async () => {
    const stateDir = newStateDir();
    const store = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    const seed = distinctiveSecret(32);
    await store.put('device-seed', seed);
    await store.put('activation/alice@example.com', Uint8Array.of(0, 1, 0));
    await store.close();

    await swtpm.restart();
    const after = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    expect(await after.list()).toEqual(['activation/alice@example.com', 'device-seed']);
    expect(await after.get('device-seed')).toEqual(seed);
    expect(await after.get('activation/alice@example.com')).toEqual(Uint8Array.of(0, 1, 0));
    await after.close();
  });

  it('reports a tampered, truncated, foreign or swapped blob as KeystoreIntegrityError naming the file', async () => {
    const stateDir = newStateDir();
    const store = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    const seed = distinctiveSecret(32);
    const other = distinctiveSecret(32);
    await store.put('device-seed', seed);
    await store.put('other', other);
    const blobPath = join(stateDir, 'tpm', 'secrets', 'device-seed.blob');
    const blob = await readFile(blobPath);

    const variants: Array<[string, Buffer]> = [
      ['ciphertext bit flipped', Buffer.from(blob).fill(blob[blob.length - 1]! ^ 1, blob.length - 1)],
      ['tag bit flipped', Buffer.from(blob).fill(blob[20]! ^ 0x80, 20, 21)],
      ['nonce changed', Buffer.from(blob).fill(0, 1, 13)],
      ['truncated', blob.subarray(0, blob.length - 5)],
      ['header only', blob.subarray(0, 10)],
      ['empty', Buffer.alloc(0)],
      ['unknown version', Buffer.concat([Buffer.of(2), blob.subarray(1)])],
      ['blob of another name', await readFile(join(stateDir, 'tpm', 'secrets', 'other.blob'))],
    ];
    for (const [what, bytes] of variants) {
      await writeFile(blobPath, bytes, { mode: 0o600 });
      const error = await caught(() => store.get('device-seed'));
      expect(error, what).toBeInstanceOf(KeystoreIntegrityError);
      expect((error as Error).message, what).toContain(blobPath);
      expectNoSecretIn(error, seed);
      expectNoSecretIn(error, other);
    }
    // Another store (another wrapping key, same TPM) cannot open this store's blob either.
    const foreign = await TpmSecretStore.open({ stateDir: newStateDir(), tcti: swtpm.tcti });
    await foreign.put('device-seed', distinctiveSecret(32));
    await writeFile(blobPath, await readFile(join(foreign.directory, 'secrets', 'device-seed.blob')), { mode: 0o600 });
    expect(await caught(() => store.get('device-seed'))).toBeInstanceOf(KeystoreIntegrityError);
    // The untouched secret still reads.
    expect(await store.get('other')).toEqual(other);
    await foreign.close();
    await store.close();
  });

  it('reports a damaged sealed wrapping key as TpmCommandError from tpm2_load, with its exit code', async () => {
    const stateDir = newStateDir();
    const store = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    await store.put('device-seed', distinctiveSecret(32));
    await store.close();
    const keyPath = join(stateDir, 'tpm', 'wrapping-key.json');
    const record = JSON.parse(await readFile(keyPath, 'utf8')) as { private: string };
    const priv = Buffer.from(record.private, 'base64');
    priv[priv.length - 3]! ^= 0x01;
    await writeFile(keyPath, JSON.stringify({ ...record, private: priv.toString('base64') }), { mode: 0o600 });

    const error = await caught(() => TpmSecretStore.open({ stateDir, tcti: swtpm.tcti }));
    expect(error).toBeInstanceOf(TpmCommandError);
    expect((error as TpmCommandError).tool).toBe('tpm2_load');
    expect((error as TpmCommandError).exitCode).not.toBe(0);
    expect((error as Error).message).toMatch(/^tpm2_load failed with exit code \d+ on TCTI swtpm:/);

    await writeFile(keyPath, '{"version":1}', { mode: 0o600 });
    expect(await caught(() => TpmSecretStore.open({ stateDir, tcti: swtpm.tcti }))).toBeInstanceOf(
      KeystoreIntegrityError,
    );
  });

  it('refuses to make a new wrapping key when sealed secrets exist without theirs', async () => {
    const stateDir = newStateDir();
    const store = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    await store.put('device-seed', distinctiveSecret(32));
    await store.close();
    await rm(join(stateDir, 'tpm', 'wrapping-key.json'));
    const error = await caught(() => TpmSecretStore.open({ stateDir, tcti: swtpm.tcti }));
    expect(error).toBeInstanceOf(KeystoreIntegrityError);
    expect((error as Error).message).toMatch(/wrapping-key\.json is missing but 1 sealed secret/);
  });

  it('refuses a store directory readable by others', async () => {
    const stateDir = newStateDir();
    const store = await TpmSecretStore.open({ stateDir, tcti: swtpm.tcti });
    await store.close();
    const { chmod } = await import('node:fs/promises');
    await chmod(join(stateDir, 'tpm'), 0o755);
    const error = await caught(() => TpmSecretStore.open({ stateDir, tcti: swtpm.tcti }));
    expect(error).toBeInstanceOf(InsecureStorageError);
    expect((error as Error).message).toContain(join(stateDir, 'tpm'));
  });

  it('an unreachable TPM is a typed error naming the tool; no TCTI at all is TpmUnavailableError', async () => {
    const error = await caught(() =>
      TpmSecretStore.open({ stateDir: newStateDir(), tcti: 'swtpm:host=127.0.0.1,port=1' }),
    );
    expect(error).toBeInstanceOf(TpmCommandError);
    expect((error as TpmCommandError).tool).toBe('tpm2_createprimary');

    const none = await caught(() => TpmSecretStore.open({ stateDir: newStateDir(), ...NO_TPM }));
    expect(none).toBeInstanceOf(TpmUnavailableError);
    expect((none as Error).message).toBe('no TPM: /nonexistent/tpmrm0 absent and TPM2TOOLS_TCTI unset');
  });

  it('detects a TPM: the TCTI from the option or TPM2TOOLS_TCTI, answered by tpm2_getcap', async () => {
    expect(resolveTcti(NO_TPM)).toEqual({
      tcti: undefined,
      reason: 'no TPM: /nonexistent/tpmrm0 absent and TPM2TOOLS_TCTI unset',
    });
    expect(resolveTcti({ env: { TPM2TOOLS_TCTI: swtpm.tcti } })).toEqual({
      tcti: swtpm.tcti,
      source: 'TPM2TOOLS_TCTI',
    });
    expect(resolveTcti({ tcti: 'device:/dev/tpm0', env: { TPM2TOOLS_TCTI: swtpm.tcti } })).toEqual({
      tcti: 'device:/dev/tpm0',
      source: 'configured TCTI',
    });
    expect(resolveTcti({ env: {}, tpmDevice: '/dev/null' })).toEqual({
      tcti: 'device:/dev/null',
      source: 'device node /dev/null',
    });

    expect(await probeTpm({ env: { TPM2TOOLS_TCTI: swtpm.tcti } })).toEqual({
      available: true,
      tcti: swtpm.tcti,
      source: 'TPM2TOOLS_TCTI',
    });
    expect(await probeTpm(NO_TPM)).toEqual({
      available: false,
      reason: 'no TPM: /nonexistent/tpmrm0 absent and TPM2TOOLS_TCTI unset',
    });
    const dead = await probeTpm({ tcti: 'swtpm:host=127.0.0.1,port=1' }, 3_000);
    expect(dead.available).toBe(false);
    expect(!dead.available && dead.reason).toMatch(
      /^no TPM: configured TCTI gives TCTI swtpm:host=127\.0\.0\.1,port=1, but tpm2_getcap failed with exit code/,
    );
  });

  it('auto picks the TPM when one answers, logs it, records it, and keeps it', async () => {
    const stateDir = newStateDir();
    const lines: string[] = [];
    const store = await openSecretStore({
      choice: 'auto',
      stateDir,
      env: { TPM2TOOLS_TCTI: swtpm.tcti },
      log: (l) => lines.push(l),
    });
    expect(store.tier).toBe('tpm');
    expect(store.describe()).toContain(swtpm.tcti);
    expect(lines).toEqual([
      `keystore: ${store.describe()} (auto: best available; recorded in ${join(stateDir, KEYSTORE_TIER_FILE)})`,
    ]);
    const seed = distinctiveSecret(32);
    await store.put('device-seed', seed);
    await store.close();

    // A later start where the TPM does not answer must not fall back to an empty file store.
    const error = await caught(() =>
      openSecretStore({
        choice: 'auto',
        stateDir,
        env: { TPM2TOOLS_TCTI: 'swtpm:host=127.0.0.1,port=1' },
        log: () => undefined,
        probeTimeoutMs: 3_000,
      }),
    );
    expect(error).toBeInstanceOf(TpmUnavailableError);
    expect((error as Error).message).toContain('keystore "auto" chose tpm at first start');
    expect((error as Error).message).toContain(KEYSTORE_TIER_FILE);

    const again = await openSecretStore({
      choice: 'auto',
      stateDir,
      env: { TPM2TOOLS_TCTI: swtpm.tcti },
      log: () => undefined,
    });
    expect(await again.get('device-seed')).toEqual(seed);
    await again.close();
  });

  it('an explicit "tpm" with no TPM is TpmUnavailableError saying why, not a fallback', async () => {
    const error = await caught(() =>
      openSecretStore({ choice: 'tpm', stateDir: newStateDir(), ...NO_TPM, log: () => undefined }),
    );
    expect(error).toBeInstanceOf(TpmUnavailableError);
    expect((error as Error).message).toBe(
      'keystore "tpm" is unavailable: no TPM: /nonexistent/tpmrm0 absent and TPM2TOOLS_TCTI unset',
    );
  });
});
