/**
 * @module scripts/soak/service-child
 * The service the soak drives, as its own process: the same `startService` that `mesh service
 * start` runs, on 127.0.0.1, with the settings the soak passes in argv (JSON) and a clock the
 * soak can move over IPC, so it can file requests "three days ago" and then come back to now
 * (the stale-request pattern). It reports its URL over IPC once it serves.
 */
import { systemClock } from '../../src/crypto/clock.js';
import { startService } from '../../src/service/service-runner.js';
import { DEFAULT_RATE_LIMITS } from '../../src/service/rate-limit/rate-limit-config.js';

interface ChildSettings {
  readonly dataDirectory: string;
  readonly host: string;
  readonly port: number;
  readonly rateLimits: boolean;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as ChildSettings;
let offset = 0;
process.on('message', (message: { offset?: number }) => {
  if (typeof message.offset === 'number') {
    offset = message.offset;
    process.send?.({ offsetSet: offset });
  }
});

const running = await startService({
  dataDirectory: settings.dataDirectory,
  listen: { host: settings.host, port: settings.port },
  clock: { now: () => new Date(Date.now() + offset), sleep: systemClock.sleep },
  // Housekeeping every 5 s so the soak sees purges happen on their own.
  maintenanceIntervalMs: 5_000,
  config: settings.rateLimits ? {} : { rateLimits: { ...DEFAULT_RATE_LIMITS, enabled: false } },
  log: (event) => {
    if (event !== 'pin-lockout') process.stderr.write(`service: ${event}\n`);
  },
});
process.send?.({ url: running.url });
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
