import { defineConfig } from 'vitest/config';

// Integration tests each get their own database and bucket names, so files may run in parallel;
// two forks match the two cores of the CI machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault-injection suite runs on its own: npm run test:faults (vitest.faults.config.ts).
    exclude: ['test/faults/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
