/**
 * @module test/unit/agent/config-schema
 * firmware-config/mesh-agent.schema.json and the validator describe one format: every example
 * passes both, every bad case the schema can express fails both, generated documents get the
 * same verdict from both, and the schema documents every field with the validator's defaults.
 * The schema is checked by a small draft 2020-12 evaluator below, limited to the keywords the
 * schema uses; an unsupported keyword fails the test, so the check cannot silently weaken.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../../src/agent/config/agent-config.js';
import { ConfigError } from '../../../src/agent/config/config-error.js';
import { CONFIG_FIELDS, validateAgentConfig } from '../../../src/agent/config/validate-agent-config.js';

type Schema = boolean | { readonly [keyword: string]: unknown };

const DIR = 'firmware-config';
const schema = JSON.parse(readFileSync(`${DIR}/mesh-agent.schema.json`, 'utf8')) as Record<string, unknown>;
const examples = readdirSync(DIR)
  .filter((name) => name.endsWith('.json') && name !== 'mesh-agent.schema.json')
  .map((name) => [name, JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8')) as unknown] as const);

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$defs', 'title', 'description', 'default', 'examples']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Errors of `value` against `s` (draft 2020-12 subset), as "path: keyword" strings. */
function evaluate(s: Schema, value: unknown, path = '$'): string[] {
  if (s === true) return [];
  if (s === false) return [`${path}: false`];
  const errors: string[] = [];
  const err = (keyword: string) => errors.push(`${path}: ${keyword}`);
  const isObject = typeOf(value) === 'object';
  for (const [keyword, arg] of Object.entries(s)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case '$ref': {
        const ref = String(arg);
        if (!ref.startsWith('#/$defs/')) throw new Error(`unsupported $ref ${ref}`);
        errors.push(...evaluate((schema['$defs'] as Record<string, Schema>)[ref.slice(8)] as Schema, value, path));
        break;
      }
      case 'type': {
        const t = typeOf(value);
        const types = Array.isArray(arg) ? arg : [arg];
        if (!types.some((x) => x === t || (x === 'number' && t === 'integer'))) err('type');
        break;
      }
      case 'enum':
        if (!(arg as unknown[]).some((x) => equal(x, value))) err('enum');
        break;
      case 'const':
        if (!equal(arg, value)) err('const');
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(String(arg), 'u').test(value)) err('pattern');
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < Number(arg)) err('minLength');
        break;
      case 'minimum':
        if (typeof value === 'number' && value < Number(arg)) err('minimum');
        break;
      case 'maximum':
        if (typeof value === 'number' && value > Number(arg)) err('maximum');
        break;
      case 'exclusiveMinimum':
        if (typeof value === 'number' && value <= Number(arg)) err('exclusiveMinimum');
        break;
      case 'uniqueItems':
        if (arg === true && Array.isArray(value) && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
          err('uniqueItems');
        break;
      case 'items':
        if (Array.isArray(value))
          value.forEach((item, i) => errors.push(...evaluate(arg as Schema, item, `${path}[${i}]`)));
        break;
      case 'required':
        if (isObject) for (const k of arg as string[]) if (!(k in (value as object))) err(`required ${k}`);
        break;
      case 'dependentRequired':
        if (isObject) {
          for (const [k, needs] of Object.entries(arg as Record<string, string[]>)) {
            if (k in (value as object))
              for (const n of needs) if (!(n in (value as object))) err(`dependentRequired ${n}`);
          }
        }
        break;
      case 'properties':
        if (isObject) {
          for (const [k, sub] of Object.entries(arg as Record<string, Schema>)) {
            if (k in (value as object))
              errors.push(...evaluate(sub, (value as Record<string, unknown>)[k], `${path}.${k}`));
          }
        }
        break;
      case 'additionalProperties':
        if (isObject) {
          const known = Object.keys((s['properties'] as object | undefined) ?? {});
          for (const k of Object.keys(value as object)) {
            if (!known.includes(k))
              errors.push(...evaluate(arg as Schema, (value as Record<string, unknown>)[k], `${path}.${k}`));
          }
        }
        break;
      case 'oneOf': {
        const passing = (arg as Schema[]).filter((sub) => evaluate(sub, value, path).length === 0).length;
        if (passing !== 1) err('oneOf');
        break;
      }
      case 'anyOf':
        if (!(arg as Schema[]).some((sub) => evaluate(sub, value, path).length === 0)) err('anyOf');
        break;
      case 'allOf':
        for (const sub of arg as Schema[]) errors.push(...evaluate(sub, value, path));
        break;
      case 'not':
        if (evaluate(arg as Schema, value, path).length === 0) err('not');
        break;
      case 'if': {
        const branch = evaluate(arg as Schema, value, path).length === 0 ? s['then'] : s['else'];
        if (branch !== undefined) errors.push(...evaluate(branch as Schema, value, path));
        break;
      }
      case 'then':
      case 'else':
        break;
      default:
        throw new Error(`the test's evaluator does not support keyword "${keyword}" (at ${path})`);
    }
  }
  return errors;
}

function validatorAccepts(doc: unknown): boolean {
  try {
    validateAgentConfig(doc);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return false;
  }
}

describe('examples', () => {
  it('there are the three documented examples', () => {
    expect(examples.map(([name]) => name).sort()).toEqual([
      'minimal.json',
      'self-keyed-two-owners.json',
      'thermostat-factory.json',
    ]);
  });

  it.each(examples)('%s passes the schema and the validator', (_name, doc) => {
    expect(evaluate(schema, doc)).toEqual([]);
    expect(() => validateAgentConfig(doc)).not.toThrow();
  });

  it('the factory thermostat is claimable through its maker; the self-keyed device joins two owners by PIN', () => {
    const factory = validateAgentConfig(Object.fromEntries(examples)['thermostat-factory.json']);
    expect(factory.preconfiguration).toBeDefined();
    expect(factory.claims?.additionalClaims).toBe('owner-approval');
    const self = validateAgentConfig(Object.fromEntries(examples)['self-keyed-two-owners.json']);
    expect(self.preconfiguration).toBeUndefined();
    expect(self.owners).toHaveLength(2);
    expect(self.owners.every((o) => o.pin !== undefined)).toBe(true);
  });
});

describe('the schema documents the format', () => {
  it('is draft 2020-12 and lists exactly the validator top-level fields', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema['properties'] as object).sort()).toEqual([...CONFIG_FIELDS].sort());
    expect(schema['additionalProperties']).toBe(false);
  });

  it('every field has a description', () => {
    const missing: string[] = [];
    const walk = (s: unknown, path: string): void => {
      if (typeof s !== 'object' || s === null) return;
      const node = s as Record<string, unknown>;
      if (typeof node['description'] !== 'string' || (node['description'] as string).length < 10) missing.push(path);
      for (const [k, sub] of Object.entries((node['properties'] as Record<string, unknown> | undefined) ?? {}))
        walk(sub, `${path}.${k}`);
      for (const [i, sub] of ((node['oneOf'] as unknown[] | undefined) ?? []).entries()) {
        const branch = sub as Record<string, unknown>;
        // A branch that only refers elsewhere is described there.
        if (branch['$ref'] === undefined)
          for (const [k, p] of Object.entries((branch['properties'] as object | undefined) ?? {}))
            walk(p, `${path}/oneOf${i}.${k}`);
      }
      if (
        node['items'] !== undefined &&
        (node['items'] as Record<string, unknown>)['$ref'] === undefined &&
        (node['items'] as Record<string, unknown>)['type'] === 'object'
      ) {
        walk(node['items'], `${path}[]`);
      }
    };
    walk(schema, '$');
    for (const [name, def] of Object.entries(schema['$defs'] as Record<string, unknown>)) walk(def, `$defs.${name}`);
    expect(missing).toEqual([]);
  });

  it('its defaults are the validator defaults', () => {
    const p = schema['properties'] as Record<string, Record<string, unknown>>;
    const sub = (section: string) => (p[section]?.['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
    expect(p['stateDirectory']?.['default']).toBe(CONFIG_DEFAULTS.stateDirectory);
    expect(p['keystore']?.['default']).toBe(CONFIG_DEFAULTS.keystoreType);
    expect(defs['keystoreType']?.['default']).toBe(CONFIG_DEFAULTS.keystoreType);
    expect(sub('claims')['additionalClaims']?.['default']).toBe(CONFIG_DEFAULTS.additionalClaims);
    expect(sub('polling')['initialDelaySeconds']?.['default']).toBe(CONFIG_DEFAULTS.initialDelaySeconds);
    expect(sub('polling')['maxDelaySeconds']?.['default']).toBe(CONFIG_DEFAULTS.maxDelaySeconds);
    expect(sub('polling')['factor']?.['default']).toBe(CONFIG_DEFAULTS.factor);
    expect(sub('polling')['jitter']?.['default']).toBe(CONFIG_DEFAULTS.jitter);
    expect(sub('polling')['honorRetryAfter']?.['default']).toBe(CONFIG_DEFAULTS.honorRetryAfter);
    expect(sub('logging')['level']?.['default']).toBe(CONFIG_DEFAULTS.logLevel);
    expect(sub('logging')['format']?.['default']).toBe(CONFIG_DEFAULTS.logFormat);
    expect(sub('led')['driver']?.['default']).toBe(CONFIG_DEFAULTS.ledDriver);
    expect(sub('led')['chip']?.['default']).toBe(CONFIG_DEFAULTS.gpioChip);
    expect(sub('led')['activeLow']?.['default']).toBe(CONFIG_DEFAULTS.activeLow);
    expect(sub('serial')['baudRate']?.['default']).toBe(CONFIG_DEFAULTS.baudRate);
    const keystoreObject = (p['keystore']?.['oneOf'] as Record<string, unknown>[] | undefined)?.[1] as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    const secretService = keystoreObject['properties']?.['secretService'] as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    expect(secretService['properties']?.['collection']?.['default']).toBe(CONFIG_DEFAULTS.secretServiceCollection);
  });
});

const PIN = 'AARN-NLR2-QAHW-4FOR-BRW5-EFHF-NI';

describe('schema and validator agree', () => {
  // Cases the schema can express (field-local constraints); cross-field rules are validator-only.
  it.each([
    { owners: [{ service: 'https://example.com' }] },
    { owners: [{ account: 'alice.example.com' }] },
    { owners: [{ account: 'a@example.com', service: 'ftp://example.com' }] },
    { owners: [{ account: 'a@example.com', service: 'https://example.com/?q' }] },
    { owners: [{ account: 'a@example.com', roles: ['a', 'a'] }] },
    { owners: [{ account: 'a@example.com', pin: 'hunter1!' }] },
    { keystore: 'hsm' },
    { keystore: { type: 'hsm' } },
    { keystore: { tpm: { tcit: 'device' } } },
    { stateDirectory: 'relative/path' },
    { stateDirectory: '/var/../etc' },
    { stateDirectory: 7 },
    { keystor: 'auto' },
    { polling: { initialDelaySeconds: 0 } },
    { polling: { jitter: 2 } },
    { logging: { level: 'trace' } },
    { led: { driver: 'gpio' } },
    { led: { driver: 'gpio', line: 3, name: 'ACT' } },
    { led: { driver: 'sysfs-led' } },
    { led: { name: 'ACT' } },
    { led: { line: 3 } },
    { serial: { console: '/tmp/x' } },
    { serial: { baudRate: 1200 } },
    { claims: { account: 'm@maker.example' } },
    { preconfiguration: '/p', claims: { service: 'https://maker.example' } },
    { preconfiguration: '/p', claims: { account: 'm@maker.example', additionalClaims: 'accept' } },
    [],
  ])('both refuse %j', (doc) => {
    expect(evaluate(schema, doc)).not.toEqual([]);
    expect(validatorAccepts(doc)).toBe(false);
  });

  it('give the same verdict on generated documents', () => {
    const pick = (...values: unknown[]) => fc.constantFrom(...values);
    const account = pick('alice@example.com', 'bob@example.net', 'no-at-sign', '', 42);
    const url = pick(
      'https://example.com',
      'http://127.0.0.1:8080',
      'ftp://x.example',
      'not a url',
      'https://h.example/?q',
    );
    const owner = fc.record(
      {
        account,
        service: url,
        pin: pick(PIN, `mcu://alice@example.com/${PIN}`, 'hunter1!', 5),
        roles: pick([], ['r'], ['r', 'r'], 'r', ['bad role']),
      },
      { requiredKeys: [] },
    );
    const doc = fc
      .record(
        {
          stateDirectory: pick('/var/lib/mesh-agent', '/tmp/x/', 'rel', '/a/../b', 3),
          preconfiguration: pick('/boot/firmware/mesh/device.medk', 'device.medk', null),
          // One owner at most: distinct accounts and PIN URIs naming their own owner are cross-field rules.
          owners: fc.oneof(
            fc.constant([]),
            fc.tuple(owner).map((o) => o as unknown[]),
            pick('x', {}),
          ),
          claims: fc.record(
            { account, service: url, additionalClaims: pick('owner-approval', 'reject', 'maybe') },
            { requiredKeys: [] },
          ),
          keystore: fc.oneof(
            pick('auto', 'tpm', 'secret-service', 'file', 'memory', 'TPM'),
            fc.record(
              {
                type: pick('auto', 'file', 'hsm'),
                tpm: fc.record(
                  { tcti: pick('device:/dev/tpmrm0', 'swtpm:port=2321', 'bad tcti', 1) },
                  { requiredKeys: [] },
                ),
                secretService: fc.record(
                  { address: pick('unix:path=/run/bus', 'nocolon'), collection: pick('default', 'a/b') },
                  { requiredKeys: [] },
                ),
              },
              { requiredKeys: [] },
            ),
          ),
          polling: fc.record(
            {
              initialDelaySeconds: pick(0.05, 2, 0, -1, '2'),
              factor: pick(1, 2.5, 0.5),
              jitter: pick(0, 0.25, 1.1),
              honorRetryAfter: pick(true, 'no'),
            },
            { requiredKeys: [] },
          ),
          logging: fc.record(
            { level: pick('info', 'debug', 'loud'), format: pick('json', 'text', 'xml') },
            { requiredKeys: [] },
          ),
          led: fc.record(
            {
              driver: pick('none', 'gpio', 'sysfs-led', 'pwm'),
              name: pick('ACT', 'a/b'),
              chip: pick('gpiochip0', '/dev/gpiochip4', 'x y'),
              line: pick(17, -1, 2.5),
              activeLow: pick(true, 0),
            },
            { requiredKeys: [] },
          ),
          serial: fc.record(
            {
              console: pick('/dev/ttyS0', 'ttyS0', '/dev/'),
              provisioning: pick('/dev/ttyUSB0', '/etc/x'),
              baudRate: pick(9600, 115200, 1200, '9600'),
            },
            { requiredKeys: [] },
          ),
          typo: pick(undefined),
        },
        { requiredKeys: [] },
      )
      .map((d) => {
        const out: Record<string, unknown> = { ...d };
        delete out['typo'];
        // JSON has no undefined; a null preconfiguration stands for "absent".
        if (out['preconfiguration'] === null) delete out['preconfiguration'];
        return out;
      });
    fc.assert(
      fc.property(doc, (d) => {
        const schemaSays = evaluate(schema, d).length === 0;
        expect({ doc: d, validator: validatorAccepts(d) }).toEqual({ doc: d, validator: schemaSays });
      }),
      { numRuns: 1500 },
    );
  });

  it('cross-field rules are the validator own', () => {
    const crossField = [
      { owners: [{ account: 'a@example.com' }, { account: 'A@example.com' }] },
      { owners: [{ account: 'a@example.com', pin: `mcu://b@example.com/${PIN}` }] },
      { polling: { initialDelaySeconds: 10, maxDelaySeconds: 5 } },
    ];
    for (const doc of crossField) {
      expect(evaluate(schema, doc)).toEqual([]);
      expect(validatorAccepts(doc)).toBe(false);
    }
  });
});
