#!/usr/bin/env node
/**
 * Builds the entry points with esbuild: each becomes one ESM file under dist/.
 * Native addons stay external and ship beside the bundle (dependencies.md §8).
 */
import { build } from 'esbuild';
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

const entries = [{ in: 'src/cli/mesh.ts', out: 'mesh' }];

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
    logLevel: 'warning',
    metafile: false,
  });
  await chmod(outfile, 0o755);
}
