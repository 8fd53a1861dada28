#!/usr/bin/env node
/**
 * Runs every scripts/bench/*.bench.ts in its own Node process (bundled by esbuild first,
 * so the figures are for the code as shipped). Each bench prints its figures beside a
 * baseline measured in the same run, because these machines are noisy.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outdir = join(root, '.tmp', 'bench');
await mkdir(outdir, { recursive: true });

const only = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

let failed = 0;
for (const file of files) {
  const outfile = join(outdir, file.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(here, file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    packages: 'external',
  });
  console.log(`\n== ${file.replace(/\.bench\.ts$/, '')} ==`);
  const result = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
