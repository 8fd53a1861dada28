/**
 * @module test/unit/mesh/schema/tagged-payload
 * The tagged payload codec over a small registry: encode, decode, wrong/unknown/extra tags, non-JSON, JSON-B.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../../src/crypto/bytes.js';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { binary } from '../../../../src/mesh/schema/binary.js';
import { object, required } from '../../../../src/mesh/schema/object.js';
import { string } from '../../../../src/mesh/schema/scalars.js';
import { createTaggedCodec } from '../../../../src/mesh/schema/tagged-payload.js';

function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  return expect.fail('expected a SchemaError');
}

const Ping = object('Ping', { Id: required(string()) });
const Pong = object('Pong', { Nonce: required(binary({ length: 2 })) });
const codec = createTaggedCodec({ Ping, Pong });

describe('createTaggedCodec', () => {
  it('encodes {"<Type>": {...}} as text and bytes', () => {
    expect(codec.encode('Ping', { Id: 'a' })).toBe('{"Ping":{"Id":"a"}}');
    expect(codec.encodeBytes('Pong', { Nonce: Uint8Array.of(1, 2) })).toEqual(utf8('{"Pong":{"Nonce":"AQI"}}'));
  });
  it('decodes text or bytes, narrowing by type', () => {
    const d = codec.decode(utf8('{"Pong":{"Nonce":"AQI"}}'), ['Ping', 'Pong']);
    expect(d.type).toBe('Pong');
    if (d.type === 'Pong') expect(d.value.Nonce).toEqual(Uint8Array.of(1, 2));
    expect(codec.decode('{"Ping":{"Id":"a"}}', 'Ping').value).toEqual({ Id: 'a' });
  });
  it('roots body errors at the type name', () => {
    expect(schemaError(() => codec.decode('{"Ping":{"Id":5}}', 'Ping')).path).toBe('Ping.Id');
  });
  it('rejects a wrong tag, an unknown tag, two tags and no tag', () => {
    const wrong = schemaError(() => codec.decode('{"Pong":{"Nonce":"AQI"}}', 'Ping'));
    expect(wrong.message).toBe(
      '"payload" expected a tagged Mesh object {"Ping": {...}}, got a "Pong" object (wrong type)',
    );
    expect(schemaError(() => codec.decode('{"Zap":{}}', 'Ping')).actual).toBe('the unknown tag "Zap"');
    expect(schemaError(() => codec.decode('{"Ping":{"Id":"a"},"Pong":{}}', 'Ping')).actual).toBe(
      '2 tags ("Ping", "Pong")',
    );
    expect(schemaError(() => codec.decode('{}', 'Ping')).actual).toBe('an object with no tag');
    expect(schemaError(() => codec.decode('[]', 'Ping')).actual).toBe('an array of 0');
  });
  it('rejects text that is not JSON, bytes that are not UTF-8, and JSON-B', () => {
    expect(schemaError(() => codec.decode('{"Ping":', 'Ping')).path).toBe('payload');
    expect(schemaError(() => codec.decode(Uint8Array.of(0x7b, 0xff, 0xfe), 'Ping')).actual).toBe('JSON-B bytes');
    expect(schemaError(() => codec.decode(Uint8Array.of(0x22, 0xc3, 0x28, 0x22), 'Ping')).actual).toMatch(/not UTF-8/);
    expect(schemaError(() => codec.decode(42 as unknown as string, 'Ping')).actual).toBe('an integer');
  });
  it('refuses to work with types that are not registered', () => {
    expect(() => codec.decode('{"Ping":{"Id":"a"}}', 'Nope' as 'Ping')).toThrow(SchemaError);
    expect(() => codec.encode('Nope' as 'Ping', { Id: 'a' })).toThrow(SchemaError);
  });
});
