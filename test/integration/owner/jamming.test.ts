/**
 * @module test/integration/owner/jamming.test
 * The four ways a stranger could jam the unauthenticated front door (mesh-security-05 §3.12;
 * docs/security.md), each applied for real against the service on 127.0.0.1 (in process, so
 * its limits shrink and its clock moves), then the owner uses the built CLI (`node
 * dist/mesh.mjs`) to list and accept a real device (signed with the core library, checking
 * the acknowledgement and witness itself), and the device's ConnectStatus carries the accept:
 * 1. many small ConnectStarts (with the rate limits on, and off so the pending cap decides);
 * 2. a few oversized ConnectStarts (refused by size, and, when let in, paged by bytes);
 * 3. stale requests piled up past what one listing reads (and purged by housekeeping);
 * 4. guessed PinIds from many sources, and a replayed PIN request, against the owner's PIN.
 * The stranger sends from 127.0.0.2 and up: its own source address on the loopback interface.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/crypto/clock.js';
import { DEFAULT_RATE_LIMITS } from '../../../src/service/rate-limit/rate-limit-config.js';
import { Containers, accountPrefix } from '../../../src/service/records.js';
import type { ServiceConfig } from '../../../src/service/service-config.js';
import { startService, type RunningService } from '../../../src/service/service-runner.js';
import {
  closeStrangerAgents,
  jam,
  postFrom,
  runMeshProcess,
  strangerConnectStart,
  type ProcessResult,
} from '../../helpers/front-door-jam.js';
import { ScriptedDevice } from './owner-harness.js';

const DAY = 24 * 60 * 60 * 1000;
const RATE_LIMITS_OFF = { ...DEFAULT_RATE_LIMITS, enabled: false };

interface World {
  readonly running: RunningService;
  readonly url: string;
  readonly home: string;
  readonly account: string;
  /** Moves the service's clock (ms from real time). */
  offset: number;
}

const worlds: World[] = [];
const directories: string[] = [];

async function world(account: string, config: Partial<ServiceConfig> = {}): Promise<World> {
  const directory = await mkdtemp(join(tmpdir(), 'mesh-jamming-'));
  directories.push(directory);
  const self = { offset: 0 } as { offset: number } & Partial<World>;
  const running = await startService({
    dataDirectory: join(directory, 'data'),
    listen: { host: '127.0.0.1', port: 0 },
    clock: { now: () => new Date(Date.now() + self.offset), sleep: systemClock.sleep },
    maintenanceIntervalMs: 0,
    config,
  });
  const w = Object.assign(self, { running, url: running.url, home: join(directory, 'home'), account }) as World;
  worlds.push(w);
  const created = await cli(w, 'account', 'create', account, '--service', running.url);
  expect(created.status, created.stderr).toBe(0);
  return w;
}

afterEach(async () => {
  closeStrangerAgents();
  for (const w of worlds.splice(0)) await w.running.close();
});
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

function cli(w: Pick<World, 'home'>, ...args: string[]): Promise<ProcessResult> {
  return runMeshProcess([...args, '--home', w.home]);
}

async function cliJson(w: World, ...args: string[]): Promise<Record<string, any> & { ms: number }> {
  const result = await cli(w, ...args, '--json');
  expect(result.status, `mesh ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 2000)}`).toBe(0);
  return { ...(JSON.parse(result.stdout) as Record<string, any>), ms: result.ms };
}

/** The owner lists, finds the real device among whatever else is pending, and accepts it by its witness. */
async function ownerAcceptsByWitness(w: World, device: ScriptedDevice): Promise<void> {
  const pending = await cliJson(w, 'device', 'pending');
  const mine = pending.pending.filter((p: any) => p.deviceUdf === device.udf);
  expect(mine, `the real device among ${pending.pending.length} pending`).toHaveLength(1);
  expect(mine[0]).toMatchObject({ witness: device.witness, acceptable: true });
  const accepted = await cli(w, 'device', 'accept', device.witness);
  expect(accepted.status, accepted.stderr.slice(0, 2000)).toBe(0);
  expect(accepted.stdout).toContain(`accepted ${device.udf}`);
  const done = await device.complete();
  expect(done.result).toBe('Accept');
}

/** The owner's --auto-pin accepts the PIN-verified real device; it receives the accept. */
async function ownerAutoPinAccepts(w: World, device: ScriptedDevice): Promise<void> {
  const pending = await cliJson(w, 'device', 'pending');
  const mine = pending.pending.filter((p: any) => p.deviceUdf === device.udf);
  expect(mine, `the real device among ${pending.pending.length} pending`).toHaveLength(1);
  expect(mine[0]).toMatchObject({ witness: device.witness, pin: 'verified' });
  const auto = await cliJson(w, 'device', 'accept', '--auto-pin');
  expect(auto.accepted).toEqual(
    expect.arrayContaining([expect.objectContaining({ deviceUdf: device.udf, witness: device.witness })]),
  );
  const done = await device.complete();
  expect(done.result).toBe('Accept');
}

const count = (counts: Map<number, number>, pick: (status: number) => boolean): number =>
  [...counts].filter(([s]) => pick(s)).reduce((n, [, c]) => n + c, 0);

describe('jamming 1: many small ConnectStarts for one account', () => {
  // Shrunk from the 2 000 that jammed the owner before: past the per-source burst and the pending cap.
  const FLOOD = 150;

  it('with the rate limits on, the stranger is refused with 429 and RetryAfter; the owner lists and accepts a PIN-validated device', async () => {
    const w = await world('many-on@example.com');
    const bodies = Array.from({ length: FLOOD }, () => strangerConnectStart(w.account));
    const { counts, replies } = await jam(w.url, bodies, { concurrency: 16 });
    expect(
      count(counts, (s) => s >= 500 || s === 0),
      JSON.stringify([...counts]),
    ).toBe(0);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length, JSON.stringify([...counts])).toBeGreaterThan(FLOOD / 2);
    expect(refused.every((r) => r.http === 429 && r.retryAfter !== undefined && r.retryAfter > 0)).toBe(true);

    // The real device from the owner's side of the house (127.0.0.1), with the owner's PIN: the
    // source bucket's refill can let a slower flood reach the pending cap, which never crowds
    // out a PIN-validated request.
    const pin = await cliJson(w, 'account', 'pin');
    const device = new ScriptedDevice(w.url, w.account);
    await device.connect(pin.pin);
    await ownerAutoPinAccepts(w, device);
  }, 60_000);

  it('with the rate limits off, the pending cap refuses the excess; a PIN-validated device is never crowded out and the owner accepts it', async () => {
    const w = await world('many-off@example.com', { rateLimits: RATE_LIMITS_OFF });
    const cap = 64;
    const bodies = Array.from({ length: FLOOD }, () => strangerConnectStart(w.account));
    const { counts } = await jam(w.url, bodies, { concurrency: 16 });
    expect(
      count(counts, (s) => s >= 500 || s === 0),
      JSON.stringify([...counts]),
    ).toBe(0);
    expect(counts.get(201) ?? 0, JSON.stringify([...counts])).toBeLessThanOrEqual(cap);
    expect(counts.get(429) ?? 0, JSON.stringify([...counts])).toBeGreaterThanOrEqual(FLOOD - cap);

    // A device without a PIN is crowded out too: that is the cap working, not the owner failing.
    const unvalidated = await postFrom(w.url, strangerConnectStart(w.account), '127.0.0.1');
    expect(unvalidated.status).toBe(429);

    const pin = await cliJson(w, 'account', 'pin');
    const device = new ScriptedDevice(w.url, w.account);
    await device.connect(pin.pin);
    await ownerAutoPinAccepts(w, device);
  }, 60_000);
});

describe('jamming 2: a few oversized ConnectStarts', () => {
  const BIG = 10;
  // About 240 KB of body each: under the 256 KiB body limit, far over a real request's 3 KiB.
  const DESCRIPTION = 120_000;

  it('oversized requests are refused by size; the owner lists and accepts a real device', async () => {
    const w = await world('big@example.com');
    const bodies = Array.from({ length: BIG }, () =>
      strangerConnectStart(w.account, { descriptionLength: DESCRIPTION }),
    );
    expect(Math.min(...bodies.map((b) => b.length))).toBeGreaterThan(200_000);
    const { counts } = await jam(w.url, bodies, { concurrency: 4 });
    expect(counts.get(201) ?? 0, JSON.stringify([...counts])).toBe(0);
    expect(
      count(counts, (s) => s >= 400 && s < 500),
      JSON.stringify([...counts]),
    ).toBe(BIG);

    const device = new ScriptedDevice(w.url, w.account);
    await device.connect();
    await ownerAcceptsByWitness(w, device);
  }, 60_000);

  it('when the operator lets large requests in, ConnectPending pages by bytes and the owner still lists and accepts a real device', async () => {
    // Shrunk: a page of 400 KB holds one such request, so five of them take the owner five pages.
    const ALLOWED = 5;
    const w = await world('big-allowed@example.com', {
      maxConnectRequestBytes: 300 * 1024,
      maxDescriptionLength: 200_000,
      maxPageBytes: 400 * 1024,
    });
    const bodies = Array.from({ length: ALLOWED }, () =>
      strangerConnectStart(w.account, { descriptionLength: DESCRIPTION }),
    );
    const { counts } = await jam(w.url, bodies, { concurrency: 1 });
    expect(counts.get(201), JSON.stringify([...counts])).toBe(ALLOWED);

    const device = new ScriptedDevice(w.url, w.account);
    await device.connect();
    await ownerAcceptsByWitness(w, device);
  }, 90_000);
});

describe('jamming 3: stale requests never purged', () => {
  it('past what one listing reads, expired requests neither hide the live one nor stop the owner; housekeeping purges them', async () => {
    // Shrunk: 120 stale requests against a 40-record scan bound (the service reads 5000 by default).
    const STALE = 120;
    const w = await world('stale@example.com', {
      rateLimits: RATE_LIMITS_OFF,
      maxScanRecords: 40,
      maxPendingUnvalidated: 1000,
    });
    // Filed three days ago: expired two days ago, past the 24 h kept after expiry by now.
    w.offset = -3 * DAY;
    const bodies = Array.from({ length: STALE }, () => strangerConnectStart(w.account));
    // One at a time: this is the setup, every request must be filed.
    const { counts } = await jam(w.url, bodies, { concurrency: 1 });
    expect(counts.get(201), JSON.stringify([...counts])).toBe(STALE);
    w.offset = 0;

    const device = new ScriptedDevice(w.url, w.account);
    await device.connect();
    // Listing sorts by the store's key, so the live request may lie past every stale one.
    await ownerAcceptsByWitness(w, device);

    await w.running.service.maintain();
    const left = await w.running.store.list(Containers.requests, { prefix: accountPrefix(w.account), limit: 1000 });
    expect(left.records.length).toBeLessThan(STALE);
    expect(left.records.length).toBeLessThanOrEqual(1);
  }, 90_000);
});

describe('jamming 4: strangers against the owner PIN', () => {
  it('guessed PinIds from many sources do not lock the owner PIN; the real device connects with it and is accepted', async () => {
    const w = await world('pin-guess@example.com');
    const pin = await cliJson(w, 'account', 'pin', '--roles', 'thermostat');
    // Ten guesses from ten addresses, then ten more from one: twice the lockout threshold each way.
    const guesses = Array.from({ length: 20 }, () => strangerConnectStart(w.account, { pin: true }));
    const { counts } = await jam(w.url, guesses, {
      concurrency: 4,
      localAddress: (i) => (i < 10 ? `127.0.0.${10 + i}` : '127.0.0.3'),
    });
    expect(counts.get(201) ?? 0, JSON.stringify([...counts])).toBe(0);
    expect(
      count(counts, (s) => s >= 400 && s < 500),
      JSON.stringify([...counts]),
    ).toBe(guesses.length);

    const device = new ScriptedDevice(w.url, w.account);
    await device.connect(pin.pin);
    await ownerAutoPinAccepts(w, device);
  }, 60_000);

  it('a PIN request replayed five times does not lock the owner out of the next PIN', async () => {
    const w = await world('pin-replay@example.com');
    const first = await cliJson(w, 'account', 'pin');
    const intercepted = new ScriptedDevice(w.url, w.account);
    await intercepted.connect(first.pin);
    const replay = JSON.stringify({
      ConnectStartRequest: { AccountAddress: w.account, EnvelopedRequestConnection: intercepted.request!.json },
    });
    const { counts } = await jam(
      w.url,
      Array.from({ length: 5 }, () => replay),
      { concurrency: 1 },
    );
    // A replay may be answered with the original acknowledgement or refused; it never files a second request.
    expect(
      count(counts, (s) => s === 201 || (s >= 400 && s < 500)),
      JSON.stringify([...counts]),
    ).toBe(5);
    const listed = await cliJson(w, 'device', 'pending');
    expect(listed.pending.filter((p: any) => p.deviceUdf === intercepted.udf)).toHaveLength(1);

    const second = await cliJson(w, 'account', 'pin');
    const device = new ScriptedDevice(w.url, w.account);
    await device.connect(second.pin);
    await ownerAutoPinAccepts(w, device);
  }, 60_000);
});
