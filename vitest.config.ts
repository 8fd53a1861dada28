import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
const ci = process.env['CI'] === 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ci ? ['default', 'json'] : ['default'],
    ...(ci ? { outputFile: { json: '.tmp/vitest-report.json' } } : {}),
  },
});
