/**
 * @module test/unit/mesh/objects/bad-input
 * Bad input for every Mesh object: each missing required field, each wrong-typed field, enums, base64url, dates, envelopes, tags — SchemaError with the full path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import {
  decodeTagged,
  decodeTaggedValue,
  MESH_OBJECT_REGISTRY,
  type MeshObjectType,
} from '../../../../src/mesh/objects/index.js';
import type { ObjectSchema, Shape } from '../../../../src/mesh/schema/index.js';

type Json = Record<string, unknown>;
const dir = fileURLToPath(new URL('../../../fixtures/objects/', import.meta.url));

/** A fresh copy of a fixture's body, so each case mutates its own. */
function body(file: string): { type: MeshObjectType; body: Json } {
  const f = JSON.parse(readFileSync(dir + file, 'utf8')) as { type: MeshObjectType; object: Json };
  return { type: f.type, body: f.object[f.type] as Json };
}

/** Walks `path` (keys and indices) and sets or deletes the last step. */
function mutate(root: Json, path: readonly (string | number)[], value: unknown): Json {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return root;
}
const DELETE = Symbol('delete');

function expectSchemaError(fn: () => unknown, path: string, expected?: RegExp): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    const err = e as SchemaError;
    expect(err.path).toBe(path);
    expect(err.message.startsWith(`"${path}" expected `)).toBe(true);
    if (expected !== undefined) expect(err.message).toMatch(expected);
    return err;
  }
  return expect.fail(`accepted; expected a SchemaError at ${path}`);
}

const FILES: Record<string, string> = {
  KeyData: 'key-data-private.json',
  ProfileDevice: 'profile-device.json',
  ProfileUser: 'profile-user.json',
  ConnectionDevice: 'connection-device.json',
  ConnectionService: 'connection-service.json',
  ActivationDevice: 'activation-device.json',
  ActivationAccount: 'activation-account.json',
  CatalogedDevice: 'cataloged-device.json',
  CatalogedPublication: 'cataloged-publication.json',
  AccountEntry: 'account-entry.json',
  Permission: 'permission.json',
  DevicePreconfigurationPrivate: 'device-preconfiguration.json',
  MessagePin: 'message-pin.json',
  RequestConnection: 'request-connection.json',
  AcknowledgeConnection: 'acknowledge-connection.json',
  RespondConnection: 'respond-connection.json',
  MessageComplete: 'message-complete.json',
  MessageClaim: 'message-claim.json',
};

describe.each(Object.entries(FILES))('%s: generic bad input', (type, file) => {
  const schema = MESH_OBJECT_REGISTRY[type as MeshObjectType] as unknown as ObjectSchema<Shape>;
  const fields = Object.entries(schema.shape);

  it.each(fields.filter(([, f]) => !f.optional).map(([k]) => k))('missing required field %s', (field) => {
    const { body: b } = body(file);
    delete b[field];
    expectSchemaError(
      () => decodeTaggedValue({ [type]: b }, type as MeshObjectType),
      `${type}.${field}`,
      /got absent$/,
    );
  });

  it.each(fields.map(([k]) => k))('wrong type for field %s', (field) => {
    const { body: b } = body(file);
    b[field] = 12345;
    expectSchemaError(
      () => decodeTaggedValue({ [type]: b }, type as MeshObjectType),
      `${type}.${field}`,
      /got an integer$/,
    );
  });

  it('a body that is not an object', () => {
    expectSchemaError(() => decodeTaggedValue({ [type]: ['x'] }, type as MeshObjectType), type, /got an array of 1$/);
  });

  it('an extra tag beside the object', () => {
    const { body: b } = body(file);
    expectSchemaError(
      () => decodeTaggedValue({ [type]: b, Extra: {} }, type as MeshObjectType),
      'payload',
      /got 2 tags/,
    );
  });

  it('the right body under another type’s tag', () => {
    const { body: b } = body(file);
    const other: MeshObjectType = type === 'Message' ? 'MessagePin' : 'Message';
    expectSchemaError(() => decodeTagged(JSON.stringify({ [type]: b }), other), 'payload', /wrong type/);
  });
});

type Case = readonly [
  description: string,
  file: string,
  path: readonly (string | number)[],
  value: unknown,
  errorPath: string,
  expected?: RegExp,
];
const P = (...steps: (string | number)[]) => steps;

const CASES: readonly Case[] = [
  // KeyData (docs/mesh-compatibility.md §2.3)
  [
    'crv outside Ed448|X448|Ed25519|X25519',
    'key-data-private.json',
    P('PublicParameters', 'PublicKeyECDH', 'crv'),
    'P256',
    'KeyData.PublicParameters.PublicKeyECDH.crv',
    /one of Ed448\|X448\|Ed25519\|X25519, got "P256"/,
  ],
  [
    'bad base64url public key',
    'key-data-private.json',
    P('PublicParameters', 'PublicKeyECDH', 'Public'),
    'AA$A',
    'KeyData.PublicParameters.PublicKeyECDH.Public',
    /position 2/,
  ],
  [
    'bad base64url private key, not echoed',
    'key-data-private.json',
    P('PrivateParameters', 'PrivateKeyECDH', 'Private'),
    'SECRET*KEY',
    'KeyData.PrivateParameters.PrivateKeyECDH.Private',
  ],
  [
    'unsupported PublicParameters tag',
    'key-data-private.json',
    P('PublicParameters'),
    { PublicKeyRSA: { n: 'AQAB', e: 'AQAB' } },
    'KeyData.PublicParameters',
    /got the tag "PublicKeyRSA"/,
  ],
  [
    'two PublicParameters tags',
    'key-data-private.json',
    P('PublicParameters', 'PublicKeyRSA'),
    {},
    'KeyData.PublicParameters',
    /got 2 tags/,
  ],
  [
    'bad NotBefore date',
    'key-data-private.json',
    P('NotBefore'),
    '2021-02-30T00:00:00Z',
    'KeyData.NotBefore',
    /RFC 3339/,
  ],
  ['X509Chain element not binary', 'key-data-private.json', P('X509Chain'), ['AQAB', 7], 'KeyData.X509Chain[1]'],
  // ProfileDevice (the brief's example path)
  [
    'Encryption crv wrong',
    'profile-device.json',
    P('Encryption', 'PublicParameters', 'PublicKeyECDH', 'crv'),
    'x448',
    'ProfileDevice.Encryption.PublicParameters.PublicKeyECDH.crv',
  ],
  ['Signature missing Udf', 'profile-device.json', P('Signature', 'Udf'), DELETE, 'ProfileDevice.Signature.Udf'],
  [
    'Authentication missing PublicParameters',
    'profile-device.json',
    P('Authentication', 'PublicParameters'),
    DELETE,
    'ProfileDevice.Authentication.PublicParameters',
  ],
  ['Names not an array', 'profile-device.json', P('Names'), 'name', 'ProfileDevice.Names'],
  ['Updated bad date', 'profile-device.json', P('Updated'), '2021-08-06T25:00:00Z', 'ProfileDevice.Updated'],
  // ProfileUser
  [
    'EscrowEncryption bad key bytes',
    'profile-user.json',
    P('EscrowEncryption', 'PublicParameters', 'PublicKeyECDH', 'Public'),
    'A',
    'ProfileUser.EscrowEncryption.PublicParameters.PublicKeyECDH.Public',
    /truncated/,
  ],
  ['empty AccountAddress', 'profile-user.json', P('AccountAddress'), '', 'ProfileUser.AccountAddress'],
  // ConnectionDevice / ConnectionService
  ['Roles element not a string', 'connection-device.json', P('Roles', 1), 3, 'ConnectionDevice.Roles[1]'],
  [
    'Authentication crv wrong',
    'connection-service.json',
    P('Authentication', 'PublicParameters', 'PublicKeyECDH', 'crv'),
    'Ed449',
    'ConnectionService.Authentication.PublicParameters.PublicKeyECDH.crv',
  ],
  // Activations
  ['Entries not an array', 'activation-device.json', P('Entries'), {}, 'ActivationDevice.Entries'],
  [
    'Entry private key bad base64url',
    'activation-account.json',
    P('Entries', 1, 'Key', 'PrivateParameters', 'PrivateKeyECDH', 'Private'),
    '!!',
    'ActivationAccount.Entries[1].Key.PrivateParameters.PrivateKeyECDH.Private',
  ],
  [
    'Entry without Resource',
    'activation-account.json',
    P('Entries', 0, 'Resource'),
    DELETE,
    'ActivationAccount.Entries[0].Resource',
  ],
  [
    'PrivateParameters with two tags',
    'activation-account.json',
    P('AccountSignature', 'PrivateParameters', 'PrivateKeyUDF'),
    { PrivateValue: 'Z', KeyType: 'Ed448' },
    'ActivationAccount.AccountSignature.PrivateParameters',
    /2 tags/,
  ],
  // CatalogedDevice
  [
    'EnvelopedProfileDevice not an array',
    'cataloged-device.json',
    P('EnvelopedProfileDevice'),
    'eyJ9',
    'CatalogedDevice.EnvelopedProfileDevice',
    /DARE envelope/,
  ],
  [
    'EnvelopedConnectionDevice payload not a string',
    'cataloged-device.json',
    P('EnvelopedConnectionDevice', 1),
    5,
    'CatalogedDevice.EnvelopedConnectionDevice[1]',
    /payload string/,
  ],
  [
    'EnvelopedActivationDevice header not an object',
    'cataloged-device.json',
    P('EnvelopedActivationDevice', 0),
    [],
    'CatalogedDevice.EnvelopedActivationDevice[0]',
    /header object/,
  ],
  [
    'EnvelopedActivationAccount trailer not an object',
    'cataloged-device.json',
    P('EnvelopedActivationAccount', 2),
    'x',
    'CatalogedDevice.EnvelopedActivationAccount[2]',
    /trailer object/,
  ],
  [
    'EnvelopedActivationApplication element not an envelope',
    'cataloged-device.json',
    P('EnvelopedActivationApplication'),
    [[{}, 'e30'], 'x'],
    'CatalogedDevice.EnvelopedActivationApplication[1]',
    /expected a DARE envelope .*, got a string of length 1$/,
  ],
  ['Updated bad date', 'cataloged-device.json', P('Updated'), 'Tue, 03 May 2022', 'CatalogedDevice.Updated'],
  // CatalogedPublication
  [
    'EnvelopedData not an array',
    'cataloged-publication.json',
    P('EnvelopedData'),
    {},
    'CatalogedPublication.EnvelopedData',
  ],
  [
    'NotOnOrAfter bad date',
    'cataloged-publication.json',
    P('NotOnOrAfter'),
    '2021-02-29T00:00:00Z',
    'CatalogedPublication.NotOnOrAfter',
  ],
  // DevicePreconfiguration (HEAD tag)
  [
    'KeyType outside UdfAlgorithmIdentifier',
    'device-preconfiguration.json',
    P('PrivateKey', 'PrivateKeyUDF', 'KeyType'),
    'MeshProfileToaster',
    'DevicePreconfigurationPrivate.PrivateKey.PrivateKeyUDF.KeyType',
  ],
  [
    'PrivateKey with an extra tag',
    'device-preconfiguration.json',
    P('PrivateKey', 'PrivateKeyECDH'),
    { crv: 'X448', Private: 'AAAA' },
    'DevicePreconfigurationPrivate.PrivateKey',
    /2 tags/,
  ],
  [
    'PrivateValue missing',
    'device-preconfiguration.json',
    P('PrivateKey', 'PrivateKeyUDF', 'PrivateValue'),
    DELETE,
    'DevicePreconfigurationPrivate.PrivateKey.PrivateKeyUDF.PrivateValue',
  ],
  [
    'EnvelopedConnectionService of one element',
    'device-preconfiguration.json',
    P('EnvelopedConnectionService'),
    [{}],
    'DevicePreconfigurationPrivate.EnvelopedConnectionService',
    /an array of 1/,
  ],
  // MessagePin
  [
    'Action outside Device|Contact',
    'message-pin.json',
    P('Action'),
    'device',
    'MessagePin.Action',
    /one of Device\|Contact, got "device"/,
  ],
  ['Expires bad date', 'message-pin.json', P('Expires'), '2021-08-06T16:37:40', 'MessagePin.Expires'],
  ['Automatic not a boolean', 'message-pin.json', P('Automatic'), 'true', 'MessagePin.Automatic'],
  ['Roles element not a string', 'message-pin.json', P('Roles', 0), null, 'MessagePin.Roles[0]', /got null/],
  // RequestConnection (the brief's example path)
  [
    'AuthenticatedData payload not a string',
    'request-connection.json',
    P('AuthenticatedData', 1),
    { x: 1 },
    'RequestConnection.AuthenticatedData[1]',
  ],
  [
    'AuthenticatedData not an array',
    'request-connection.json',
    P('AuthenticatedData'),
    'eyJ9',
    'RequestConnection.AuthenticatedData',
  ],
  [
    'ClientNonce bad base64url',
    'request-connection.json',
    P('ClientNonce'),
    'VGxxL-LKUQyqn_Rpdj86Z#',
    'RequestConnection.ClientNonce',
  ],
  [
    'ClientNonce of 8 bytes',
    'request-connection.json',
    P('ClientNonce'),
    'AAAAAAAAAAA',
    'RequestConnection.ClientNonce',
    /16 bytes, got 8 bytes/,
  ],
  [
    'PinWitness of 32 bytes',
    'request-connection.json',
    P('PinWitness'),
    'A'.repeat(43),
    'RequestConnection.PinWitness',
    /64 bytes, got 32 bytes/,
  ],
  [
    'PinId without PinWitness',
    'request-connection.json',
    P('PinWitness'),
    DELETE,
    'RequestConnection.PinWitness',
    /alongside PinId/,
  ],
  [
    'PinWitness without PinId',
    'request-connection.json',
    P('PinId'),
    DELETE,
    'RequestConnection.PinId',
    /alongside PinWitness/,
  ],
  // AcknowledgeConnection
  [
    'ServerNonce of 17 bytes',
    'acknowledge-connection.json',
    P('ServerNonce'),
    'A'.repeat(23),
    'AcknowledgeConnection.ServerNonce',
    /16 bytes/,
  ],
  [
    'EnvelopedRequestConnection not an array',
    'acknowledge-connection.json',
    P('EnvelopedRequestConnection'),
    null,
    'AcknowledgeConnection.EnvelopedRequestConnection',
    /got null/,
  ],
  // RespondConnection
  [
    'Result outside Accept|Reject|Pending|Expired',
    'respond-connection.json',
    P('Result'),
    'Accepted',
    'RespondConnection.Result',
    /got "Accepted"/,
  ],
  [
    'Accept without CatalogedDevice',
    'respond-connection.json',
    P('CatalogedDevice'),
    DELETE,
    'RespondConnection.CatalogedDevice',
    /when Result is "Accept", got absent/,
  ],
  [
    'Reject with CatalogedDevice',
    'respond-connection.json',
    P('Result'),
    'Reject',
    'RespondConnection.CatalogedDevice',
    /no CatalogedDevice when Result is "Reject", got an object/,
  ],
  [
    'CatalogedDevice missing its ProfileDevice',
    'respond-connection.json',
    P('CatalogedDevice', 'EnvelopedProfileDevice'),
    DELETE,
    'RespondConnection.CatalogedDevice.EnvelopedProfileDevice',
  ],
  // MessageComplete
  ['References empty', 'message-complete.json', P('References'), [], 'MessageComplete.References', /at least 1/],
  [
    'Reference without MessageId',
    'message-complete.json',
    P('References', 0, 'MessageId'),
    DELETE,
    'MessageComplete.References[0].MessageId',
  ],
  [
    'Reference ResponseId not a string',
    'message-complete.json',
    P('References', 0, 'ResponseId'),
    false,
    'MessageComplete.References[0].ResponseId',
  ],
  // MessageClaim
  ['Expires bad date', 'message-claim.json', P('Expires'), '2021-13-01T00:00:00Z', 'MessageClaim.Expires'],
  ['empty PublicationId', 'message-claim.json', P('PublicationId'), '', 'MessageClaim.PublicationId'],
  // Seed-era records
  [
    'AccountEntry envelope not an array',
    'account-entry.json',
    P('EnvelopedProfileAccount'),
    'x',
    'AccountEntry.EnvelopedProfileAccount',
  ],
  ['Permission Capabilities not an array', 'permission.json', P('Capabilities'), {}, 'Permission.Capabilities'],
];

describe('specific bad input, each naming the full path', () => {
  for (const [description, file, path, value, errorPath, expected] of CASES) {
    it(`${file}: ${description}`, () => {
      const { type, body: b } = body(file);
      mutate(b, path, value);
      expectSchemaError(() => decodeTaggedValue({ [type]: b }, type), errorPath, expected);
    });
  }

  it('envelope headers and trailers are opaque here (DARE validates them)', () => {
    const { type, body: b } = body('respond-connection.json');
    mutate(b, P('CatalogedDevice', 'EnvelopedProfileUser', 2, 'signatures'), 'not checked here');
    expect(() => decodeTaggedValue({ [type]: b }, type)).not.toThrow();
  });

  it('errors never carry the secret values they reject', () => {
    const { type, body: b } = body('device-preconfiguration.json');
    const seed = (b['PrivateKey'] as Json)['PrivateKeyUDF'] as Json;
    const secret = seed['PrivateValue'] as string;
    seed['KeyType'] = 'Nope';
    try {
      decodeTaggedValue({ [type]: b }, type);
      expect.fail('accepted');
    } catch (e) {
      expect(JSON.stringify((e as SchemaError).context)).not.toContain(secret);
      expect((e as Error).message).not.toContain(secret);
    }
  });
});
