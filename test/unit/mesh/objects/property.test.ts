/**
 * @module test/unit/mesh/objects/property
 * fast-check: random JSON, JS values, mutated fixtures and random payload bytes only ever raise SchemaError.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import {
  decodeTagged,
  decodeTaggedValue,
  encodeTagged,
  MESH_OBJECT_REGISTRY,
  MESH_OBJECT_TYPES,
  type MeshObjectType,
} from '../../../../src/mesh/objects/index.js';

/** Runs `fn`; any throw other than SchemaError fails the property. Returns the value or undefined. */
function onlySchemaErrors<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    expect(e.message.startsWith(`"${e.path}" expected `)).toBe(true);
    return undefined;
  }
}

const dir = fileURLToPath(new URL('../../../fixtures/objects/', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as { type: MeshObjectType; object: Record<string, unknown> });

/** Every path (keys/indices) inside a JSON value, so mutations reach deep fields. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

function replaceAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

describe('random input never crashes parse with anything but SchemaError', () => {
  it('random JSON under every registered tag', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MESH_OBJECT_TYPES), fc.jsonValue(), (type, json) => {
        onlySchemaErrors(() => decodeTaggedValue({ [type]: json }, type));
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary JS values (not only JSON) straight into every schema', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MESH_OBJECT_TYPES),
        fc.anything({ withDate: true, withTypedArray: true, withMap: true, withNullPrototype: true, withBigInt: true }),
        (type, value) => {
          onlySchemaErrors(() => MESH_OBJECT_REGISTRY[type].parse(value));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('fixtures with one value anywhere replaced by random JSON', () => {
    const cases = fixtures.map((f) => ({ f, paths: pathsOf(f.object[f.type]) }));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (i, j, replacement) => {
        const { f, paths } = cases[i % cases.length] as (typeof cases)[number];
        const path = paths[j % paths.length] as (string | number)[];
        const mutated = replaceAt(f.object[f.type], path, replacement);
        const parsed = onlySchemaErrors(() => decodeTaggedValue({ [f.type]: mutated }, f.type));
        if (parsed !== undefined) {
          // Whatever parses re-encodes to text that is a fixed point of decode → encode
          // (compared as text: opaque envelope JSON may hold -0, which JSON writes as 0).
          const text = encodeTagged(f.type, parsed.value as never);
          expect(encodeTagged(f.type, decodeTagged(text, f.type).value as never)).toBe(text);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('random text and bytes as payloads', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 64 })), (input) => {
        onlySchemaErrors(() => decodeTagged(input, [...MESH_OBJECT_TYPES]));
      }),
      { numRuns: 2000 },
    );
  });
});
