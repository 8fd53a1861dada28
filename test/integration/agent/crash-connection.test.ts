/**
 * @module test/integration/agent/crash-connection.test
 * Crash recovery during connection: a factory device (real agent, file
 * keystore) has asked several owners to join through the real service on loopback and
 * waits. In each trial the agent is started, one owner accepts with the owner CLI at a
 * random moment, and the agent is killed with SIGKILL at another random moment: while it
 * polls, while it takes the answer (activation seed to the keystore, then the state), or
 * after. After every kill the directory must be consistent (agent-crash-state); the restart
 * must keep the device UDF, resume every pending request with its ResponseId (no
 * re-pairing), reach "connected" for the owner who accepted, and keep every owner connected
 * before with its activation seed.
 *
 * Delays come from a seeded generator; the seed is printed. Replay a failure with
 * MESH_CRASH_SEED=<seed> npx vitest run test/integration/agent/crash-connection.test.ts
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashSeed, killAllSpawned, seededUniform, SpawnedAgent } from '../../helpers/agent-crash.js';
import {
  activationFile,
  eventually,
  expectConsistent,
  snapshot,
  udfOfSeed,
  type DiskSnapshot,
} from '../../helpers/agent-crash-state.js';
import { tempDirectory } from '../../helpers/agent-process.js';
import { factoryFileText } from '../../helpers/agent-fixtures.js';
import { owner, ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

const DEVICES = 3;
const OWNERS_PER_DEVICE = 7;
/** The owner accepts 0..ACCEPT_WINDOW_MS after the fingerprint. */
const ACCEPT_WINDOW_MS = 300;

/**
 * Each kill is timed from an anchor chosen at random, plus a random delay: on a loaded
 * machine a delay from one fixed moment lands nearly always in the same step. The keystore
 * anchors watch the secrets directory (inotify) for the activation seed's temp file (the
 * kill lands while it is written) or for the seed itself (between the keystore and the
 * state file, the narrowest window).
 */
const ANCHORS = [
  { name: 'fingerprint', maxDelayMs: 300 },
  { name: 'owner accepted', maxDelayMs: 300 },
  { name: 'activation temp file', maxDelayMs: 3 },
  { name: 'activation stored', maxDelayMs: 3 },
  { name: 'connected shown', maxDelayMs: 100 },
] as const;

/** Resolves when a file whose name satisfies `match` appears in `dir` (or after `timeoutMs`). */
function fileAppears(
  dir: string,
  match: (name: string) => boolean,
  timeoutMs: number,
): { done: Promise<boolean>; cancel(): void } {
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle: (found: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolveFound) => {
    settle = (found) => {
      watcher?.close();
      clearTimeout(timer);
      resolveFound(found);
    };
    watcher = watch(dir, (_event, name) => {
      if (name !== null && match(String(name))) settle(true);
    });
    timer = setTimeout(() => settle(false), timeoutMs);
  });
  return { done, cancel: () => settle(false) };
}

const seed = crashSeed();
let service: TestService;
let scratch: string;

beforeAll(async () => {
  console.log(`crash-connection: seed ${seed} (replay: MESH_CRASH_SEED=${seed})`);
  service = await startTestService();
  scratch = await tempDirectory('mesh-agent-crash-conn-');
});

afterAll(async () => {
  await killAllSpawned();
  await service?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

interface Owner {
  readonly account: string;
  readonly home: string;
  witness?: string;
  responseId?: string;
}

async function newDevice(index: number) {
  const dir = join(scratch, `device-${index}`);
  await mkdir(dir);
  const owners: Owner[] = [];
  for (let i = 0; i < OWNERS_PER_DEVICE; i++) {
    const account = `owner${i}-d${index}@example.com`;
    const home = join(dir, `home-${i}`);
    await ownerJson(home, 'account', 'create', account, '--service', service.url);
    owners.push({ account, home });
  }
  const factory = factoryFileText();
  const medk = join(dir, 'device.medk');
  await writeFile(medk, factory.text, { mode: 0o600 });
  const config = join(dir, 'config.json');
  const state = join(dir, 'state');
  await writeFile(
    config,
    JSON.stringify({
      stateDirectory: state,
      preconfiguration: medk,
      owners: owners.map((o) => ({ account: o.account, service: service.url })),
      keystore: 'file',
      polling: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.15, jitter: 0.1, honorRetryAfter: false },
    }),
  );
  return { dir, medk, config, state, owners, seed: factory.seed, udf: factory.made.deviceUdf };
}

type Device = Awaited<ReturnType<typeof newDevice>>;

/** Where the kill landed for the owner who accepted, from what it left on disk. */
function landing(s: DiskSnapshot, account: string): string {
  const record = s.state?.owners[account.toLowerCase()];
  const seedStored = s.secrets.includes(activationFile(account));
  if (record?.state === 'connected') return 'connected recorded';
  if (seedStored) return 'activation stored, state still pending';
  return 'still pending';
}

async function pendingAndConnected(d: Device): Promise<DiskSnapshot> {
  const s = await snapshot(d.state, d.medk);
  expectConsistent(s, d.seed, d.udf, d.dir);
  return s;
}

describe('kill -9 during connection', () => {
  it(`${DEVICES * OWNERS_PER_DEVICE} kills around an owner's acceptance; pending requests resume, connected owners stay`, {
    timeout: 170_000,
  }, async () => {
    const landings = new Map<string, number>();
    const anchors = new Map<string, number>();
    let kills = 0;

    const runDevice = async (index: number): Promise<void> => {
      const d = await newDevice(index);
      const uniform = seededUniform(seed ^ Math.imul(index + 1, 0x85ebca6b));

      // Undisturbed first boot: every owner pending, with its witness and ResponseId.
      const boot = new SpawnedAgent(d.config);
      for (const o of d.owners)
        o.witness = (
          await boot.waitFor(new RegExp(`SHOW witness (\\S+) for ${o.account.replace(/[.]/g, '\\.')}`), 30_000)
        )[1] as string;
      const booted = await eventually(
        async () => {
          const s = await pendingAndConnected(d);
          return d.owners.every((o) => s.state?.owners[o.account]?.state === 'pending') ? s : undefined;
        },
        15_000,
        `${d.dir}: every owner pending`,
      );
      for (const o of d.owners) o.responseId = booted.state?.owners[o.account]?.responseId;
      expect(await boot.stop()).toBe(0);

      for (let k = 0; k < d.owners.length; k++) {
        const accepting = d.owners[k] as Owner;
        const acceptDelay = Math.floor(uniform() * ACCEPT_WINDOW_MS);
        const anchor = ANCHORS[Math.floor(uniform() * ANCHORS.length)] as (typeof ANCHORS)[number];
        const killDelay = Math.floor(uniform() * (anchor.maxDelayMs + 1));
        const context = `device ${index} owner ${k} (seed ${seed}, accept ${acceptDelay} ms after the fingerprint, kill ${killDelay} ms after ${anchor.name}, ${d.dir})`;

        const secretFile = activationFile(accepting.account);
        const watched =
          anchor.name === 'activation temp file' || anchor.name === 'activation stored'
            ? fileAppears(
                join(d.state, 'secrets'),
                anchor.name === 'activation stored'
                  ? (n) => n === secretFile
                  : (n) => n.startsWith(`.${secretFile}.tmp-`),
                20_000,
              )
            : undefined;
        const agent = new SpawnedAgent(d.config);
        await agent.waitFor(/SHOW fingerprint/, 30_000);
        const accepted = (async () => {
          await new Promise((r) => setTimeout(r, acceptDelay));
          return owner(accepting.home, 'device', 'accept', accepting.witness as string);
        })();
        if (anchor.name === 'owner accepted') await accepted;
        if (anchor.name === 'connected shown')
          await agent.waitFor(new RegExp(`SHOW connected ${accepting.account.replace(/[.]/g, '\\.')}`), 20_000);
        if (watched !== undefined) expect(await watched.done, `${context}: the anchor never appeared`).toBe(true);
        if (killDelay > 0) await new Promise((r) => setTimeout(r, killDelay));
        await agent.kill9();
        kills++;
        anchors.set(anchor.name, (anchors.get(anchor.name) ?? 0) + 1);
        const acceptance = await accepted;
        expect(acceptance.status, `${context}: ${acceptance.stderr}`).toBe(0);
        expect(agent.stderr.join(''), context).toBe('');

        const killed = await pendingAndConnected(d);
        const where = landing(killed, accepting.account);
        landings.set(where, (landings.get(where) ?? 0) + 1);

        // Restart: the accepted owner gets connected; nobody else moves; nothing re-pairs.
        const restart = new SpawnedAgent(d.config);
        expect((await restart.waitFor(/SHOW fingerprint (\S+)/, 30_000))[1], context).toBe(d.udf);
        const after = await eventually(
          async () => {
            const s = await pendingAndConnected(d);
            return s.state?.owners[accepting.account]?.state === 'connected' ? s : undefined;
          },
          20_000,
          `${context}: ${accepting.account} connected after the restart`,
        );
        d.owners.forEach((o, i) => {
          const record = after.state?.owners[o.account];
          expect(record?.state, `${context}: ${o.account}`).toBe(i <= k ? 'connected' : 'pending');
          expect(record?.responseId, `${context}: ${o.account} keeps its request`).toBe(o.responseId);
          if (i <= k)
            expect(after.secrets, `${context}: ${o.account}'s activation seed`).toContain(activationFile(o.account));
          else
            expect(after.secrets, `${context}: no activation seed for ${o.account} yet`).not.toContain(
              activationFile(o.account),
            );
        });
        expect(after.preconfiguration, context).toBe('public');
        expect(after.seedInKeystore, context).toBe(d.seed);
        expect(
          udfOfSeed(after.seedInKeystore as string),
          `${context}: the keystore's seed regenerates the profile`,
        ).toBe(d.udf);
        // Requests still pending were resumed, not made again (same witness shown again).
        // The agent logs these as it resumes each owner, possibly after the state check above.
        for (const o of d.owners.slice(k + 1)) {
          const line = new RegExp(`${o.account.replace(/[.]/g, '\\.')}: still waiting; witness ${o.witness}`);
          await restart.waitFor(line, 20_000).catch(() => undefined);
          expect(restart.lines.join('\n'), context).toContain(`${o.account}: still waiting; witness ${o.witness}`);
        }
        expect(await restart.stop(), context).toBe(0);
        expect(restart.stderr.join(''), context).toBe('');
      }
    };

    await Promise.all(Array.from({ length: DEVICES }, (_, i) => runDevice(i)));
    const show = (m: Map<string, number>) => [...m].map(([l, n]) => `${l} ${n}`).join(', ');
    console.log(
      `crash-connection: ${kills} kills over ${DEVICES} devices × ${OWNERS_PER_DEVICE} owners; timed from: ${show(anchors)}; landed for the accepting owner: ${show(landings)}`,
    );
    expect(kills).toBe(DEVICES * OWNERS_PER_DEVICE);
  });
});
