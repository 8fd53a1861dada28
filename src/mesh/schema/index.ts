/**
 * @module mesh/schema
 * The dependency-free schema library for Mesh objects: one import for object files.
 */
export { type Schema, type Infer, isPlainObject, kindOf, fail, fieldPath } from './schema.js';
export { string, integer, boolean, enumeration, type StringOptions, type IntegerOptions } from './scalars.js';
export { binary, type BinaryOptions } from './binary.js';
export { dateTime, parseRfc3339, formatRfc3339 } from './date-time.js';
export { envelope, type EnvelopeJson } from './envelope.js';
export { array, type ArrayOptions } from './array.js';
export {
  object,
  required,
  optional,
  UNKNOWN_FIELDS,
  type UnknownFields,
  type Field,
  type Shape,
  type ShapeValue,
  type Merge,
  type ObjectSchema,
  type ObjectOptions,
  type Refinement,
} from './object.js';
export { taggedUnion, type TaggedUnionSchema, type TaggedUnionValue } from './tagged-union.js';
export { createTaggedCodec, type TaggedCodec, type Decoded, type Registry, type TypeName } from './tagged-payload.js';
export { parseJsonText } from './json-text.js';
