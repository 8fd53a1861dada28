/**
 * @module test/helpers/agent-crash-state
 * What the crash-recovery trials read from a killed agent's directory, and
 * the invariants every instant must satisfy (src/agent/README.md, first-boot.ts): every
 * state, status, preconfiguration and secret file is whole; the preconfiguration is still
 * private or it is public with the seed in the keystore, never both gone; a seed in the
 * keystore is the factory's; a state names the factory's device; a connected owner has its
 * activation seed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createDevicePreconfiguration } from '../../src/mesh/connect/device-preconfiguration.js';

export interface OwnerOnDisk {
  readonly state: string;
  readonly responseId?: string;
  readonly witness?: string;
}

export interface DiskSnapshot {
  /** 'private' (seed still in the file), 'public' (rewritten) or 'absent'. */
  readonly preconfiguration: 'private' | 'public' | 'absent';
  readonly seedInKeystore: string | undefined;
  readonly state: { device: { udf: string }; owners: Record<string, OwnerOnDisk> } | undefined;
  readonly status: { device?: { udf?: string } } | undefined;
  /** Secret files present, by name (`device-seed.secret`, `activation~<account>.secret`). */
  readonly secrets: readonly string[];
}

/** Parses a JSON file completely, or fails naming it: a torn write is a failure here. */
async function wholeJson(path: string, what: string): Promise<any> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${what} ${path} is not whole JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 200))}`,
    );
  }
}

export function activationFile(account: string): string {
  return `activation~${account.toLowerCase()}.secret`;
}

/** The device UDF a seed regenerates (the factory's maker and description, as agent-fixtures). */
export function udfOfSeed(seed: string, maker = 'maker@example.com'): string {
  return createDevicePreconfiguration({ deviceSeed: seed, makerAccount: maker, description: 'Thermostat' }).deviceUdf;
}

export async function snapshot(stateDirectory: string, medk: string): Promise<DiskSnapshot> {
  let preconfiguration: DiskSnapshot['preconfiguration'] = 'absent';
  if (existsSync(medk)) {
    const file = await wholeJson(medk, 'preconfiguration');
    if (file.DevicePreconfigurationPublic !== undefined) preconfiguration = 'public';
    else if (file.DevicePreconfiguration !== undefined) preconfiguration = 'private';
    else throw new Error(`preconfiguration ${medk} has neither tag: ${Object.keys(file).join(', ')}`);
  }
  // Read the state before the keystore: the agent stores a seed before the state (or the
  // file) says so, so in this order a running agent is never caught between the two.
  const statePath = join(stateDirectory, 'state.json');
  const state = existsSync(statePath) ? await wholeJson(statePath, 'state') : undefined;
  const statusPath = join(stateDirectory, 'status.json');
  const status = existsSync(statusPath) ? await wholeJson(statusPath, 'status') : undefined;
  const secretsDir = join(stateDirectory, 'secrets');
  const secrets = existsSync(secretsDir) ? (await readdir(secretsDir)).filter((n) => n.endsWith('.secret')).sort() : [];
  const seedPath = join(secretsDir, 'device-seed.secret');
  const seedInKeystore = existsSync(seedPath) ? await readFile(seedPath, 'utf8') : undefined;
  return { preconfiguration, seedInKeystore, state, status, secrets };
}

/** The invariants of any instant, for a factory device with seed `seed` and UDF `udf`. */
export function expectConsistent(s: DiskSnapshot, seed: string, udf: string, context: string): void {
  const where = (what: string) => `${context}: ${what}`;
  // Never both gone: a public file means the keystore holds the seed.
  expect(s.preconfiguration, where('the preconfiguration file vanished')).not.toBe('absent');
  if (s.preconfiguration === 'public')
    expect(s.seedInKeystore, where('file rewritten public but no seed in the keystore')).toBe(seed);
  // A seed in the keystore is whole and is the factory's.
  if (s.seedInKeystore !== undefined) expect(s.seedInKeystore, where('keystore seed')).toBe(seed);
  if (s.state !== undefined) {
    expect(s.state.device.udf, where('state names another device')).toBe(udf);
    for (const [account, owner] of Object.entries(s.state.owners)) {
      if (owner.state === 'connected')
        expect(s.secrets, where(`${account} connected without its activation seed`)).toContain(activationFile(account));
      if (owner.state === 'pending')
        expect(owner.responseId, where(`${account} pending without a ResponseId`)).toMatch(/\S/);
    }
  }
  if (s.status?.device?.udf !== undefined) expect(s.status.device.udf, where('status names another device')).toBe(udf);
}

/** Where a kill landed in first boot, from what it left on disk. */
export function firstBootLanding(s: DiskSnapshot): string {
  const pending = s.state !== undefined && Object.values(s.state.owners).some((o) => o.state === 'pending');
  if (pending) return 'pending recorded';
  if (s.preconfiguration === 'public') return 'preconfiguration rewritten';
  if (s.seedInKeystore !== undefined) return 'seed imported, file still private';
  if (s.state !== undefined || s.secrets.length > 0) return 'state begun, nothing imported';
  return 'nothing written';
}

/** Polls `check` (which reads the disk) until it holds; fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Files are replaced by rename: a read sees the old or the new one, never a torn one,
    // so a parse error here is a finding and propagates.
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
