/**
 * @module mesh/schema/array
 * `Multiple` fields (seed §2: `String [0..Many]`): JSON arrays whose elements all match one
 * schema. Element errors carry the index (`MessageComplete.References[2].MessageId`).
 */
import { fail, indexPath, kindOf, type Schema } from './schema.js';

export interface ArrayOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
}

export function array<T>(element: Schema<T>, options: ArrayOptions = {}): Schema<T[]> {
  const { minLength, maxLength } = options;
  let expected = `an array (each ${element.expected})`;
  if (minLength !== undefined) expected += ` (at least ${minLength})`;
  if (maxLength !== undefined) expected += ` (at most ${maxLength})`;
  const checkLength = (n: number, path: string): void => {
    if ((minLength !== undefined && n < minLength) || (maxLength !== undefined && n > maxLength)) {
      fail(path, expected, `an array of ${n}`);
    }
  };
  return {
    expected,
    parse(json, path = 'value') {
      if (!Array.isArray(json)) fail(path, expected, kindOf(json));
      checkLength(json.length, path);
      return json.map((item: unknown, i) => element.parse(item, indexPath(path, i)));
    },
    toJson(value, path = 'value') {
      if (!Array.isArray(value)) fail(path, expected, kindOf(value));
      checkLength(value.length, path);
      return value.map((item, i) => element.toJson(item, indexPath(path, i)));
    },
  };
}
