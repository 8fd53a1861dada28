/**
 * Builds dist/ once before the suites, so tests that spawn the CLI run the code as
 * shipped and never a stale bundle.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
