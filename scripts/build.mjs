#!/usr/bin/env node
/**
 * Builds the entry points with esbuild: each becomes one ESM file under dist/.
 * Native addons stay external and ship beside the bundle (dependencies.md §8).
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');

// CommonJS dependencies inside an ESM bundle need require/__dirname (dependencies.md §8).
const banner = [
  '#!/usr/bin/env node',
  "import { createRequire as __meshCreateRequire } from 'node:module';",
  "import { fileURLToPath as __meshFileURLToPath } from 'node:url';",
  "import { dirname as __meshDirname } from 'node:path';",
  'const require = __meshCreateRequire(import.meta.url);',
  'const __filename = __meshFileURLToPath(import.meta.url);',
  'const __dirname = __meshDirname(__filename);',
].join('\n');

const entries = [
  { in: 'src/cli/mesh.ts', out: 'mesh' },
  { in: 'src/cli/mesh-agent.ts', out: 'mesh-agent' },
];

// dbus-next (Secret Service keystore) requires `x11` and `usocket` only inside try blocks,
// as optional extras: they stay external (dependencies.md §8). Its xml2js is used only for
// introspection, which the keystore never does; the stub keeps ~100 KB out of the agent.
const external = ['x11', 'usocket'];
const xml2jsStub = join(root, 'src/platform/keystore/xml2js-stub.ts');
const alias = existsSync(xml2jsStub) ? { xml2js: xml2jsStub } : {};

await mkdir(outdir, { recursive: true });
const minify = process.argv.includes('--minify') || process.env.MESH_MINIFY === '1';
for (const entry of entries) {
  const outfile = join(outdir, `${entry.out}.mjs`);
  await build({
    entryPoints: [join(root, entry.in)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: banner },
    external,
    alias,
    logLevel: 'warning',
    metafile: false,
  });
  await chmod(outfile, 0o755);
}
