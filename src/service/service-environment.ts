/**
 * @module service/service-environment
 * Everything a transaction may use, passed in (conventions: time and randomness are never
 * read from globals): the store, the service's own identity, the clock, the random source,
 * the configured bounds and the account directory.
 */
import type { Clock } from '../crypto/clock.js';
import type { RandomSource } from '../crypto/random.js';
import type { AccountDirectory } from './accounts.js';
import type { NoticeSink } from './notify/device-notice.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceIdentity } from './service-identity.js';
import type { Store } from './store/store.js';

/** One line of operational logging: never a request body, a key or a PIN. */
export type ServiceLog = (event: string, detail?: Readonly<Record<string, unknown>>) => void;

export interface ServiceEnvironment {
  readonly store: Store;
  readonly identity: ServiceIdentity;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly config: ServiceConfig;
  readonly accounts: AccountDirectory;
  readonly log: ServiceLog;
  /** Push notices to devices (`--mqtt`); absent = devices poll. */
  readonly notices?: NoticeSink;
}
