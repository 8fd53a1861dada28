/**
 * @module test/integration/demo/demo.test
 * The README's main command must keep working: `npm run demo` (scripts/demo.mjs on the
 * built binaries) runs the whole story and exits 0 only if every step checked out.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('runs a service, two owners and a factory-booted device to two connections, and exits 0', () => {
    const r = spawnSync(process.execPath, ['scripts/demo.mjs'], { encoding: 'utf8', timeout: 150_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/owner alice@example\.com\s+connected/);
    expect(r.stdout).toMatch(/owner bob@example\.com\s+connected/);
    expect(r.stdout).toMatch(/keystore: file/);
    expect(r.stdout).toContain('Demo complete');
  }, 180_000);
});
