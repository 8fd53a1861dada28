/**
 * @module test/unit/mesh/schema/tagged-union
 * TStruct fields ({"PublicKeyECDH": {...}}): exactly one known tag, path through the tag.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import { object, required } from '../../../../src/mesh/schema/object.js';
import { string } from '../../../../src/mesh/schema/scalars.js';
import { taggedUnion } from '../../../../src/mesh/schema/tagged-union.js';

function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  return expect.fail('expected a SchemaError');
}

const A = object('A', { x: required(string()) });
const B = object('B', { y: required(string()) });
const U = taggedUnion('Key', { A, B });

describe('taggedUnion', () => {
  it('parses the single tag into the same shape and writes it back', () => {
    const v = U.parse({ B: { y: '1' } });
    expect(v).toEqual({ B: { y: '1' } });
    if ('B' in v) expect(v.B.y).toBe('1');
    expect(U.toJson(v)).toEqual({ B: { y: '1' } });
  });
  it('names the path through the tag', () => {
    expect(schemaError(() => U.parse({ A: { x: 1 } }, 'KeyData.PublicParameters')).path).toBe(
      'KeyData.PublicParameters.A.x',
    );
  });
  it('rejects no tag, two tags, an unknown tag and a non-object', () => {
    expect(schemaError(() => U.parse({}, 'p')).actual).toBe('an object with no tag');
    const two = schemaError(() => U.parse({ A: { x: '' }, B: { y: '' } }, 'p'));
    expect(two.actual).toBe('2 tags ("A", "B")');
    expect(two.message).toBe('"p" expected a Key with exactly one tag of A|B, got 2 tags ("A", "B")');
    expect(schemaError(() => U.parse({ PublicKeyRSA: {} }, 'p')).actual).toBe('the tag "PublicKeyRSA"');
    expect(schemaError(() => U.parse(['A'], 'p')).actual).toBe('an array of 1');
  });
  it('lists at most a few tags', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`T${i}`, 1]));
    expect(schemaError(() => U.parse(many, 'p')).actual).toMatch(/50 in all/);
  });
});
