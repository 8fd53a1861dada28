/**
 * @module test/unit/mesh/objects/variants
 * Inheritance (Message → MessagePinValidated → RequestConnection), C-2021 vs HEAD shapes, and object-specific rules.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { utf8 } from '../../../../src/crypto/bytes.js';
import { SchemaError } from '../../../../src/mesh/errors.js';
import {
  ActivationAccountSchema,
  ConnectionDeviceSchema,
  decodeTagged,
  decodeTaggedValue,
  encodeTagged,
  encodeTaggedBytes,
  MessageClaimSchema,
  MessagePinSchema,
  MessageSchema,
  MESH_OBJECT_TYPES,
  RequestConnectionSchema,
  RespondConnectionSchema,
  type RequestConnection,
} from '../../../../src/mesh/objects/index.js';
import { UNKNOWN_FIELDS, type EnvelopeJson } from '../../../../src/mesh/schema/index.js';

const key = (crv: string) => ({ Udf: 'MAAA-AAAA', PublicParameters: { PublicKeyECDH: { crv, Public: 'AQID' } } });
const env = [{ dig: 'S512' }, 'e30'];

describe('inheritance Message → MessagePinValidated → RequestConnection', () => {
  it('gives RequestConnection the fields of all three levels, typed', () => {
    expectTypeOf<RequestConnection['MessageId']>().toEqualTypeOf<string>();
    expectTypeOf<RequestConnection['Sender']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RequestConnection['AuthenticatedData']>().toEqualTypeOf<EnvelopeJson>();
    expectTypeOf<RequestConnection['ClientNonce']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<RequestConnection['PinWitness']>().toEqualTypeOf<Uint8Array | undefined>();
    expectTypeOf<RequestConnection['AccountAddress']>().toEqualTypeOf<string>();
    expect(Object.keys(RequestConnectionSchema.shape)).toEqual([
      'MessageId',
      'Sender',
      'Recipient',
      'AuthenticatedData',
      'ClientNonce',
      'PinId',
      'PinWitness',
      'AccountAddress',
    ]);
  });

  it('accepts a request without a PIN (witness-only connection, docs/mesh-compatibility.md §6.2 (a))', () => {
    const r = RequestConnectionSchema.parse({
      MessageId: 'NBF4-4PTH',
      AuthenticatedData: env,
      ClientNonce: 'VGxxL-LKUQyqn_Rpdj86Zg',
      AccountAddress: 'alice@example.com',
    });
    expect(r.PinId).toBeUndefined();
  });

  it('builds and writes a request from TypeScript values', () => {
    const request: RequestConnection = {
      MessageId: 'NBF4-4PTH',
      AuthenticatedData: [{ EnvelopeId: 'MAOK' }, 'e30'],
      ClientNonce: new Uint8Array(16),
      PinId: 'ACCL-WJJ6',
      PinWitness: new Uint8Array(64).fill(1),
      AccountAddress: 'alice@example.com',
    };
    const text = encodeTagged('RequestConnection', request);
    expect(JSON.parse(text).RequestConnection.ClientNonce).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(decodeTagged(text, 'RequestConnection').value).toEqual(request);
  });

  it('refuses to write a request that breaks the PIN pairing rule', () => {
    expect(() =>
      RequestConnectionSchema.toJson({
        MessageId: 'N',
        AuthenticatedData: [{}, 'e30'],
        ClientNonce: new Uint8Array(16),
        PinId: 'A',
        AccountAddress: 'a@b',
      }),
    ).toThrow(/"RequestConnection.PinWitness" expected a PinWitness alongside PinId/);
  });
});

describe('reference generations', () => {
  it('ConnectionDevice parses both C-2021 (Account) and HEAD (ProfileUdf, Roles) shapes', () => {
    const c2021 = ConnectionDeviceSchema.parse({
      Authentication: key('X448'),
      Account: 'alice@example.com',
      Signature: key('Ed448'),
      Encryption: key('X448'),
    });
    expect(c2021.Account).toBe('alice@example.com');
    const head = ConnectionDeviceSchema.parse({
      Authentication: key('X448'),
      ProfileUdf: 'MARP',
      Roles: ['message', 'web'],
      Signature: key('Ed448'),
      Encryption: key('X448'),
    });
    expect(head.Roles).toEqual(['message', 'web']);
  });

  it('ActivationAccount also parses HEAD’s payload of that name ({ActivationKey, AccountUdf})', () => {
    const v = ActivationAccountSchema.parse({ ActivationKey: 'ZAAQ-H7CI', AccountUdf: 'MCI6-2IJ3' });
    expect(v.AccountUdf).toBe('MCI6-2IJ3');
    expect(v.AccountEncryption).toBeUndefined();
  });

  it('keeps HEAD-only fields it does not model (CatalogedDevice.ApplicationEntries) on re-write', () => {
    const json = {
      DeviceUdf: 'MAWL',
      EnvelopedProfileDevice: env,
      ApplicationEntries: [{ ApplicationEntrySsh: { Identifier: 'MDV7', EnvelopedActivation: env } }],
    };
    const v = decodeTaggedValue({ CatalogedDevice: json }, 'CatalogedDevice').value;
    expect(v[UNKNOWN_FIELDS]).toEqual({ ApplicationEntries: json.ApplicationEntries });
    expect(JSON.parse(encodeTagged('CatalogedDevice', v))).toEqual({ CatalogedDevice: json });
  });

  it('DevicePreconfiguration and DevicePreconfigurationPrivate are both registered', () => {
    expect(MESH_OBJECT_TYPES).toContain('DevicePreconfiguration');
    expect(MESH_OBJECT_TYPES).toContain('DevicePreconfigurationPrivate');
  });
});

describe('object-specific rules', () => {
  it('MessageClaim makes Message’s optional Sender and Recipient required', () => {
    const claim = {
      MessageId: 'N',
      Sender: 'alice@example.com',
      Recipient: 'maker@example.com',
      PublicationId: 'EBQB',
      ServiceAuthenticate: 'AAX2',
      DeviceAuthenticate: 'ADZR',
    };
    expect(MessageClaimSchema.parse(claim).Sender).toBe('alice@example.com');
    expect(() => MessageClaimSchema.parse({ ...claim, Recipient: undefined })).toThrow(
      /"MessageClaim.Recipient" expected a non-empty string, got absent/,
    );
    expect(MessageSchema.parse({ MessageId: 'N' })).toEqual({ MessageId: 'N' });
  });

  it('MessagePin: Automatic may be absent; Expires may not', () => {
    const pin = {
      MessageId: 'ACCL',
      Account: 'alice@example.com',
      Expires: '2021-08-06T16:37:40Z',
      SaltedPin: 'ADBB',
      Action: 'Device',
    };
    const v = MessagePinSchema.parse(pin);
    expect(v.Automatic).toBeUndefined();
    expect(v.Expires.toISOString()).toBe('2021-08-06T16:37:40.000Z');
    expect(() => MessagePinSchema.parse({ ...pin, Expires: undefined })).toThrow(SchemaError);
  });

  it('RespondConnection: non-Accept results carry no device, null counts as absent', () => {
    for (const Result of ['Reject', 'Pending', 'Expired']) {
      expect(RespondConnectionSchema.parse({ MessageId: 'M', Result, CatalogedDevice: null }).Result).toBe(Result);
    }
  });

  it('encodeTaggedBytes is the UTF-8 of encodeTagged', () => {
    const v = MessageSchema.parse({ MessageId: 'N', Sender: 'a' });
    expect(encodeTaggedBytes('Message', v)).toEqual(utf8(encodeTagged('Message', v)));
  });

  it('decodeTagged accepts the line-wrapped payload text of the reference examples', () => {
    const wrapped =
      '{\n  "MessageClaim":{\n    "MessageId":"NDZ4-LGXM-W7JI-6NRH-I2AS-UP\n  UB-QUBL",\n    "Sender":"alice@example.com",\n    "Recipient":"maker@example.com",\n    "PublicationId":"EBQB",\n    "ServiceAuthenticate":"AAX2",\n    "DeviceAuthenticate":"ADZR"}}';
    expect(decodeTagged(utf8(wrapped), 'MessageClaim').value.MessageId).toBe('NDZ4-LGXM-W7JI-6NRH-I2AS-UPUB-QUBL');
  });
});
