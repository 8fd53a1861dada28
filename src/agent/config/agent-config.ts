/**
 * @module agent/config/agent-config
 * The agent's configuration after validation: every field present, every default applied,
 * durations in milliseconds. The file format these come from is documented field by field in
 * firmware-config/mesh-agent.schema.json; defaults live here, beside their reasons, and the
 * schema's `default` annotations are checked against them by the tests.
 */
import type { SecretStoreTier } from '../secret-store.js';
import type { MqttConfig } from './mqtt-config.js';

/** What `keystore` may ask for: a tier, or the best one available. `memory` is for tests only. */
export type KeystoreChoice = 'auto' | Exclude<SecretStoreTier, 'memory'>;
export const KEYSTORE_CHOICES: readonly KeystoreChoice[] = ['auto', 'tpm', 'secret-service', 'file'];

/**
 * What a claim of the QR label does once the device already has an owner: whoever
 * photographs a label must not add themselves silently.
 */
export type AdditionalClaimPolicy = 'owner-approval' | 'physical-confirmation' | 'reject';
export const ADDITIONAL_CLAIM_POLICIES: readonly AdditionalClaimPolicy[] = [
  'owner-approval',
  'physical-confirmation',
  'reject',
];

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
/** `text` reads well in journalctl; `json` is one object per line for log shippers. */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export type LedDriver = 'sysfs-led' | 'gpio' | 'none';
export const LED_DRIVERS: readonly LedDriver[] = ['sysfs-led', 'gpio', 'none'];

/** termios rates a Pi UART and USB adapters accept. */
export const SERIAL_BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/** One personal profile the device joins; each runs its own connection. */
export interface OwnerConfig {
  /** The owner's account address, user@domain, as given. */
  readonly account: string;
  /** The owner's Mesh service, an http(s) origin or full URL (default `https://<domain>/`). */
  readonly service: string;
  /** The PIN UDF (`A…`) the owner issued, canonical form; undefined = connect without a PIN. Secret. */
  readonly pin?: string;
  /** Roles the device asks this owner for (ConnectionDevice.Roles); the owner decides. */
  readonly roles: readonly string[];
}

/** The maker's service a preconfigured device polls for claims of its label (PollClaim). */
export interface ClaimsConfig {
  /** The maker's publishing account, as in the label's mcu:// URI. */
  readonly account: string;
  readonly service: string;
  readonly additionalClaims: AdditionalClaimPolicy;
}

export interface KeystoreConfig {
  readonly type: KeystoreChoice;
  readonly tpm: {
    /** tpm2-tools TCTI; undefined = `TPM2TOOLS_TCTI` from the environment, else `device:/dev/tpmrm0`. */
    readonly tcti?: string;
  };
  readonly secretService: {
    /** D-Bus address; undefined = `DBUS_SESSION_BUS_ADDRESS` from the environment. */
    readonly address?: string;
    /** Collection alias or object path name the secrets go into. */
    readonly collection: string;
  };
}

/** Backoff for ConnectStatus and PollClaim (docs/decisions/0015-backoff-as-a-schedule.md). */
export interface PollingConfig {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Fraction of each delay randomised, ±: 0.25 spreads a fleet rebooting together (FDO's ±25 %). */
  readonly jitter: number;
  /** Wait at least the service's RetryAfter when it gives one. */
  readonly honorRetryAfter: boolean;
}

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

export type LedConfig =
  | { readonly driver: 'none' }
  | { readonly driver: 'sysfs-led'; readonly name: string; readonly activeLow: boolean }
  | { readonly driver: 'gpio'; readonly chip: string; readonly line: number; readonly activeLow: boolean };

export interface SerialConfig {
  /** Where the fingerprint, witness and a terminal QR are shown; undefined = nowhere. */
  readonly console?: string;
  /** Where a technician's `mesh` CLI provisions the device; undefined = disabled. */
  readonly provisioning?: string;
  readonly baudRate: number;
}

export interface AgentConfig {
  readonly stateDirectory: string;
  /** Factory mode when set: the DevicePreconfiguration file; undefined = self mode (own seed). */
  readonly preconfiguration?: string;
  readonly owners: readonly OwnerConfig[];
  /** Set only for a preconfigured device whose label may be claimed through its maker. */
  readonly claims?: ClaimsConfig;
  readonly keystore: KeystoreConfig;
  readonly polling: PollingConfig;
  readonly logging: LoggingConfig;
  readonly led: LedConfig;
  readonly serial: SerialConfig;
  /** Push-notice brokers per service; absent = poll only. */
  readonly mqtt?: MqttConfig;
  /** Plain http:// to a service that is not on loopback is refused unless this is true (docs/security.md "Transport"). */
  readonly allowInsecureHttp?: boolean;
}

/** Where the packaged agent looks for its file (systemd/mesh-agent.service passes it explicitly). */
export const DEFAULT_CONFIG_PATH = '/etc/mesh-agent/config.json';

/** The defaults, in file units (seconds), exactly as the schema's `default` annotations give them. */
export const CONFIG_DEFAULTS = Object.freeze({
  // systemd's StateDirectory=mesh-agent; ProtectSystem=strict leaves nothing else writable.
  stateDirectory: '/var/lib/mesh-agent',
  keystoreType: 'auto' as KeystoreChoice,
  secretServiceCollection: 'default',
  // Connection approval is a human action: seconds, not milliseconds, matter. A 2 s start shows a
  // quick accept promptly; a 5 min cap keeps a forgotten request from costing the service much.
  initialDelaySeconds: 2,
  maxDelaySeconds: 300,
  factor: 2,
  jitter: 0.25,
  honorRetryAfter: true,
  additionalClaims: 'owner-approval' as AdditionalClaimPolicy,
  logLevel: 'info' as LogLevel,
  logFormat: 'text' as LogFormat,
  ledDriver: 'none' as LedDriver,
  // The first (and on most Pis the only) GPIO controller; Pi 5 with kernel ≥ 6.6.45 too.
  gpioChip: 'gpiochip0',
  activeLow: false,
  baudRate: 115200,
});
