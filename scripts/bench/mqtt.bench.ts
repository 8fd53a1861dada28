/**
 * MQTT figures, in one run:
 * 1. Bundle sizes: the agent built as scripts/build.mjs builds it but with esbuild code
 *    splitting, so the core entry and the lazily imported mqtt chunk are measured apart
 *    (minified); and whether dist/mesh-agent.mjs as shipped carries mqtt.js inline.
 * 2. Time from the owner's accept (`mesh device accept`, started) to the device reporting
 *    connected: with push (a real mosquitto, `--mqtt` notices) and with polling at the
 *    default schedule (2 s initial, ×2, ±25 %, 300 s cap), the accept made 3 s after the
 *    witness was shown in both cases. Needs the Debian package mosquitto.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/agent/agent.js';
import { CONFIG_DEFAULTS } from '../../src/agent/config/agent-config.js';
import {
  MemoryPreconfigurationFile,
  MemoryStateStore,
  RecordingAnnouncer,
  RecordingLogger,
} from '../../src/agent/fakes/memory-ports.js';
import { HttpMeshTransport } from '../../src/cli/agent/http-transport.js';
import { systemRandom } from '../../src/crypto/random.js';
import { systemClock } from '../../src/crypto/clock.js';
import { MemorySecretStore, MemorySecretStoreBackend } from '../../src/agent/fakes/memory-secret-store.js';
import { MqttJsConnector, openMqttPublisher } from '../../src/platform/mqtt/mqtt-connector.js';
import { MqttNoticeSink } from '../../src/service/notify/mqtt-notice-sink.js';
import { startService } from '../../src/service/service-runner.js';
import { factoryFileText } from '../../test/helpers/agent-fixtures.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { runMesh } from '../../test/helpers/run-cli.js';

const root = process.cwd();
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

async function bundleSizes(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'mesh-bench-split-'));
  try {
    const stub = join(root, 'src/platform/keystore/xml2js-stub.ts');
    await build({
      entryPoints: { 'mesh-agent': join(root, 'src/cli/mesh-agent.ts') },
      outdir: out,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      external: ['x11', 'usocket'],
      alias: existsSync(stub) ? { xml2js: stub } : {},
      logLevel: 'error',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const files = await readdir(out);
    let core = 0;
    let lazy = 0;
    let lazyMqtt = 0;
    for (const f of files) {
      const size = (await stat(join(out, f))).size;
      if (f === 'mesh-agent.js') core += size;
      else {
        lazy += size;
        if (readFileSync(join(out, f), 'utf8').includes('MqttClient')) lazyMqtt += size;
      }
    }
    const core_has_mqtt = readFileSync(join(out, 'mesh-agent.js'), 'utf8').includes('MqttClient');
    console.log(
      `agent core bundle (minified, split):   ${kb(core)}${core_has_mqtt ? '  (!) contains mqtt.js' : ' (no mqtt.js)'}`,
    );
    console.log(`lazily loaded chunks:                  ${kb(lazy)} (of which the mqtt.js chunk ${kb(lazyMqtt)})`);
    const shipped = join(root, 'dist/mesh-agent.mjs');
    if (existsSync(shipped)) {
      const text = readFileSync(shipped, 'utf8');
      console.log(
        `dist/mesh-agent.mjs as built:          ${kb(text.length)}${text.includes('MqttClient') ? ' (mqtt.js inline: build without splitting)' : ' (mqtt.js not inline)'}`,
      );
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function acceptToConnected(): Promise<void> {
  const factories = [factoryFileText(), factoryFileText()];
  const broker = await startMosquitto({
    service: { password: 's', acl: ['write mesh/v1/#'] },
    ...Object.fromEntries(
      factories.map((f) => [
        f.made.deviceUdf,
        { password: 'd', acl: [`read mesh/v1/device/${f.made.deviceUdf}/notice`] },
      ]),
    ),
  });
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bench-mqtt-'));
  const publisher = await openMqttPublisher({
    url: broker.url,
    username: 'service',
    password: 's',
    clientId: 'bench-service',
  });
  const notices = new MqttNoticeSink({ publisher });
  const service = await startService({
    dataDirectory: join(dir, 'service'),
    listen: { host: '127.0.0.1', port: 0 },
    maintenanceIntervalMs: 0,
    notices,
  });
  const polling = {
    initialDelayMs: CONFIG_DEFAULTS.initialDelaySeconds * 1000,
    maxDelayMs: CONFIG_DEFAULTS.maxDelaySeconds * 1000,
    factor: CONFIG_DEFAULTS.factor,
    jitter: CONFIG_DEFAULTS.jitter,
    honorRetryAfter: CONFIG_DEFAULTS.honorRetryAfter,
  };
  const results: string[] = [];
  try {
    let n = 0;
    for (const [label, push] of [
      ['push (mosquitto notice)', true],
      ['polling (default schedule)', false],
    ] as const) {
      const factory = factories[n]!;
      const home = join(dir, `owner${n}`);
      const account = `owner${n}@example.com`;
      n += 1;
      const made = await runMesh(['account', 'create', account, '--service', service.url, '--home', home]);
      if (made.status !== 0) throw new Error(made.stderr);
      const agent = await Agent.start(
        {
          clock: systemClock,
          random: systemRandom,
          logger: new RecordingLogger(),
          announcer: new RecordingAnnouncer(),
          transport: new HttpMeshTransport(),
          secrets: new MemorySecretStore(new MemorySecretStoreBackend()),
          stateStore: new MemoryStateStore(),
          preconfiguration: new MemoryPreconfigurationFile('/m', factory.text),
          ...(push ? { mqtt: new MqttJsConnector() } : {}),
        },
        {
          owners: [{ account, service: service.url }],
          polling,
          version: 'bench',
          ...(push
            ? {
                push: [
                  {
                    service: service.url,
                    url: broker.url,
                    username: factory.made.deviceUdf,
                    password: 'd',
                    topicPrefix: 'mesh/v1',
                  },
                ],
              }
            : {}),
        },
      );
      const controller = new AbortController();
      const running = agent.run(controller.signal);
      const until = async (check: () => boolean, ms: number): Promise<void> => {
        const end = Date.now() + ms;
        while (!check()) {
          if (Date.now() > end) throw new Error(`bench: timed out (${label})`);
          await new Promise((r) => setTimeout(r, 2));
        }
      };
      await until(() => agent.state().owners[account]?.state === 'pending', 20_000);
      if (push) await until(() => agent.status().mqtt?.push[0]?.state === 'connected', 10_000);
      const witness = (agent.state().owners[account] as { witness: string }).witness;
      await new Promise((r) => setTimeout(r, 3_000));
      // The owner's accept is the ConnectComplete inside `mesh device accept`: time from its start
      // (the device may be connected before the command has written its own catalog and returned).
      let connectedAt: number | undefined;
      const started = performance.now();
      const watch = until(() => agent.state().owners[account]?.state === 'connected', 60_000).then(
        () => (connectedAt = performance.now()),
      );
      const accept = await runMesh(['device', 'accept', witness, '--home', home]);
      const commandMs = performance.now() - started;
      if (accept.status !== 0) throw new Error(accept.stderr);
      await watch;
      const ms = (connectedAt as number) - started;
      results.push(
        `${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms from the accept to connected (the accept command itself: ${commandMs.toFixed(0)} ms)`,
      );
      controller.abort();
      await running;
    }
  } finally {
    await service.close();
    await notices.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
  for (const line of results) console.log(line);
}

await bundleSizes();
await acceptToConnected();
