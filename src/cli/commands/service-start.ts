/**
 * @module cli/commands/service-start
 * `mesh service start`: runs the Mesh service until SIGTERM or SIGINT, then
 * shuts down gracefully (stop accepting, finish in-flight requests, close the store) and
 * exits 0. Prints one line with the listening URL once it is ready to serve, so a script or a
 * supervisor can wait for it.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MeshError } from '../../crypto/errors.js';
import { toHex } from '../../crypto/bytes.js';
import { systemRandom } from '../../crypto/random.js';
import { parseListen } from '../../service/http-server.js';
import { startService } from '../../service/service-runner.js';
import { normalizeAccountAddress } from '../../mesh/messages/account-address.js';
import { applyRateLimitSettings } from '../../service/rate-limit/rate-limit-config.js';
import { TrustedProxies } from '../../service/rate-limit/source-address.js';
import { DEFAULT_SERVICE_CONFIG, type ServiceConfig } from '../../service/service-config.js';
import { DEFAULT_TOPIC_PREFIX } from '../../mesh/messages/notice-topic.js';
import { MqttNoticeSink } from '../../service/notify/mqtt-notice-sink.js';
import { openMqttPublisher } from '../../platform/mqtt/mqtt-connector.js';
import { optionalString } from '../args.js';
import { InputFileError, UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';

export const DEFAULT_LISTEN = '127.0.0.1:15099';

function defaultDataDirectory(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share');
  return join(base, 'mesh', 'service');
}

async function readTlsFile(path: string, option: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new InputFileError(
      `${option}: cannot read ${JSON.stringify(path)} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause },
    );
  }
}

export const serviceStart: Command = {
  path: ['service', 'start'],
  summary: 'Run the Mesh service on POST /.well-known/mmm/ until SIGTERM/SIGINT (graceful shutdown, exit 0).',
  usage:
    '[--data DIR] [--listen 127.0.0.1:15099] [--store file|file:DIR|postgres://...] [--tls-cert F --tls-key F] [--domain D]... [--rate-limit off|on|scale=F|CLASS.source|account=BURST/PER_MINUTE|off]... [--trust-proxy ADDRESS]... [--mqtt mqtt://[user@]host:port [--mqtt-topic-prefix mesh/v1]] [--json]',
  options: {
    data: { type: 'string' },
    listen: { type: 'string' },
    store: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    mqtt: { type: 'string' },
    'mqtt-topic-prefix': { type: 'string' },
    domain: { type: 'string', multiple: true },
    'rate-limit': { type: 'string', multiple: true },
    'trust-proxy': { type: 'string', multiple: true },
  },
  async run(args, ctx) {
    const dataDirectory = resolve(optionalString(args, 'data') ?? defaultDataDirectory(ctx.env));
    let listen;
    try {
      listen = parseListen(optionalString(args, 'listen') ?? DEFAULT_LISTEN);
    } catch (cause) {
      throw new UsageError((cause as Error).message, undefined, { cause });
    }
    const certPath = optionalString(args, 'tls-cert');
    const keyPath = optionalString(args, 'tls-key');
    if ((certPath === undefined) !== (keyPath === undefined)) {
      throw new UsageError('--tls-cert and --tls-key go together', certPath === undefined ? '--tls-cert' : '--tls-key');
    }
    const tls =
      certPath === undefined || keyPath === undefined
        ? undefined
        : { cert: await readTlsFile(certPath, '--tls-cert'), key: await readTlsFile(keyPath, '--tls-key') };
    const storeSpec = optionalString(args, 'store');
    const policy = frontDoorPolicy(args.values);
    const json = args.values['json'] === true;
    const log = (event: string, detail?: Readonly<Record<string, unknown>>): void =>
      ctx.err(`mesh service: ${event}${detail === undefined ? '' : ` ${JSON.stringify(detail)}`}`);
    // Push notices. The password comes from the URL or MESH_SERVICE_MQTT_PASSWORD.
    const notices = await openNotices(
      optionalString(args, 'mqtt'),
      optionalString(args, 'mqtt-topic-prefix'),
      ctx.env,
      log,
    );

    let running;
    try {
      running = await startService({
        dataDirectory,
        listen,
        ...(storeSpec === undefined ? {} : { store: storeSpec }),
        ...(tls === undefined ? {} : { tls }),
        ...(notices === undefined ? {} : { notices }),
        config: policy.config,
        trustProxy: policy.trustProxy,
        log,
      });
    } catch (error) {
      await notices?.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new UsageError(`cannot listen on ${listen.host}:${listen.port} (${code})`, '--listen', { cause: error });
      }
      if (error instanceof MeshError) throw error;
      throw error;
    }
    const { url, store, identity } = running;
    ctx.out(
      json
        ? JSON.stringify({ listening: url, store: store.kind, serviceUdf: identity.udf })
        : `mesh service listening on ${url} (store: ${store.kind}, service ${identity.udf})`,
    );

    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolveStop();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    ctx.err('mesh service: shutting down');
    await running.close();
    await notices?.close();
    ctx.err('mesh service: stopped');
    return 0;
  },
};

/**
 * `--domain`, `--rate-limit` and `--trust-proxy` (docs/security.md "Rate limits", "Account
 * names and hosted domains"), checked before anything starts.
 */
function frontDoorPolicy(values: Readonly<Record<string, unknown>>): {
  config: Partial<ServiceConfig>;
  trustProxy: readonly string[];
} {
  const list = (name: string): string[] => {
    const value = values[name];
    return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
  };
  const domains = list('domain').map((domain) => {
    const lower = domain.toLowerCase();
    try {
      // A domain is valid when some user@domain is a valid account address.
      normalizeAccountAddress(`x@${lower}`, '--domain');
    } catch (cause) {
      throw new UsageError(
        `expected a DNS domain such as example.com, got ${JSON.stringify(domain.slice(0, 80))}`,
        '--domain',
        { cause },
      );
    }
    return lower;
  });
  let rateLimits;
  try {
    rateLimits = applyRateLimitSettings(DEFAULT_SERVICE_CONFIG.rateLimits, list('rate-limit'));
  } catch (cause) {
    throw new UsageError((cause as Error).message, '--rate-limit', { cause });
  }
  const trustProxy = list('trust-proxy');
  try {
    new TrustedProxies(trustProxy);
  } catch (cause) {
    throw new UsageError((cause as Error).message, '--trust-proxy', { cause });
  }
  return {
    config: { rateLimits, account: { ...DEFAULT_SERVICE_CONFIG.account, hostedDomains: [...new Set(domains)] } },
    trustProxy,
  };
}

/** `--mqtt URL`: the notice sink, connecting in the background (a broker that is down delays nothing). */
async function openNotices(
  url: string | undefined,
  prefix: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  log: (event: string, detail?: Readonly<Record<string, unknown>>) => void,
): Promise<MqttNoticeSink | undefined> {
  if (url === undefined) {
    if (prefix !== undefined) throw new UsageError('needs --mqtt', '--mqtt-topic-prefix');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('expected a broker URL such as mqtt://127.0.0.1:1883', '--mqtt');
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsed.protocol))
    throw new UsageError('expected an mqtt://, mqtts://, ws:// or wss:// URL', '--mqtt');
  const topicPrefix = prefix ?? DEFAULT_TOPIC_PREFIX;
  if (!/^[^/#+\u0000-\u001f]+(\/[^/#+\u0000-\u001f]+)*$/.test(topicPrefix))
    throw new UsageError('expected topic levels without "+" or "#"', '--mqtt-topic-prefix');
  const password = env['MESH_SERVICE_MQTT_PASSWORD'];
  const broker = `${parsed.protocol}//${parsed.host}`;
  let last: string | undefined;
  const publisher = await openMqttPublisher({
    url,
    ...(password === undefined || password === '' ? {} : { password }),
    clientId: `mesh-service-${toHex(systemRandom(4))}`,
    // Transitions only: mqtt.js retries every second while the broker is down.
    onState: (state, detail) => {
      if (state === last) return;
      last = state;
      log(`mqtt-${state}`, { broker, ...(detail === undefined ? {} : { detail }) });
    },
  });
  return new MqttNoticeSink({ publisher, prefix: topicPrefix, log });
}
