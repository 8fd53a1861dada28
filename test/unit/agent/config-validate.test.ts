/**
 * @module test/unit/agent/config-validate
 * The agent configuration validator: defaults, normalisation, and one ConfigError naming the
 * JSON path for every kind of bad field (conventions "Tests": every parser gets bad-input
 * tests asserting the class and the field).
 */
import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/crypto/errors.js';
import { CONFIG_DEFAULTS } from '../../../src/agent/config/agent-config.js';
import { ConfigError } from '../../../src/agent/config/config-error.js';
import { didYouMean } from '../../../src/agent/config/did-you-mean.js';
import { parseAgentConfig, validateAgentConfig } from '../../../src/agent/config/validate-agent-config.js';

const PIN = 'AARN-NLR2-QAHW-4FOR-BRW5-EFHF-NI';
const alice = { account: 'alice@example.com', service: 'http://127.0.0.1:15099' };

/** The ConfigError `run` throws. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(MeshError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Asserts `doc` is refused with a problem at `path`, named in the message too. */
function rejects(doc: unknown, path: string): ConfigError {
  const error = configError(() => validateAgentConfig(doc));
  expect(error.problems.map((p) => p.path)).toContain(path);
  expect(error.message).toContain(`"${path}"`);
  expect(error.code).toBe('ERR_CONFIG');
  return error;
}

describe('defaults', () => {
  it('an empty document is a self-keyed device with nothing to join and every default', () => {
    const config = validateAgentConfig({});
    expect(config).toEqual({
      stateDirectory: '/var/lib/mesh-agent',
      owners: [],
      keystore: { type: 'auto', tpm: {}, secretService: { collection: 'default' } },
      polling: { initialDelayMs: 2000, maxDelayMs: 300_000, factor: 2, jitter: 0.25, honorRetryAfter: true },
      logging: { level: 'info', format: 'text' },
      led: { driver: 'none' },
      serial: { baudRate: 115200 },
    });
    expect(config.preconfiguration).toBeUndefined();
    expect(config.claims).toBeUndefined();
  });

  it('an owner without a service uses https://<domain>/; roles default to none', () => {
    const config = validateAgentConfig({ owners: [{ account: 'Alice@Example.COM' }] });
    expect(config.owners).toEqual([{ account: 'Alice@Example.COM', service: 'https://example.com/', roles: [] }]);
  });

  it('claims default to the maker domain and owner approval', () => {
    const config = validateAgentConfig({
      preconfiguration: '/boot/mesh/device.medk',
      claims: { account: 'devices@maker.example' },
    });
    expect(config.claims).toEqual({
      account: 'devices@maker.example',
      service: 'https://maker.example/',
      additionalClaims: 'owner-approval',
    });
  });

  it('a GPIO LED defaults to gpiochip0, active high', () => {
    expect(validateAgentConfig({ led: { driver: 'gpio', line: 17 } }).led).toEqual({
      driver: 'gpio',
      chip: 'gpiochip0',
      line: 17,
      activeLow: false,
    });
  });

  it('a maxDelaySeconds default never falls below a larger initialDelaySeconds', () => {
    const polling = validateAgentConfig({ polling: { initialDelaySeconds: 600 } }).polling;
    expect(polling.initialDelayMs).toBe(600_000);
    expect(polling.maxDelayMs).toBe(600_000);
  });

  it('the result is frozen', () => {
    const config = validateAgentConfig({ owners: [alice] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.owners[0])).toBe(true);
    expect(CONFIG_DEFAULTS.stateDirectory).toBe(config.stateDirectory);
  });
});

describe('normalisation', () => {
  it('PINs become canonical, from a bare UDF or from the owner mcu:// URI', () => {
    const config = validateAgentConfig({
      owners: [
        { ...alice, pin: PIN.toLowerCase().replace(/-/g, '') },
        { account: 'bob@example.net', pin: `mcu://bob@example.net/${PIN}` },
      ],
    });
    expect(config.owners.map((o) => o.pin)).toEqual([PIN, PIN]);
  });

  it('the keystore string is shorthand for {type}', () => {
    expect(validateAgentConfig({ keystore: 'tpm' }).keystore.type).toBe('tpm');
    const full = validateAgentConfig({ keystore: { type: 'tpm', tpm: { tcti: 'swtpm:host=127.0.0.1,port=2321' } } });
    expect(full.keystore.tpm.tcti).toBe('swtpm:host=127.0.0.1,port=2321');
  });

  it('service URLs are normalised and trailing slashes of paths dropped', () => {
    const config = validateAgentConfig({
      stateDirectory: '/var/lib/mesh-agent/',
      owners: [{ account: 'a@b.example', service: 'HTTP://127.0.0.1:8080' }],
    });
    expect(config.owners[0]?.service).toBe('http://127.0.0.1:8080/');
    expect(config.stateDirectory).toBe('/var/lib/mesh-agent');
  });

  it('parseAgentConfig ignores a byte-order mark', () => {
    expect(parseAgentConfig('\uFEFF{"logging":{"level":"debug"}}').logging.level).toBe('debug');
  });
});

describe('bad configurations name the JSON path', () => {
  it('an owner without an account', () => {
    const error = rejects({ owners: [alice, { service: 'https://example.com' }] }, '$.owners[1].account');
    expect(error.actual).toContain('absent');
  });

  it('an account that is not user@domain', () => {
    const error = rejects({ owners: [{ account: 'alice.example.com' }] }, '$.owners[0].account');
    expect(error.message).toContain('"@"');
  });

  it('the same account twice, in any case', () => {
    rejects({ owners: [alice, { account: 'ALICE@example.com' }] }, '$.owners[1].account');
  });

  it.each([
    ['ftp://example.com', 'scheme "ftp"'],
    ['example.com', 'not a URL'],
    ['https://user:secret@example.com', 'credentials'],
    ['https://example.com/?x=1', 'query'],
  ])('a service URL %s', (service, why) => {
    const error = rejects({ owners: [{ account: 'a@example.com', service }] }, '$.owners[0].service');
    expect(error.actual).toContain(why);
    expect(error.message).not.toContain('secret');
  });

  it('a bad maker service URL', () => {
    rejects(
      { preconfiguration: '/p', claims: { account: 'm@maker.example', service: 'mqtt://maker.example' } },
      '$.claims.service',
    );
  });

  it('an unknown keystore, with a hint for a near miss', () => {
    const error = rejects({ keystore: 'secret_service' }, '$.keystore');
    expect(error.problems[0]?.hint).toBe('did you mean "secret-service"?');
    rejects({ keystore: { type: 'hsm' } }, '$.keystore.type');
    rejects({ keystore: 'memory' }, '$.keystore');
  });

  it.each([
    [{ stateDirectory: 42 }, '$.stateDirectory'],
    [{ stateDirectory: 'var/lib/mesh' }, '$.stateDirectory'],
    [{ stateDirectory: '/var/lib/../etc' }, '$.stateDirectory'],
    [{ preconfiguration: true }, '$.preconfiguration'],
    [{ owners: { account: 'a@b.example' } }, '$.owners'],
    [{ owners: ['alice@example.com'] }, '$.owners[0]'],
    [{ owners: [{ ...alice, roles: 'thermostat' }] }, '$.owners[0].roles'],
    [{ owners: [{ ...alice, roles: ['ok', 'has space'] }] }, '$.owners[0].roles[1]'],
    [{ owners: [{ ...alice, roles: ['x', 'x'] }] }, '$.owners[0].roles[1]'],
    [{ keystore: 7 }, '$.keystore'],
    [{ keystore: { tpm: { tcti: 'device :/dev/tpm0' } } }, '$.keystore.tpm.tcti'],
    [{ keystore: { secretService: { collection: 'a/b' } } }, '$.keystore.secretService.collection'],
    [{ polling: { initialDelaySeconds: '2s' } }, '$.polling.initialDelaySeconds'],
    [{ polling: { initialDelaySeconds: 0 } }, '$.polling.initialDelaySeconds'],
    [{ polling: { initialDelaySeconds: 10, maxDelaySeconds: 5 } }, '$.polling.maxDelaySeconds'],
    [{ polling: { factor: 0.5 } }, '$.polling.factor'],
    [{ polling: { jitter: 1.5 } }, '$.polling.jitter'],
    [{ polling: { honorRetryAfter: 'yes' } }, '$.polling.honorRetryAfter'],
    [{ logging: { level: 'verbose' } }, '$.logging.level'],
    [{ logging: { format: 'xml' } }, '$.logging.format'],
    [{ led: { driver: 'pwm' } }, '$.led.driver'],
    [{ led: { driver: 'sysfs-led' } }, '$.led.name'],
    [{ led: { driver: 'sysfs-led', name: '../../power/state' } }, '$.led.name'],
    [{ led: { driver: 'gpio' } }, '$.led.line'],
    [{ led: { driver: 'gpio', line: 17.5 } }, '$.led.line'],
    [{ led: { driver: 'gpio', line: 17, name: 'ACT' } }, '$.led.name'],
    [{ led: { name: 'ACT' } }, '$.led.name'],
    [{ led: { driver: 'gpio', line: 4, activeLow: 1 } }, '$.led.activeLow'],
    [{ serial: { console: 'ttyS0' } }, '$.serial.console'],
    [{ serial: { provisioning: '/tmp/tty' } }, '$.serial.provisioning'],
    [{ serial: { baudRate: 115201 } }, '$.serial.baudRate'],
    [{ serial: { baudRate: '115200' } }, '$.serial.baudRate'],
    [{ claims: { account: 'm@maker.example' } }, '$.preconfiguration'],
    [{ preconfiguration: '/p', claims: {} }, '$.claims.account'],
    [
      { preconfiguration: '/p', claims: { account: 'm@maker.example', additionalClaims: 'accept' } },
      '$.claims.additionalClaims',
    ],
    [[], '$'],
    ['{}', '$'],
    [null, '$'],
  ])('%j', (doc, path) => {
    rejects(doc, path);
  });

  it('wrong types say what was found', () => {
    const error = rejects({ polling: { initialDelaySeconds: '2s' } }, '$.polling.initialDelaySeconds');
    expect(error.expected).toBe('a number greater than 0 and at most 3600');
    expect(error.actual).toBe('the string "2s"');
  });

  it('every problem is reported at once, in document order', () => {
    const error = configError(() =>
      validateAgentConfig({ stateDirectory: 1, owners: [{}], logging: { level: 'loud' } }),
    );
    expect(error.problems.map((p) => p.path)).toEqual(['$.stateDirectory', '$.owners[0].account', '$.logging.level']);
    expect(error.path).toBe('$.stateDirectory');
    expect(error.message).toMatch(/3 problems/);
  });
});

describe('unknown fields', () => {
  it.each([
    [{ stateDir: '/x' }, '$.stateDir', 'stateDirectory'],
    [{ keystor: 'auto' }, '$.keystor', 'keystore'],
    [{ owner: [] }, '$.owner', 'owners'],
    [{ state_directory: '/x' }, '$.state_directory', 'stateDirectory'],
    [{ preconfigration: '/x' }, '$.preconfigration', 'preconfiguration'],
    [{ owners: [{ acount: 'a@b.example' }] }, '$.owners[0].acount', 'account'],
    [{ led: { driver: 'gpio', pin: 17 } }, '$.led.pin', 'line'],
    [{ serial: { baud: 9600 } }, '$.serial.baud', 'baudRate'],
    [{ polling: { initialDelay: 1 } }, '$.polling.initialDelay', 'initialDelaySeconds'],
    [{ keystore: { type: 'tpm', tpm: { tcit: 'device' } } }, '$.keystore.tpm.tcit', 'tcti'],
  ])('%j is refused with a hint', (doc, path, suggestion) => {
    const error = rejects(doc, path);
    const problem = error.problems.find((p) => p.path === path);
    expect(problem?.hint).toBe(`did you mean "${suggestion}"?`);
    expect(error.message).toContain(`did you mean "${suggestion}"?`);
  });

  it('a name far from every known one gets no hint', () => {
    const error = rejects({ colour: 'blue' }, '$.colour');
    expect(error.problems[0]?.hint).toBeUndefined();
  });

  it('odd keys are quoted in the path', () => {
    rejects({ 'led colour': 'red' }, '$["led colour"]');
  });

  it('didYouMean keeps short typos close and rejects unrelated names', () => {
    expect(didYouMean('levle', ['level', 'format'])).toBe('level');
    expect(didYouMean('zzz', ['level', 'format'])).toBeUndefined();
  });
});

describe('PINs', () => {
  it.each([
    ['a URI for another account', `mcu://bob@example.com/${PIN}`, 'bob@example.com'],
    ['a label ConnectKey URI', 'mcu://alice@example.com/EBQF-W3HG-G6WP-JM4S-MEJE-4ZKG-QU', 'ConnectKey'],
    ['a UDF of another type', 'MDCS-YEOV-SBIU-W2EF-Y7BT-6S6B-TA', 'type 0x'],
    ['too short a PIN', 'AARN-NLR2', 'bytes'],
    ['not a UDF', 'hunter1!', 'not a UDF'],
    ['a broken URI', 'mcu://alice@example.com/', 'malformed'],
  ])('%s is refused without echoing the PIN', (_why, pin, shown) => {
    const error = rejects({ owners: [{ ...alice, pin }] }, '$.owners[0].pin');
    expect(error.message).toContain(shown);
    expect(error.message).not.toContain('NLR2');
    expect(error.message).not.toContain('hunter');
    expect(JSON.stringify(error.context)).not.toContain('NLR2');
  });

  it('a PIN of the wrong type is described by kind only', () => {
    const error = rejects({ owners: [{ ...alice, pin: 12345678 }] }, '$.owners[0].pin');
    expect(error.actual).toBe('a number');
  });
});

describe('parseAgentConfig', () => {
  it('valid text is validated', () => {
    expect(() => parseAgentConfig('{"keystor": "file"}')).toThrow(ConfigError);
  });
});
