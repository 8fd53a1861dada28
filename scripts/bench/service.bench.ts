/**
 * Service figures: ConnectStart/s and ConnectStatus/s with N concurrent clients
 * against `mesh service start` (the built CLI, file store, loopback only), each beside the raw
 * Ed448 verify rate measured in this run (a ConnectStart verifies two Ed448 signatures and
 * makes one, and commits one fsync'd log entry); and the service's resident memory per
 * 10 000 pending requests (RSS delta of the service process, from /proc). Bounded: each rate
 * runs ~1.5 s, the memory fill stops at 10 000 requests or 30 s, whichever comes first (the per-10 000 figure is scaled from what was added).
 *
 * The cost of the front door's rate limits (docs/security.md "Rate limits"): ConnectStart/s
 * against one service with `--rate-limit off` and one with the limits on but scaled so the
 * bench's load is never refused (the point is the cost of the check, not refusals), measured
 * in alternating rounds in this run, median of each, and their ratio (target: under 5 %).
 * The main service runs with the same scaled limits, since its load is far above any honest
 * client's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { verifySignature } from '../../src/crypto/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import { verifyAcknowledgeConnection } from '../../src/mesh/connect/acknowledge-connection.js';
import { createRequestConnection } from '../../src/mesh/connect/request-connection.js';
import { deriveKeyPair } from '../../src/mesh/keys/derive-key.js';
import {
  accountKeyPairs,
  createProfileAccount,
  verifyProfileAccount,
} from '../../src/mesh/profiles/profile-account.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../src/mesh/udf/derived-key-seed.js';
import { responseId } from '../../src/mesh/udf/message-id.js';
import { REQUEST_NONCE_LENGTH, createRequestAuthorization } from '../../src/mesh/connect/request-authorization.js';
import { fmt, measure, printTable, rateRow, type Rate, type Row } from './measure.js';
import { RateLimiter } from '../../src/service/rate-limit/rate-limiter.js';
import { DEFAULT_RATE_LIMITS, applyRateLimitSettings } from '../../src/service/rate-limit/rate-limit-config.js';
import { sourceKey } from '../../src/service/rate-limit/source-address.js';

const CLIENTS = [1, 8, 32];
const RATE_MS = 1500;
const PENDING_TARGET = 10_000;
const FILL_LIMIT_MS = 30_000;
/** Limits on, but no bench load reaches them. */
const LIMITS_ON = ['--rate-limit', 'scale=1000000'];
const LIMIT_ROUNDS = 11;
const LIMIT_ROUND_MS = 1000;
const LIMIT_CLIENTS = 8;

const random = seededRandom(99);
const message = new Uint8Array(64).fill(3);
const edKey = deriveKeyPair(newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random), 'BaseDeviceProfile');
const edSignature = edKey.sign(message);
const verifyRate = measure(() => verifySignature('Ed448', edKey.publicKey, message, edSignature));

async function startChild(
  data: string,
  extra: readonly string[] = LIMITS_ON,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['dist/mesh.mjs', 'service', 'start', '--data', data, '--listen', '127.0.0.1:0', '--json', ...extra],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n'))
        resolve({ child, url: (JSON.parse(out.split('\n')[0] as string) as { listening: string }).listening });
    });
    child.once('exit', (code) => reject(new Error(`service exited ${code}`)));
  });
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? NaN : Number(match[1]) * 1024;
}

async function call(url: string, body: string, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const send = () => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  // A keep-alive connection the service closed as idle just as it was reused: once more on a new one.
  const response = await send().catch((error: { cause?: { code?: string } }) => {
    if (error.cause?.code === 'UND_ERR_SOCKET') return send();
    throw error;
  });
  const json = (await response.json()) as Record<string, Record<string, any>>;
  return Object.values(json)[0] as Record<string, any>;
}

/** Runs `op` from `clients` concurrent loops for about `ms`; returns the aggregate rate. */
async function rate(clients: number, ms: number, op: (i: number) => Promise<void>): Promise<Rate> {
  let count = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() - start < ms) {
        await op(count++);
      }
    }),
  );
  const elapsed = performance.now() - start;
  return { opsPerSecond: (count * 1000) / elapsed, msPerOp: elapsed / count };
}

/**
 * Creates `account` at the service at `url` (a signed CreateRequest) and pre-builds 16
 * ConnectStart bodies from new devices for it, so the timed loops send bytes only.
 */
async function benchAccount(
  url: string,
  account: string,
): Promise<{ profile: ReturnType<typeof verifyProfileAccount>; bodies: string[] }> {
  const keys = accountKeyPairs(newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, random));
  const profile = verifyProfileAccount(
    createProfileAccount(newDerivedKeySeedUdf(KeySpecifier.MeshProfileAccount, random), {
      accountAddress: account,
      keys,
    }).json,
  );
  const createBody = JSON.stringify({ CreateRequest: { Account: account, EnvelopedProfileAccount: profile.json } });
  const header = createRequestAuthorization({
    account,
    adminKey: keys.administratorSignature,
    created: new Date(Math.floor(Date.now() / 1000) * 1000),
    nonce: random(REQUEST_NONCE_LENGTH),
    body: new TextEncoder().encode(createBody),
  });
  const created = await call(url, createBody, { 'mesh-authorization': header });
  if (created['Status'] !== 201) throw new Error(`CreateAccount: ${JSON.stringify(created)}`);
  const bodies = Array.from({ length: 16 }, () => {
    const request = createRequestConnection({
      deviceSeed: newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random),
      accountAddress: account,
      random,
    });
    return JSON.stringify({
      ConnectStartRequest: { AccountAddress: account, EnvelopedRequestConnection: request.json },
    });
  });
  return { profile, bodies };
}

/**
 * One account per client on the service at `url`, and a ConnectStart op per client against
 * its own account, so clients never contend for one account's records and the figure is the
 * front door's, not the store's conflict retries.
 */
async function prepare(url: string, clients: number): Promise<Array<(i: number) => Promise<void>>> {
  return Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const account = `bench${c}@example.com`;
      const { bodies } = await benchAccount(url, account);
      return async (i: number) => {
        const reply = await call(url, bodies[i % bodies.length] as string);
        if (reply['Status'] !== 201) throw new Error(`ConnectStart: ${JSON.stringify(reply).slice(0, 200)}`);
      };
    }),
  );
}

/** Each client runs its own op in a loop for about `ms`; the aggregate rate. */
async function clientRate(ops: ReadonlyArray<(i: number) => Promise<void>>, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  await Promise.all(
    ops.map(async (op) => {
      let i = 0;
      while (performance.now() - start < ms) {
        await op(i++);
        count++;
      }
    }),
  );
  return (count * 1000) / (performance.now() - start);
}

/** The limiter's own cost per request: two buckets taken (source and account), in process. */
function limiterRate(): Rate {
  const limiter = new RateLimiter(applyRateLimitSettings(DEFAULT_RATE_LIMITS, ['scale=1000000']));
  let i = 0;
  return measure(() => {
    const now = 1_000_000 + i;
    limiter.take('ConnectStart', 'source', sourceKey(`10.0.${(i >> 8) & 255}.${i & 255}`), now);
    limiter.take('ConnectStart', 'account', `bench${i++ & 1023}@example.com`, now);
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** ConnectStart/s with limits off and on, alternating rounds on two services; medians and ratio. */
async function limitCost(): Promise<void> {
  const dirs = [await mkdtemp(join(tmpdir(), 'mesh-bench-off-')), await mkdtemp(join(tmpdir(), 'mesh-bench-on-'))];
  const off = await startChild(dirs[0] as string, ['--rate-limit', 'off']);
  const on = await startChild(dirs[1] as string, LIMITS_ON);
  try {
    const ops = { off: await prepare(off.url, LIMIT_CLIENTS), on: await prepare(on.url, LIMIT_CLIENTS) };
    await clientRate(ops.off, 300);
    await clientRate(ops.on, 300);
    const rates: { off: number[]; on: number[] } = { off: [], on: [] };
    for (let round = 0; round < LIMIT_ROUNDS; round++) {
      // Alternate which goes first, so drift over the run falls on both alike.
      for (const which of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        rates[which].push(await clientRate(ops[which], LIMIT_ROUND_MS));
      }
    }
    const offMedian = median(rates.off);
    const onMedian = median(rates.on);
    console.log(
      `\nrate limits, ConnectStart with ${LIMIT_CLIENTS} clients, median of ${LIMIT_ROUNDS} alternating ${LIMIT_ROUND_MS} ms rounds:` +
        `\n  limits off: ${fmt(offMedian)} ops/s   (rounds: ${rates.off.map((r) => fmt(r)).join(', ')})` +
        `\n  limits on:  ${fmt(onMedian)} ops/s   (rounds: ${rates.on.map((r) => fmt(r)).join(', ')})` +
        `\n  on/off = ${(onMedian / offMedian).toFixed(3)} (cost ${(((offMedian - onMedian) / offMedian) * 100).toFixed(1)} %; target under 5 %; round-to-round noise is large on a shared machine)`,
    );
    // The same cost without the noise: the check's own time beside one ConnectStart's.
    const check = limiterRate();
    console.log(
      `  the check itself: ${fmt(check.opsPerSecond)} checks/s (${(check.msPerOp * 1000).toFixed(2)} µs) = ` +
        `${((check.msPerOp / (1000 / offMedian)) * 100).toFixed(3)} % of one ConnectStart at the limits-off median`,
    );
  } finally {
    for (const child of [off.child, on.child]) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

await limitCost();

const data = await mkdtemp(join(tmpdir(), 'mesh-bench-service-'));
const { child, url } = await startChild(data);
try {
  // The owner's account, and a few device requests sent over and over (each ConnectStart gets
  // its own ServerNonce, so each makes a new pending record, as a new device would).
  const account = 'bench@example.com';
  const { profile, bodies } = await benchAccount(url, account);
  const responseIds: string[] = [];
  const start = async (i: number): Promise<void> => {
    const reply = await call(url, bodies[i % bodies.length] as string);
    if (reply['Status'] !== 201) throw new Error(`ConnectStart: ${JSON.stringify(reply).slice(0, 200)}`);
    if (responseIds.length < 256) {
      responseIds.push(
        responseId(
          verifyAcknowledgeConnection(reply['EnvelopedAcknowledgeConnection'], { accountProfile: profile }).messageId,
        ),
      );
    }
  };
  await start(0);
  const statusBodies = () =>
    responseIds.map((id) => JSON.stringify({ ConnectStatusRequest: { AccountAddress: account, ResponseId: id } }));

  const rows: Row[] = [];
  let sent = 1;
  for (const clients of CLIENTS) {
    const r = await rate(clients, RATE_MS, start);
    sent += Math.round(r.opsPerSecond * (RATE_MS / 1000));
    rows.push(rateRow(`ConnectStart, ${clients} client${clients > 1 ? 's' : ''}`, r, 'Ed448 verify (raw)', verifyRate));
  }
  const statuses = statusBodies();
  for (const clients of CLIENTS) {
    const r = await rate(clients, RATE_MS, async (i) => {
      const reply = await call(url, statuses[i % statuses.length] as string);
      if (reply['Status'] !== 202) throw new Error(`ConnectStatus: ${JSON.stringify(reply).slice(0, 200)}`);
    });
    rows.push(
      rateRow(`ConnectStatus, ${clients} client${clients > 1 ? 's' : ''}`, r, 'Ed448 verify (raw)', verifyRate),
    );
  }
  printTable(rows);

  // Resident memory per 10 000 pending requests.
  const pid = child.pid as number;
  const before = rssBytes(pid);
  const fillStart = performance.now();
  let added = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (added < PENDING_TARGET && performance.now() - fillStart < FILL_LIMIT_MS) {
        added++;
        await start(added);
      }
    }),
  );
  const after = rssBytes(pid);
  const per10k = ((after - before) / added) * 10_000;
  console.log(
    `\nresident memory: ${fmt(before / 2 ** 20)} MiB with ${sent} requests, ${fmt(after / 2 ** 20)} MiB after ${added} more pending requests ` +
      `(${((performance.now() - fillStart) / 1000).toFixed(1)} s) => ${fmt(per10k / 2 ** 20)} MiB per 10 000 pending requests (RSS delta; includes GC slack)`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(data, { recursive: true, force: true });
}
