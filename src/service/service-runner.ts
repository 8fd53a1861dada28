/**
 * @module service/service-runner
 * Starts a complete service: identity from the data directory, the store named by `--store`,
 * the HTTP(S) listener, and periodic housekeeping; `close()` shuts it down in the order that
 * loses nothing (stop accepting, finish in-flight requests, stop housekeeping, close the
 * store). The `mesh service start` command and the tests both use it.
 */
import { systemRandom, type RandomSource } from '../crypto/random.js';
import { startHttpServer, type HttpServerOptions, type RunningServer } from './http-server.js';
import { MeshService } from './mesh-service.js';
import type { BodyLimits } from './request-body.js';
import type { ServiceConfig } from './service-config.js';
import type { Clock } from '../crypto/clock.js';
import type { ServiceLog } from './service-environment.js';
import { loadOrCreateServiceIdentity, type ServiceIdentity } from './service-identity.js';
import { openStore } from './store/open-store.js';
import type { Store, StoreLimits } from './store/store.js';
import type { NoticeSink } from './notify/device-notice.js';

export interface StartServiceOptions {
  readonly dataDirectory: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** `file` (default), `file:DIR` or a postgres:// URL (store/open-store). */
  readonly store?: string;
  readonly tls?: HttpServerOptions['tls'];
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly config?: Partial<ServiceConfig>;
  readonly bodyLimits?: Partial<BodyLimits>;
  readonly storeLimits?: Partial<StoreLimits>;
  readonly log?: ServiceLog;
  /** Housekeeping period (ms); 0 disables it. Default 60 s. */
  readonly maintenanceIntervalMs?: number;
  readonly shutdownDeadlineMs?: number;
  /** Proxies whose X-Forwarded-For is believed (`--trust-proxy`); none by default. */
  readonly trustProxy?: readonly string[];
  /** Push notices to devices; the caller closes it after `close()`. */
  readonly notices?: NoticeSink;
}

export interface RunningService {
  readonly url: string;
  readonly service: MeshService;
  readonly server: RunningServer;
  readonly store: Store;
  readonly identity: ServiceIdentity;
  close(): Promise<void>;
}

export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const random = options.random ?? systemRandom;
  const log = options.log ?? (() => undefined);
  const identity = await loadOrCreateServiceIdentity(options.dataDirectory, random);
  const store = await openStore(options.store, {
    dataDirectory: options.dataDirectory,
    ...(options.storeLimits === undefined ? {} : { limits: options.storeLimits }),
    onRecovery: (event) => log('store-recovered', { ...event }),
  });
  let server: RunningServer;
  const service = new MeshService({
    store,
    identity,
    random,
    log,
    ...(options.notices === undefined ? {} : { notices: options.notices }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.bodyLimits === undefined ? {} : { bodyLimits: options.bodyLimits }),
  });
  try {
    server = await startHttpServer(service, options.listen, {
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.shutdownDeadlineMs === undefined ? {} : { shutdownDeadlineMs: options.shutdownDeadlineMs }),
      ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  let maintenance: Promise<unknown> = service
    .maintain()
    .catch((error: unknown) => log('maintenance-failed', { message: String(error) }));
  const period = options.maintenanceIntervalMs ?? 60_000;
  const timer =
    period > 0
      ? setInterval(() => {
          maintenance = maintenance.then(() =>
            service.maintain().catch((error: unknown) => log('maintenance-failed', { message: String(error) })),
          );
        }, period)
      : undefined;
  timer?.unref();

  let closed: Promise<void> | undefined;
  return {
    url: server.url,
    service,
    server,
    store,
    identity,
    close(): Promise<void> {
      closed ??= (async () => {
        if (timer !== undefined) clearInterval(timer);
        await server.close();
        await maintenance;
        await store.close();
      })();
      return closed;
    },
  };
}
