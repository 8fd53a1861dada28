/**
 * @module test/unit/mesh/objects/fixtures
 * Every Mesh object fixture (hand-built, reference-shaped) round-trips, and nested envelope payloads decode as tagged objects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { base64urlDecode } from '../../../../src/mesh/encoding/base64url.js';
import {
  decodeTagged,
  decodeTaggedValue,
  encodeTagged,
  MESH_OBJECT_REGISTRY,
  type MeshObjectType,
} from '../../../../src/mesh/objects/index.js';
import { UNKNOWN_FIELDS } from '../../../../src/mesh/schema/index.js';

interface Fixture {
  readonly source: string;
  readonly type: MeshObjectType;
  readonly object: Record<string, unknown>;
}

const dir = fileURLToPath(new URL('../../../fixtures/objects/', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(dir + f, 'utf8')) as Fixture] as const);

describe('fixtures shaped like the reference examples', () => {
  it('cover every object type the brief lists', () => {
    const types = new Set(fixtures.map(([, f]) => f.type));
    for (const t of [
      'KeyData',
      'ProfileDevice',
      'ProfileUser',
      'ConnectionDevice',
      'ConnectionService',
      'ActivationDevice',
      'ActivationAccount',
      'CatalogedDevice',
      'CatalogedPublication',
      'AccountEntry',
      'Permission',
      'DevicePreconfigurationPrivate',
      'MessageComplete',
      'MessagePin',
      'RequestConnection',
      'AcknowledgeConnection',
      'RespondConnection',
      'MessageClaim',
    ]) {
      expect(types, t).toContain(t);
    }
  });

  describe.each(fixtures)('%s', (_file, fixture) => {
    it('names its source', () => {
      expect(fixture.source).toMatch(/mesh-compatibility|seed/);
    });

    it('round-trips parse → toJson → parse', () => {
      const first = decodeTaggedValue(fixture.object, fixture.type);
      expect(first.type).toBe(fixture.type);
      const text = encodeTagged(fixture.type, first.value as never);
      expect(JSON.parse(text)).toEqual(fixture.object);
      const second = decodeTagged(text, fixture.type);
      expect(second.value).toEqual(first.value);
      expect(encodeTagged(fixture.type, second.value as never)).toBe(text);
      expect(first.value[UNKNOWN_FIELDS]).toBeUndefined();
    });

    it('round-trips through the schema directly', () => {
      const schema = MESH_OBJECT_REGISTRY[fixture.type];
      const body = fixture.object[fixture.type];
      const value = schema.parse(body);
      expect(schema.toJson(value as never)).toEqual(body);
    });
  });
});

describe('envelope payloads inside fixtures decode as tagged objects', () => {
  const read = (name: string): Fixture => (fixtures.find(([f]) => f === name) as readonly [string, Fixture])[1];
  const payloadOf = (env: readonly unknown[]): Uint8Array => base64urlDecode(env[1] as string);

  it('RequestConnection.AuthenticatedData carries a ProfileDevice', () => {
    const req = decodeTaggedValue(read('request-connection.json').object, 'RequestConnection').value;
    const inner = decodeTagged(payloadOf(req.AuthenticatedData), 'ProfileDevice');
    expect(inner.value.ProfileSignature.PublicParameters.PublicKeyECDH.crv).toBe('Ed448');
    expect(req.ClientNonce.length).toBe(16);
    expect(req.PinWitness?.length).toBe(64);
  });

  it('AcknowledgeConnection carries the unsigned RequestConnection (no trailer)', () => {
    const ack = decodeTaggedValue(read('acknowledge-connection.json').object, 'AcknowledgeConnection').value;
    expect(ack.EnvelopedRequestConnection.length).toBe(2);
    expect(ack.MessageId).toBe(ack.Witness);
    const req = decodeTagged(payloadOf(ack.EnvelopedRequestConnection), 'RequestConnection');
    expect(req.value.AccountAddress).toBe('alice@example.com');
  });

  it('DevicePreconfigurationPrivate carries a ProfileDevice, a ConnectionDevice, a ConnectionService and a seed', () => {
    const pre = decodeTaggedValue(read('device-preconfiguration.json').object, [
      'DevicePreconfiguration',
      'DevicePreconfigurationPrivate',
    ]);
    expect(pre.type).toBe('DevicePreconfigurationPrivate');
    const p = pre.value;
    expect(decodeTagged(payloadOf(p.EnvelopedProfileDevice), 'ProfileDevice').type).toBe('ProfileDevice');
    expect(decodeTagged(payloadOf(p.EnvelopedConnectionDevice ?? []), 'ConnectionDevice').value.Roles).toBeUndefined();
    expect(
      decodeTagged(payloadOf(p.EnvelopedConnectionService ?? []), 'ConnectionService').value.Authentication.Udf,
    ).toMatch(/^M/);
    if (!('PrivateKeyUDF' in p.PrivateKey)) expect.fail('expected a PrivateKeyUDF');
    expect(p.PrivateKey.PrivateKeyUDF.KeyType).toBe('MeshProfileDevice');
    expect(p.ConnectUri.startsWith('mcu://maker@example.com/')).toBe(true);
  });

  it('RespondConnection → CatalogedDevice → EnvelopedProfileUser carries a ProfileUser', () => {
    const resp = decodeTaggedValue(read('respond-connection.json').object, 'RespondConnection').value;
    expect(resp.Result).toBe('Accept');
    const cd = resp.CatalogedDevice;
    if (cd === undefined) return expect.fail('no CatalogedDevice');
    const user = decodeTagged(payloadOf(cd.EnvelopedProfileUser ?? []), ['ProfileUser', 'ProfileAccount']);
    expect(user.type).toBe('ProfileUser');
    expect(user.value.AccountAddress).toBe('alice@example.com');
  });
});
