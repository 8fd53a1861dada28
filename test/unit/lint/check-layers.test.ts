/** @module test/unit/lint/check-layers: the layer check fails on a bad import and names it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers, importsOf } from '../../../scripts/check-layers.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A temp tree with the given src/ files (path relative to src/ → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, 'src', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

/** A tree that obeys every rule, to which each test adds one bad file. */
const clean = {
  'crypto/hash.ts': "import { createHash } from 'node:crypto';\nimport { ed448 } from '@noble/curves/ed448.js';\n",
  'mesh/udf.ts': "import { createHash } from '../crypto/hash.js';\n",
  'agent/agent.ts': "import { parse } from '../mesh/udf.js';\nimport type { Link } from './ports.js';\n",
  'agent/ports.ts': "import type { Agent } from './agent.js';\n",
  'platform/files.ts': "import { readFileSync } from 'node:fs';\nimport type { Link } from '../agent/ports.js';\n",
  'service/service.ts':
    "import { createServer } from 'node:http';\nimport pg from 'pg';\nimport { parse } from '../mesh/udf.js';\n",
  'cli/mesh.ts': "import { files } from '../platform/files.js';\nimport { service } from '../service/service.js';\n",
};

describe('check-layers', () => {
  it('passes a tree whose imports point down, with a type-only cycle', () => {
    expect(checkLayers(tree(clean))).toEqual([]);
  });

  it('fails src/mesh importing node:, naming the file, line and import', () => {
    const problems = checkLayers(
      tree({ ...clean, 'mesh/bad.ts': "// why\nimport { readFileSync } from 'node:fs';\n" }),
    );
    expect(problems).toEqual(["src/mesh/bad.ts:2: mesh imports 'node:fs': mesh may not import node: modules"]);
  });

  it('fails src/crypto importing a node: module other than node:crypto, and src/crypto importing mesh', () => {
    const problems = checkLayers(
      tree({
        ...clean,
        'crypto/bad.ts': "import { tmpdir } from 'node:os';\nimport { parse } from '../mesh/udf.js';\n",
      }),
    );
    expect(problems).toEqual([
      "src/crypto/bad.ts:1: crypto imports 'node:os': crypto may not import node: modules other than node:crypto",
      "src/crypto/bad.ts:2: crypto imports '../mesh/udf.js': crypto may import only crypto",
    ]);
  });

  it('fails a type-only import up the layers: agent naming a platform type', () => {
    const problems = checkLayers(
      tree({ ...clean, 'agent/bad.ts': "import type { files } from '../platform/files.js';\n" }),
    );
    expect(problems).toEqual([
      "src/agent/bad.ts:1: agent imports '../platform/files.js': agent may import only agent, crypto, mesh (type-only imports too)",
    ]);
  });

  it('fails an I/O package in a pure layer, platform importing service, and service importing the agent', () => {
    const problems = checkLayers(
      tree({
        ...clean,
        'mesh/mqtt.ts': "const m = await import('mqtt');\n",
        'platform/bad.ts': "import { service } from '../service/service.js';\n",
        'service/bad.ts': "import { parse } from '../agent/agent.js';\n",
      }),
    );
    expect(problems).toEqual([
      "src/mesh/mqtt.ts:1: mesh imports 'mqtt': mesh may import only the packages @noble/curves, @noble/hashes",
      "src/platform/bad.ts:1: platform imports '../service/service.js': platform may import only platform, crypto, mesh, agent",
      "src/service/bad.ts:1: service imports '../agent/agent.js': service may import only service, crypto, mesh",
    ]);
  });

  it('fails a runtime import cycle and shows its path', () => {
    const problems = checkLayers(
      tree({
        ...clean,
        'agent/a.ts': "import { b } from './b.js';\nexport const a = 1;\n",
        'agent/b.ts': "export { a } from './a.js';\n",
      }),
    );
    expect(problems).toEqual(['runtime import cycle: src/agent/a.ts -> src/agent/b.ts -> src/agent/a.ts']);
  });

  it('tells type-only imports from runtime ones', () => {
    const found = importsOf(
      'x.ts',
      [
        "import type { A } from './a.js';",
        "import { type B, type C } from './b.js';",
        "import { type D, e } from './d.js';",
        "import './side-effect.js';",
        "type M = typeof import('./m.js');",
        "const lazy = () => import('./lazy.js');",
      ].join('\n'),
    );
    expect(found.map(({ specifier, typeOnly, dynamic }) => [specifier, typeOnly, dynamic])).toEqual([
      ['./a.js', true, false],
      ['./b.js', true, false],
      ['./d.js', false, false],
      ['./side-effect.js', false, false],
      ['./m.js', true, false],
      ['./lazy.js', false, true],
    ]);
  });
});
