/**
 * Builds dist/ once before the suites, so tests that spawn the CLI run the code as
 * shipped and never a stale bundle; and the test-only agent entry that passes fake ports
 * in (test/helpers/agent-with-ports.ts), its npm packages loaded from node_modules.
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { AGENT_WITH_PORTS_BIN } from './helpers/agent-process.js';

export default async function setup(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  await build({
    entryPoints: ['test/helpers/agent-with-ports.ts'],
    outfile: AGENT_WITH_PORTS_BIN,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
}
