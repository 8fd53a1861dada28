/**
 * Factory figures: the throughput of `mesh factory batch` for N = 1000 devices
 * (devices per second: seed, profile, ConnectUri, .medk fsync'd, record, publication, PNG
 * label, journal, and a signed Publish of each claim record to `mesh service start` on
 * loopback, the built CLI in its own process), and the share of that run's wall time spent
 * in key derivation, measured by the batch itself around each device's derivation. Beside
 * them, same-run baselines: createProfileDevice alone (derivation + self-signature) and a
 * PNG label alone. Bounded: after 10 devices to warm the JIT, a 25-device run estimates the rate, and if 1000 devices
 * would take longer than TIME_LIMIT_S the run uses as many as fit, and says so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemRandom, seededRandom } from '../../src/crypto/random.js';
import { runFactoryBatch, type BatchResult } from '../../src/cli/factory/run-batch.js';
import { makeFactoryDevice } from '../../src/cli/factory/factory-device.js';
import { openOwnerSession, defaultOwnerEnvironment } from '../../src/cli/owner/owner-session.js';
import { createProfileDevice } from '../../src/mesh/profiles/profile-device.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../src/mesh/udf/derived-key-seed.js';
import { MeshClient } from '../../src/platform/http/mesh-client.js';
import { renderDeviceLabel } from '../../src/platform/label/device-label.js';
import { fmt, measure, printTable, rateRow, type Rate } from './measure.js';

const TARGET = 1000;
const WARMUP = 25;
const TIME_LIMIT_S = 120;

async function startService(data: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['dist/mesh.mjs', 'service', 'start', '--data', data, '--listen', '127.0.0.1:0', '--json'],
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

const work = await mkdtemp(join(tmpdir(), 'mesh-bench-factory-'));
const { child, url } = await startService(join(work, 'service'));
try {
  const home = join(work, 'maker');
  const created = spawnSync(
    process.execPath,
    ['dist/mesh.mjs', 'account', 'create', 'maker@example.com', '--service', url, '--home', home],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`account create: ${created.stderr}`);
  const session = await openOwnerSession(home, defaultOwnerEnvironment);
  const client = new MeshClient({ service: url });
  const run = (out: string, count: number): Promise<BatchResult> =>
    runFactoryBatch(
      { out, makerAccount: 'maker@example.com', service: url, count, bits: 120, labelFormat: 'png' },
      { client, signer: session.signer, random: systemRandom, now: () => new Date() },
    );

  await run(join(work, 'jit'), 10); // the first devices run cold
  const warm = await run(join(work, 'warmup'), WARMUP);
  const estimate = (warm.newlyMade * 1000) / warm.elapsedMs;
  const n = Math.min(TARGET, Math.max(WARMUP, Math.floor(estimate * TIME_LIMIT_S)));
  const result = await run(join(work, 'batch'), n);
  if (result.failure !== undefined || result.published !== n)
    throw new Error(`batch failed: ${result.failure?.message ?? `${result.published}/${n} published`}`);

  const seconds = result.elapsedMs / 1000;
  const rate = n / seconds;
  const derivationShare = result.keyDerivationMs / result.elapsedMs;
  const profileShare = (result.keyDerivationMs + result.profileSigningMs) / result.elapsedMs;
  console.log(
    n === TARGET
      ? `batch of N = ${n} devices (made, labelled, published to a loopback service): ${seconds.toFixed(1)} s, ${fmt(rate)} devices/s`
      : `batch of N = ${n} devices, NOT ${TARGET}: the warm-up rate (${estimate.toFixed(1)}/s) would take over ${TIME_LIMIT_S} s for ${TARGET}; ` +
          `${seconds.toFixed(1)} s, ${fmt(rate)} devices/s (about ${(TARGET / rate).toFixed(0)} s for ${TARGET})`,
  );
  console.log(
    `  key derivation (4 key pairs per device): ${(result.keyDerivationMs / 1000).toFixed(1)} s = ${(100 * derivationShare).toFixed(1)} % of the batch's wall time; ` +
      `with the profile's self-signature: ${(100 * profileShare).toFixed(1)} %`,
  );
  console.log(
    `  publish retries: ${result.retries}; ${(result.keyDerivationMs / n).toFixed(2)} ms derivation per device`,
  );

  // Same-run baselines, each alone in this process.
  const random = seededRandom(5);
  const seeds = Array.from({ length: 64 }, () => newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, random));
  let i = 0;
  const profileRate: Rate = measure(() => createProfileDevice(seeds[i++ % seeds.length] as string), 1000);
  const device = makeFactoryDevice({ makerAccount: 'maker@example.com', random });
  const labelRate = measure(
    () => renderDeviceLabel({ connectUri: device.connectUri, deviceUdf: device.deviceUdf, format: 'png' }),
    500,
  );
  const batchRate: Rate = { opsPerSecond: rate, msPerOp: 1000 / rate };
  printTable([
    rateRow(`factory batch, N = ${n}`, batchRate, 'createProfileDevice alone', profileRate),
    rateRow('PNG label alone', labelRate, 'createProfileDevice alone', profileRate),
  ]);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await rm(work, { recursive: true, force: true });
}
