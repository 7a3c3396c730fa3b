import { defineConfig } from 'vitest/config';

// The fault-injection suite (`npm run test:faults`): one file that runs the system as separate
// processes and injects faults in order, so it runs alone and takes its time.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/faults.vitest.json' },
  },
});
