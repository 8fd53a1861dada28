/**
 * @module test/unit/mesh/schema/object
 * Structures: required/optional inference, inheritance with overrides, unknown-field preservation, refinements, prototype safety.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { array } from '../../../../src/mesh/schema/array.js';
import { binary } from '../../../../src/mesh/schema/binary.js';
import { object, optional, required, UNKNOWN_FIELDS } from '../../../../src/mesh/schema/object.js';
import { string } from '../../../../src/mesh/schema/scalars.js';
import { fail, type Infer } from '../../../../src/mesh/schema/schema.js';

function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  return expect.fail('expected a SchemaError');
}

const Base = object('Base', { Id: required(string()), Note: optional(string()) });
const Middle = Base.extend('Middle', { Nonce: required(binary({ length: 2 })) });
const Leaf = Middle.extend('Leaf', { Note: required(string()), Tags: optional(array(string())) });

describe('object', () => {
  it('infers required and optional fields', () => {
    type B = Infer<typeof Base>;
    expectTypeOf<B['Id']>().toEqualTypeOf<string>();
    expectTypeOf<B>().toHaveProperty('Note');
    type L = Infer<typeof Leaf>;
    expectTypeOf<L['Note']>().toEqualTypeOf<string>();
    expectTypeOf<L['Nonce']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<L['Tags']>().toEqualTypeOf<string[] | undefined>();
  });

  it('parses, omits absent optional fields, and writes known fields in declaration order', () => {
    const v = Base.parse({ Id: 'x' });
    expect(v).toEqual({ Id: 'x' });
    expect('Note' in v).toBe(false);
    expect(
      Object.keys(Leaf.toJson(Leaf.parse({ Tags: [], Note: 'n', Nonce: 'AAA', Id: 'i' }) as never) as object),
    ).toEqual(['Id', 'Nonce', 'Note', 'Tags']);
  });

  it('treats null as absent for optional fields and as missing for required ones', () => {
    expect(Base.parse({ Id: 'x', Note: null })).toEqual({ Id: 'x' });
    const e = schemaError(() => Base.parse({ Id: null }));
    expect(e.message).toBe('"Base.Id" expected a string, got null');
  });

  it('names the missing required field with its full path', () => {
    const e = schemaError(() => Leaf.parse({ Id: 'i', Nonce: 'AAA' }));
    expect(e.path).toBe('Leaf.Note');
    expect(e.actual).toBe('absent');
  });

  it('inheritance: inherited fields are checked, and a subclass can make an optional field required', () => {
    expect(schemaError(() => Leaf.parse({ Note: 'n', Nonce: 'AAA' })).path).toBe('Leaf.Id');
    expect(schemaError(() => Leaf.parse({ Id: 'i', Note: 'n', Nonce: 'AAAA' })).path).toBe('Leaf.Nonce');
    expect(Base.parse({ Id: 'i' })).toEqual({ Id: 'i' });
  });

  it('rejects non-objects by kind', () => {
    expect(schemaError(() => Base.parse([], 'Outer.Inner')).message).toBe(
      '"Outer.Inner" expected a Base object, got an array of 0',
    );
    expect(schemaError(() => Base.parse('x')).path).toBe('Base');
  });

  it('keeps unknown fields and writes them back after the known ones (forward compatibility)', () => {
    const json = { Id: 'x', Future: { Deep: [1, 2] }, Other: 'y' };
    const v = Base.parse(json);
    expect(v[UNKNOWN_FIELDS]).toEqual({ Future: { Deep: [1, 2] }, Other: 'y' });
    expect(Base.toJson(v)).toEqual(json);
    // A spread copy carries them too, so "modify and re-send" keeps a newer peer's fields.
    expect(Base.toJson({ ...v, Note: 'n' })).toEqual({ Id: 'x', Note: 'n', Future: { Deep: [1, 2] }, Other: 'y' });
  });

  it('never lets an unknown known-field overwrite a known one on write', () => {
    const v = Base.parse({ Id: 'x' });
    const forged = { ...v, [UNKNOWN_FIELDS]: { Id: 'evil' } };
    expect(Base.toJson(forged)).toEqual({ Id: 'x' });
  });

  it('is safe against __proto__ and prototype-named keys', () => {
    const json = JSON.parse('{"Id":"x","__proto__":{"polluted":true},"constructor":1}') as unknown;
    const v = Base.parse(json);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    const out = Base.toJson(v) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"Id":"x","__proto__":{"polluted":true},"constructor":1}');
    // A JSON key named like a prototype member is not mistaken for a present field.
    expect(schemaError(() => object('T', { toString: required(string()) }).parse({})).path).toBe('T.toString');
  });

  it('runs refinements on parse and on write, parent first', () => {
    const calls: string[] = [];
    const P = object('P', { A: optional(string()) }, { refine: () => void calls.push('P') });
    const C = P.extend(
      'C',
      { B: optional(string()) },
      {
        refine(value, path) {
          calls.push('C');
          if (value.A !== undefined && value.B === undefined) fail(`${path}.B`, 'B alongside A', 'absent');
        },
      },
    );
    expect(C.parse({})).toEqual({});
    expect(calls).toEqual(['P', 'C']);
    expect(schemaError(() => C.parse({ A: 'a' })).path).toBe('C.B');
    expect(schemaError(() => C.toJson({ A: 'a' })).path).toBe('C.B');
  });

  it('toJson checks required fields and field types of hand-built values', () => {
    expect(schemaError(() => Base.toJson({} as never)).path).toBe('Base.Id');
    expect(schemaError(() => Middle.toJson({ Id: 'i', Nonce: 'AAA' } as never)).path).toBe('Middle.Nonce');
    expect(schemaError(() => Base.toJson(null as never)).path).toBe('Base');
  });
});
