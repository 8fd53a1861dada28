/**
 * @module agent/config/validate-agent-config
 * The `mesh-agent` configuration file (firmware-config/mesh-agent.schema.json) checked and
 * completed: unknown fields are errors, every default is applied, durations become
 * milliseconds. Pure, so the CLI reads the file and this decides what it means; the tests run
 * every example and every bad case through both this and the schema, so the two agree.
 */
import {
  ADDITIONAL_CLAIM_POLICIES,
  CONFIG_DEFAULTS,
  KEYSTORE_CHOICES,
  LED_DRIVERS,
  LOG_FORMATS,
  LOG_LEVELS,
  SERIAL_BAUD_RATES,
  type AgentConfig,
  type ClaimsConfig,
  type KeystoreConfig,
  type LedConfig,
  type LoggingConfig,
  type OwnerConfig,
  type PollingConfig,
  type SerialConfig,
} from './agent-config.js';
import { ConfigError } from './config-error.js';
import { readMqtt } from './mqtt-config.js';
import type { UncheckedObject } from '../../mesh/encoding/json-value.js';
import { ConfigReader, childPath, describeValue } from './config-reader.js';
import { isInsecureRemoteHttp } from '../loopback-host.js';
import { jsonSyntaxOffset, lineAndColumn } from './json-syntax-position.js';
import { absolutePath, accountAddress, accountDomain, devicePath, ownerPin, serviceUrl } from './config-values.js';

/** Top-level fields. `$schema` lets editors find the schema; it is otherwise ignored. */
export const CONFIG_FIELDS = [
  '$schema',
  'stateDirectory',
  'preconfiguration',
  'owners',
  'claims',
  'keystore',
  'polling',
  'logging',
  'led',
  'serial',
  'mqtt',
  'allowInsecureHttp',
] as const;

const OWNER_FIELDS = ['account', 'service', 'pin', 'roles'];
const CLAIMS_FIELDS = ['account', 'service', 'additionalClaims'];
const KEYSTORE_FIELDS = ['type', 'tpm', 'secretService'];
const POLLING_FIELDS = ['initialDelaySeconds', 'maxDelaySeconds', 'factor', 'jitter', 'honorRetryAfter'];
const LED_FIELDS = ['driver', 'name', 'chip', 'line', 'activeLow'];
const LED_FIELDS_BY_DRIVER: Readonly<Record<string, readonly string[]>> = {
  none: ['driver'],
  'sysfs-led': ['driver', 'name', 'activeLow'],
  gpio: ['driver', 'chip', 'line', 'activeLow'],
};
const SERIAL_FIELDS = ['console', 'provisioning', 'baudRate'];

/** Names people reach for by habit, mapped to ours, for the "did you mean" hint. */
const TOP_ALIASES = {
  stateDir: 'stateDirectory',
  dataDir: 'stateDirectory',
  owner: 'owners',
  preconfig: 'preconfiguration',
  log: 'logging',
  maker: 'claims',
};
const LED_ALIASES = { pin: 'line', gpio: 'line', invert: 'activeLow', inverted: 'activeLow', device: 'name' };
const SERIAL_ALIASES = { baud: 'baudRate', speed: 'baudRate', device: 'console', port: 'console' };
const POLLING_ALIASES = {
  initial: 'initialDelaySeconds',
  max: 'maxDelaySeconds',
  multiplier: 'factor',
  retryAfter: 'honorRetryAfter',
  honourRetryAfter: 'honorRetryAfter',
};

/** Role names: ConnectionDevice.Roles entries, kept to a safe token so they can appear in logs. */
const ROLE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** A TCTI as tpm2-tools takes it: `name` or `name:config` (`device:/dev/tpmrm0`, `swtpm:port=2321`). */
const TCTI = /^[A-Za-z0-9_-]+(:[^\u0000-\u001f\u007f]*)?$/;
/** A D-Bus server address (`unix:path=/run/user/1000/bus`), dbus-specification "Server Addresses". */
const DBUS_ADDRESS = /^[a-z][a-z0-9-]*:[^\u0000-\u001f\u007f]*$/;
/** A Secret Service collection alias or object-path element (`default`, `login`). */
const COLLECTION = /^[A-Za-z0-9_]{1,64}$/;
/** A kernel LED class name: no "/", so it cannot leave /sys/class/leds. */
const LED_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.+-]{0,63}$/;
/** A GPIO chip as libgpiod names it: `gpiochip0`, a number, a label, or /dev/gpiochipN. */
const GPIO_CHIP = /^(\/dev\/gpiochip[0-9]+|[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})$/;

/**
 * Checks a parsed configuration document and returns it completed with defaults.
 * @param source the file name, quoted in the error message.
 * @throws ConfigError listing every problem, each with its JSON path.
 */
export function validateAgentConfig(document: unknown, source?: string): AgentConfig {
  const reader = new ConfigReader(source);
  const root = reader.object('$', document, CONFIG_FIELDS, TOP_ALIASES);
  if (root === undefined) {
    reader.throwIfFailed();
    throw new ConfigError([{ path: '$', expected: 'an object', actual: describeValue(document) }], source);
  }
  if (root['$schema'] !== undefined) reader.string('$.$schema', root['$schema'], 'a string (the schema location)');

  const stateDirectory =
    root['stateDirectory'] === undefined
      ? CONFIG_DEFAULTS.stateDirectory
      : (absolutePath(reader, '$.stateDirectory', root['stateDirectory']) ?? CONFIG_DEFAULTS.stateDirectory);
  const preconfiguration =
    root['preconfiguration'] === undefined
      ? undefined
      : absolutePath(reader, '$.preconfiguration', root['preconfiguration']);
  const owners = readOwners(reader, root['owners']);
  const claims = readClaims(reader, root);
  const keystore = readKeystore(reader, root['keystore']);
  const polling = readPolling(reader, root['polling']);
  const logging = readLogging(reader, root['logging']);
  const led = readLed(reader, root['led']);
  const serial = readSerial(reader, root['serial']);
  const mqtt = readMqtt(reader, root['mqtt']);
  const allowInsecureHttp =
    root['allowInsecureHttp'] === undefined
      ? false
      : (reader.boolean('$.allowInsecureHttp', root['allowInsecureHttp']) ?? false);
  if (!allowInsecureHttp) {
    // docs/security.md "Transport": refused here, at start, rather than at the first request.
    const services: [string, string][] = [
      ...owners.map((o, i): [string, string] => [`$.owners[${i}].service`, o.service]),
      ...(claims === undefined ? [] : [['$.claims.service', claims.service] as [string, string]]),
    ];
    for (const [path, service] of services) {
      const url = new URL(service);
      if (isInsecureRemoteHttp(url))
        reader.fail(
          path,
          'an https:// URL, or http:// to loopback only (set "allowInsecureHttp": true to allow plain http)',
          `plain http to ${url.hostname}, which would expose the device's requests and answers on the network`,
        );
    }
  }

  reader.throwIfFailed();
  return deepFreeze({
    stateDirectory,
    ...(preconfiguration === undefined ? {} : { preconfiguration }),
    owners,
    ...(claims === undefined ? {} : { claims }),
    keystore,
    polling,
    logging,
    led,
    serial,
    ...(mqtt === undefined ? {} : { mqtt }),
    ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
  });
}

/**
 * Parses the text of a configuration file and validates it. A syntax error is reported with
 * its line and column; a UTF-8 byte-order mark (Windows editors add one) is ignored.
 * @throws ConfigError
 */
export function parseAgentConfig(text: string, source?: string): AgentConfig {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    // V8's message quotes the text around the error, which may hold a PIN: give the place and
    // the one character found there instead.
    const offset = jsonSyntaxOffset(body);
    let actual = 'a syntax error';
    if (offset !== undefined) {
      const { line, column } = lineAndColumn(body, offset);
      const found = offset < body.length ? JSON.stringify(body[offset]) : 'the end of the text';
      actual = `a syntax error at line ${line} column ${column} (found ${found})`;
    }
    throw new ConfigError([{ path: '$', expected: 'a JSON document', actual }], source);
  }
  return validateAgentConfig(document, source);
}

function readOwners(reader: ConfigReader, value: unknown): OwnerConfig[] {
  if (value === undefined) return [];
  const list = reader.array('$.owners', value);
  if (list === undefined) return [];
  const owners: OwnerConfig[] = [];
  const seen = new Map<string, number>();
  list.forEach((item, index) => {
    const path = childPath('$.owners', index);
    const entry = reader.object(path, item, OWNER_FIELDS);
    if (entry === undefined) return;
    const account = accountAddress(reader, `${path}.account`, entry['account']);
    if (account !== undefined) {
      const first = seen.get(account.toLowerCase());
      // Two connections to one account would race for one device entry in its catalog.
      if (first !== undefined)
        reader.fail(
          `${path}.account`,
          `an account not listed before (it is $.owners[${first}])`,
          describeValue(account),
        );
      else seen.set(account.toLowerCase(), index);
    }
    const service =
      entry['service'] === undefined ? undefined : serviceUrl(reader, `${path}.service`, entry['service']);
    const pin = entry['pin'] === undefined ? undefined : ownerPin(reader, `${path}.pin`, entry['pin'], account);
    const roles = readRoles(reader, `${path}.roles`, entry['roles']);
    if (account === undefined) return;
    owners.push({
      account,
      service: service ?? `https://${accountDomain(account)}/`,
      ...(pin === undefined ? {} : { pin }),
      roles,
    });
  });
  return owners;
}

function readRoles(reader: ConfigReader, path: string, value: unknown): string[] {
  if (value === undefined) return [];
  const list = reader.array(path, value);
  if (list === undefined) return [];
  const roles: string[] = [];
  list.forEach((item, index) => {
    const role = reader.string(
      childPath(path, index),
      item,
      'a role name (letters, digits, ".", "_", ":", "-"; up to 64)',
    );
    if (role === undefined) return;
    if (!ROLE.test(role))
      reader.fail(
        childPath(path, index),
        'a role name (letters, digits, ".", "_", ":", "-"; up to 64)',
        describeValue(role),
      );
    else if (roles.includes(role)) reader.fail(childPath(path, index), 'a role not listed before', describeValue(role));
    else roles.push(role);
  });
  return roles;
}

function readClaims(reader: ConfigReader, root: UncheckedObject): ClaimsConfig | undefined {
  const value = root['claims'];
  if (value === undefined) return undefined;
  const entry = reader.object('$.claims', value, CLAIMS_FIELDS);
  if (entry === undefined) return undefined;
  // Only a preconfigured device has a label (the ConnectKey of its DevicePreconfiguration).
  if (root['preconfiguration'] === undefined) {
    reader.fail('$.preconfiguration', 'a preconfiguration file, which "claims" requires', describeValue(undefined));
  }
  const account = accountAddress(reader, '$.claims.account', entry['account']);
  const service = entry['service'] === undefined ? undefined : serviceUrl(reader, '$.claims.service', entry['service']);
  const additionalClaims =
    entry['additionalClaims'] === undefined
      ? CONFIG_DEFAULTS.additionalClaims
      : (reader.oneOf('$.claims.additionalClaims', entry['additionalClaims'], ADDITIONAL_CLAIM_POLICIES) ??
        CONFIG_DEFAULTS.additionalClaims);
  if (account === undefined) return undefined;
  return { account, service: service ?? `https://${accountDomain(account)}/`, additionalClaims };
}

function readKeystore(reader: ConfigReader, value: unknown): KeystoreConfig {
  const defaults: KeystoreConfig = {
    type: CONFIG_DEFAULTS.keystoreType,
    tpm: {},
    secretService: { collection: CONFIG_DEFAULTS.secretServiceCollection },
  };
  if (value === undefined) return defaults;
  // `"keystore": "tpm"` is shorthand for `{"type": "tpm"}` (firmware-config/README.md writes it so).
  if (typeof value === 'string')
    return { ...defaults, type: reader.oneOf('$.keystore', value, KEYSTORE_CHOICES) ?? defaults.type };
  const entry = reader.object('$.keystore', value, KEYSTORE_FIELDS, { tier: 'type', kind: 'type' });
  if (entry === undefined) return defaults;
  const type =
    entry['type'] === undefined
      ? defaults.type
      : (reader.oneOf('$.keystore.type', entry['type'], KEYSTORE_CHOICES) ?? defaults.type);

  let tcti: string | undefined;
  if (entry['tpm'] !== undefined) {
    const tpm = reader.object('$.keystore.tpm', entry['tpm'], ['tcti']);
    if (tpm !== undefined && tpm['tcti'] !== undefined) {
      const expected = 'a TCTI such as "device:/dev/tpmrm0" or "swtpm:host=127.0.0.1,port=2321"';
      tcti = reader.string('$.keystore.tpm.tcti', tpm['tcti'], expected);
      if (tcti !== undefined && !TCTI.test(tcti))
        tcti = reader.fail('$.keystore.tpm.tcti', expected, describeValue(tcti));
    }
  }
  let address: string | undefined;
  let collection = defaults.secretService.collection;
  if (entry['secretService'] !== undefined) {
    const ss = reader.object('$.keystore.secretService', entry['secretService'], ['address', 'collection']);
    if (ss !== undefined && ss['address'] !== undefined) {
      const expected = 'a D-Bus address such as "unix:path=/run/user/1000/bus"';
      address = reader.string('$.keystore.secretService.address', ss['address'], expected);
      if (address !== undefined && !DBUS_ADDRESS.test(address))
        address = reader.fail('$.keystore.secretService.address', expected, describeValue(address));
    }
    if (ss !== undefined && ss['collection'] !== undefined) {
      const expected = 'a collection alias such as "default" or "login"';
      const c = reader.string('$.keystore.secretService.collection', ss['collection'], expected);
      if (c !== undefined && !COLLECTION.test(c))
        reader.fail('$.keystore.secretService.collection', expected, describeValue(c));
      else if (c !== undefined) collection = c;
    }
  }
  return {
    type,
    tpm: tcti === undefined ? {} : { tcti },
    secretService: address === undefined ? { collection } : { address, collection },
  };
}

function readPolling(reader: ConfigReader, value: unknown): PollingConfig {
  const d = CONFIG_DEFAULTS;
  const entry = value === undefined ? {} : (reader.object('$.polling', value, POLLING_FIELDS, POLLING_ALIASES) ?? {});
  const seconds = (key: string, fallback: number, max: number): number =>
    entry[key] === undefined
      ? fallback
      : (reader.number(`$.polling.${key}`, entry[key], { min: 0, max, exclusiveMin: true }) ?? fallback);
  const initial = seconds('initialDelaySeconds', d.initialDelaySeconds, 3600);
  const maxSeconds = seconds('maxDelaySeconds', Math.max(d.maxDelaySeconds, initial), 86_400);
  if (maxSeconds < initial) {
    reader.fail(
      '$.polling.maxDelaySeconds',
      `a number at least initialDelaySeconds (${initial})`,
      describeValue(maxSeconds),
    );
  }
  const factor =
    entry['factor'] === undefined
      ? d.factor
      : (reader.number('$.polling.factor', entry['factor'], { min: 1, max: 10 }) ?? d.factor);
  const jitter =
    entry['jitter'] === undefined
      ? d.jitter
      : (reader.number('$.polling.jitter', entry['jitter'], { min: 0, max: 1 }) ?? d.jitter);
  const honorRetryAfter =
    entry['honorRetryAfter'] === undefined
      ? d.honorRetryAfter
      : (reader.boolean('$.polling.honorRetryAfter', entry['honorRetryAfter']) ?? d.honorRetryAfter);
  return {
    initialDelayMs: Math.round(initial * 1000),
    maxDelayMs: Math.round(maxSeconds * 1000),
    factor,
    jitter,
    honorRetryAfter,
  };
}

function readLogging(reader: ConfigReader, value: unknown): LoggingConfig {
  const entry = value === undefined ? {} : (reader.object('$.logging', value, ['level', 'format']) ?? {});
  return {
    level:
      entry['level'] === undefined
        ? CONFIG_DEFAULTS.logLevel
        : (reader.oneOf('$.logging.level', entry['level'], LOG_LEVELS) ?? CONFIG_DEFAULTS.logLevel),
    format:
      entry['format'] === undefined
        ? CONFIG_DEFAULTS.logFormat
        : (reader.oneOf('$.logging.format', entry['format'], LOG_FORMATS) ?? CONFIG_DEFAULTS.logFormat),
  };
}

function readLed(reader: ConfigReader, value: unknown): LedConfig {
  const none: LedConfig = { driver: 'none' };
  if (value === undefined) return none;
  const entry = reader.object('$.led', value, LED_FIELDS, LED_ALIASES);
  if (entry === undefined) return none;
  const driver =
    entry['driver'] === undefined
      ? CONFIG_DEFAULTS.ledDriver
      : reader.oneOf('$.led.driver', entry['driver'], LED_DRIVERS);
  if (driver === undefined) return none;
  const allowed = LED_FIELDS_BY_DRIVER[driver] ?? [];
  for (const key of LED_FIELDS) {
    if (entry[key] === undefined || allowed.includes(key)) continue;
    const owner = key === 'name' ? 'sysfs-led' : key === 'activeLow' ? 'sysfs-led or gpio' : 'gpio';
    reader.fail(
      `$.led.${key}`,
      `no "${key}" with driver "${driver}"`,
      describeValue(entry[key]),
      `"${key}" belongs to driver ${owner}; set "driver" accordingly`,
    );
  }
  const activeLow =
    entry['activeLow'] === undefined
      ? CONFIG_DEFAULTS.activeLow
      : (reader.boolean('$.led.activeLow', entry['activeLow']) ?? CONFIG_DEFAULTS.activeLow);
  if (driver === 'sysfs-led') {
    const expected = 'an LED name from /sys/class/leds, e.g. "ACT" or "led0"';
    const name = reader.string('$.led.name', entry['name'], expected);
    if (name !== undefined && !LED_NAME.test(name))
      return reader.fail('$.led.name', expected, describeValue(name)) ?? none;
    return name === undefined ? none : { driver, name, activeLow };
  }
  if (driver === 'gpio') {
    const expected = 'a GPIO chip such as "gpiochip0"';
    let chip: string | undefined = CONFIG_DEFAULTS.gpioChip;
    if (entry['chip'] !== undefined) {
      chip = reader.string('$.led.chip', entry['chip'], expected);
      if (chip !== undefined && !GPIO_CHIP.test(chip)) chip = reader.fail('$.led.chip', expected, describeValue(chip));
    }
    const line = reader.number('$.led.line', entry['line'], { min: 0, max: 1023, integer: true });
    return chip === undefined || line === undefined ? none : { driver, chip, line, activeLow };
  }
  return none;
}

function readSerial(reader: ConfigReader, value: unknown): SerialConfig {
  const entry = value === undefined ? {} : (reader.object('$.serial', value, SERIAL_FIELDS, SERIAL_ALIASES) ?? {});
  const consoleDevice =
    entry['console'] === undefined ? undefined : devicePath(reader, '$.serial.console', entry['console']);
  let provisioning =
    entry['provisioning'] === undefined
      ? undefined
      : devicePath(reader, '$.serial.provisioning', entry['provisioning']);
  // Each opens its device exclusively, and the console's screens would interleave with the
  // protocol's JSON lines: on one port the second never opens (README.md "Technician: serial provisioning").
  if (provisioning !== undefined && provisioning === consoleDevice) {
    provisioning = reader.fail(
      '$.serial.provisioning',
      'a different device from "$.serial.console" (the console and provisioning cannot share one port)',
      JSON.stringify(provisioning),
      'give each its own port (e.g. the UART for the console, the USB gadget /dev/ttyGS0 for provisioning), or leave one out',
    );
  }
  const baudRate =
    entry['baudRate'] === undefined
      ? CONFIG_DEFAULTS.baudRate
      : (reader.oneOf('$.serial.baudRate', entry['baudRate'], SERIAL_BAUD_RATES) ?? CONFIG_DEFAULTS.baudRate);
  return {
    ...(consoleDevice === undefined ? {} : { console: consoleDevice }),
    ...(provisioning === undefined ? {} : { provisioning }),
    baudRate,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
