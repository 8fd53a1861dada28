import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
const ci = process.env['CI'] === 'true';

// Three tiers, by what a test needs besides node (`npm run test:unit` etc.; `vitest run` runs all):
// - unit: nothing; no child process, no built dist/, no system package. Stays under a minute.
// - contract: one suite per port or store, run against its fake and against the real backend
//   (swtpm, gnome-keyring, PostgreSQL, the real service over HTTP).
// - integration: the built binaries as child processes, with brokers, ptys and image tools.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ci ? ['default', 'json'] : ['default'],
    ...(ci ? { outputFile: { json: '.tmp/vitest-report.json' } } : {}),
    projects: [
      // Unit files share their workers' module cache (isolate: false): importing the crypto and
      // protocol modules once per worker instead of once per file is most of a unit run's time
      // (about 30 s instead of 2 min here). It holds because no unit test mocks a module or
      // leaves a global changed (the one file with fake timers puts the real ones back).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      {
        extends: true,
        test: { name: 'contract', include: ['test/contract/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
