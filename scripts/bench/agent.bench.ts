/**
 * The packaged agent, each figure beside bare Node measured in this run:
 * - the size of dist/mesh-agent.mjs (the core a device always needs) and of each optional
 *   file beside it, against the 300 KB target, with the core's largest contributors;
 * - the cold start to "fingerprint shown" (the `SHOW fingerprint` line): a factory first
 *   boot (verify the seed against the profile, import it, rewrite the file) and a warm
 *   restart of the same device, median of several runs, against `node -e 0`; target ≤ 2×;
 *   from the bundle, and from the V8 startup snapshot the systemd launcher uses;
 * - the resident memory of the running agent once idle, against an idle `node -e`.
 * Loopback only: the owner's service is 127.0.0.1:9, which refuses at once; the
 * fingerprint comes before any network use. Every run is bounded.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemRandom } from '../../src/crypto/random.js';
import { createDevicePreconfiguration } from '../../src/mesh/connect/device-preconfiguration.js';
import { DevicePreconfigurationSchema } from '../../src/mesh/objects/device-preconfiguration.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../src/mesh/udf/derived-key-seed.js';

const DIST = resolve('dist');
const CORE = join(DIST, 'mesh-agent.mjs');
const TARGET_BYTES = 300_000;
const RUNS = 7;
const SETTLE_MS = 2_000;
const LIMIT_MS = 30_000;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Timed {
  readonly ms: number;
  readonly rssKb?: number;
}

/** Spawns node with `args`; resolves at exit, or when a stdout line matches `until` (then reads RSS after `settleMs` and kills it). */
function timeRun(args: readonly string[], until?: RegExp, settleMs = 0): Promise<Timed> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')}: no ${until ?? 'exit'} within ${LIMIT_MS} ms`));
    }, LIMIT_MS);
    let buffered = '';
    let matched = false;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (until === undefined || matched) return;
      buffered += d.toString();
      if (!until.test(buffered)) return;
      matched = true;
      const ms = performance.now() - started;
      setTimeout(() => {
        const rssKb = readRssKb(child.pid as number);
        child.kill('SIGTERM');
        child.once('exit', () => {
          clearTimeout(limit);
          resolveRun({ ms, ...(rssKb === undefined ? {} : { rssKb }) });
        });
      }, settleMs);
    });
    child.once('exit', (code) => {
      if (until !== undefined) {
        if (!matched) {
          clearTimeout(limit);
          reject(new Error(`node ${args.join(' ')} exited ${code} before ${until}: ${stderr.trim()}`));
        }
        return;
      }
      clearTimeout(limit);
      resolveRun({ ms: performance.now() - started });
    });
  });
}

function readRssKb(pid: number): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

async function factoryDevice(root: string, name: string): Promise<string> {
  const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
  const made = createDevicePreconfiguration({
    deviceSeed: seed,
    makerAccount: 'maker@example.com',
    description: 'Bench',
  });
  const medk = join(root, `${name}.medk`);
  await writeFile(
    medk,
    JSON.stringify({ DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) }),
    { mode: 0o600 },
  );
  const config = join(root, `${name}.json`);
  await writeFile(
    config,
    JSON.stringify({
      stateDirectory: join(root, `${name}-state`),
      preconfiguration: medk,
      owners: [{ account: 'owner@example.com', service: 'http://127.0.0.1:9/' }],
      keystore: 'file',
      polling: { initialDelaySeconds: 60, maxDelaySeconds: 60 },
    }),
  );
  return config;
}

// --- sizes ---------------------------------------------------------------------------
if (!existsSync(CORE)) throw new Error(`${CORE} is missing; npm run bench builds it first`);
const coreBytes = statSync(CORE).size;
const optional = readdirSync(DIST)
  .filter((f) => /^mesh-agent-[a-z0-9-]+\.mjs$/.test(f))
  .sort();
console.log('bundle size (minified; target for the core without MQTT: 300 KB = 300,000 bytes)');
console.log(
  `  dist/mesh-agent.mjs (core, always)      ${coreBytes.toLocaleString('en-US').padStart(9)} B  ${kb(coreBytes).padStart(9)}  ${coreBytes <= TARGET_BYTES ? 'met' : 'NOT MET'} (${((coreBytes / TARGET_BYTES) * 100).toFixed(0)}% of target)`,
);
for (const f of optional) {
  const bytes = statSync(join(DIST, f)).size;
  console.log(
    `  dist/${f.padEnd(34)} ${bytes.toLocaleString('en-US').padStart(9)} B  ${kb(bytes).padStart(9)}  optional, loaded on first use`,
  );
}
const prebuilds = join(DIST, 'prebuilds');
if (existsSync(prebuilds)) {
  for (const dir of readdirSync(prebuilds)) {
    for (const f of readdirSync(join(prebuilds, dir)))
      console.log(`  dist/prebuilds/${dir}/${f}  ${kb(statSync(join(prebuilds, dir, f)).size)}`);
  }
}
const metaPath = resolve('.tmp/build/mesh-agent.meta.json');
if (existsSync(metaPath)) {
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const output = Object.values(meta.outputs)[0];
  const groups = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = m === null ? path.split('/').slice(0, 3).join('/') : (m[1] as string);
    groups.set(key, (groups.get(key) ?? 0) + bytesInOutput);
  }
  const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`  largest in the core: ${top.map(([k, v]) => `${k} ${kb(v)}`).join(', ')}`);
}

// --- cold start and memory -----------------------------------------------------------
const scratch = await mkdtemp(join(tmpdir(), 'mesh-agent-bench-'));
try {
  const FINGERPRINT = /SHOW fingerprint /;
  const bare: number[] = [];
  const first: number[] = [];
  const warm: number[] = [];
  const snapFirst: number[] = [];
  const snapWarm: number[] = [];
  // The startup snapshot, as systemd/mesh-agent-launch uses it (docs/packaging.md).
  const blob = join(scratch, 'mesh-agent.blob');
  const builtAt = performance.now();
  await timeRun([CORE, 'snapshot', '--output', blob]);
  const buildMs = performance.now() - builtAt;
  const fromSnapshot = ['--snapshot-blob', blob, '--'];
  // Interleaved, so drift in the machine's load hits every series alike.
  for (let i = 0; i < RUNS; i++) {
    bare.push((await timeRun(['-e', '0'])).ms);
    const config = await factoryDevice(scratch, `d${i}`);
    first.push((await timeRun([CORE, 'run', '--config', config], FINGERPRINT)).ms);
    warm.push((await timeRun([CORE, 'run', '--config', config], FINGERPRINT)).ms);
    const snapConfig = await factoryDevice(scratch, `s${i}`);
    snapFirst.push((await timeRun([...fromSnapshot, 'run', '--config', snapConfig], FINGERPRINT)).ms);
    snapWarm.push((await timeRun([...fromSnapshot, 'run', '--config', snapConfig], FINGERPRINT)).ms);
  }
  const base = median(bare);
  const row = (name: string, xs: number[]) => {
    const ratio = median(xs) / base;
    console.log(
      `  ${name.padEnd(40)} ${median(xs).toFixed(0).padStart(5)} ms  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})  ${ratio.toFixed(2)}x node -e 0  ${ratio <= 2 ? 'met' : 'NOT MET'} (≤ 2x)`,
    );
  };
  console.log(`\ncold start to "fingerprint shown" (median of ${RUNS}, same run)`);
  console.log(
    `  ${'node -e 0 (to exit)'.padEnd(40)} ${base.toFixed(0).padStart(5)} ms  (min ${Math.min(...bare).toFixed(0)}, max ${Math.max(...bare).toFixed(0)})`,
  );
  console.log('  from the bundle (node mesh-agent.mjs run):');
  row('first boot: verify, import, rewrite', first);
  row('warm restart: seed already in keystore', warm);
  console.log(
    `  from the startup snapshot (systemd/mesh-agent-launch; built once in ${buildMs.toFixed(0)} ms, ${(statSync(blob).size / 1048576).toFixed(1)} MB):`,
  );
  row('first boot: verify, import, rewrite', snapFirst);
  row('warm restart: seed already in keystore', snapWarm);

  const idleNode: number[] = [];
  const idleAgent: number[] = [];
  for (let i = 0; i < 3; i++) {
    const n = await timeRun(['-e', "console.log('ready'); setInterval(() => {}, 1 << 30)"], /ready/, SETTLE_MS);
    if (n.rssKb !== undefined) idleNode.push(n.rssKb);
    const config = await factoryDevice(scratch, `m${i}`);
    await timeRun([CORE, 'run', '--config', config], FINGERPRINT); // first boot done; measure a normal start
    const a = await timeRun([CORE, 'run', '--config', config], FINGERPRINT, SETTLE_MS);
    if (a.rssKb !== undefined) idleAgent.push(a.rssKb);
  }
  console.log(`\nresident memory when idle (${SETTLE_MS / 1000} s after start, median of 3)`);
  if (idleNode.length === 0 || idleAgent.length === 0) {
    console.log('  not available: /proc/<pid>/status unreadable here');
  } else {
    const n = median(idleNode);
    const a = median(idleAgent);
    console.log(`  ${'node -e (idle timer)'.padEnd(40)} ${(n / 1024).toFixed(1).padStart(6)} MB`);
    console.log(
      `  ${'mesh-agent run (idle, 1 owner)'.padEnd(40)} ${(a / 1024).toFixed(1).padStart(6)} MB  ${(a / n).toFixed(2)}x`,
    );
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
