/**
 * @module mesh/schema/tagged-union
 * `TStruct` fields: a JSON object with exactly one key naming the concrete type, e.g.
 * `"PublicParameters": {"PublicKeyECDH": {...}}` (docs/mesh-compatibility.md §2.3). The TypeScript
 * value keeps that shape (`key.PublicParameters.PublicKeyECDH.crv`), so narrowing is
 * `'PrivateKeyUDF' in value`. A tag this implementation does not know is an error: the
 * caller could not use the key anyway, and guessing would be worse.
 */
import type { UncheckedObject } from '../encoding/json-value.js';
import { defineField, fail, fieldPath, isPlainObject, kindOf, preview, type Infer, type Schema } from './schema.js';

export type Members = { readonly [tag: string]: Schema<unknown> };

export type TaggedUnionValue<M extends Members> = {
  [K in keyof M & string]: { [P in K]: Infer<M[K]> };
}[keyof M & string];

export interface TaggedUnionSchema<M extends Members> extends Schema<TaggedUnionValue<M>> {
  readonly tags: readonly (keyof M & string)[];
}

/** Describes the tags found without echoing more than a few short names. */
export function describeTags(keys: readonly string[]): string {
  if (keys.length === 0) return 'an object with no tag';
  const shown = keys
    .slice(0, 4)
    .map((k) => preview(k, 32))
    .join(', ');
  const more = keys.length > 4 ? `, … (${keys.length} in all)` : '';
  return keys.length === 1 ? `the tag ${shown}` : `${keys.length} tags (${shown}${more})`;
}

export function taggedUnion<M extends Members>(name: string, members: M): TaggedUnionSchema<M> {
  const tags = Object.keys(members) as (keyof M & string)[];
  const expected = `a ${name} with exactly one tag of ${tags.join('|')}`;
  const known = new Set<string>(tags);

  const pick = (value: unknown, path: string): [string, unknown] => {
    if (!isPlainObject(value)) fail(path, expected, kindOf(value));
    const keys = Object.keys(value);
    const tag = keys[0];
    if (keys.length !== 1 || tag === undefined || !known.has(tag)) fail(path, expected, describeTags(keys));
    return [tag, value[tag]];
  };

  return {
    tags,
    expected,
    parse(json, path = name) {
      const [tag, inner] = pick(json, path);
      const out: UncheckedObject = {};
      defineField(out, tag, (members[tag] as Schema<unknown>).parse(inner, fieldPath(path, tag)));
      return out as TaggedUnionValue<M>;
    },
    toJson(value, path = name) {
      const [tag, inner] = pick(value, path);
      const out: UncheckedObject = {};
      defineField(out, tag, (members[tag] as Schema<unknown>).toJson(inner, fieldPath(path, tag)));
      return out;
    },
  };
}
