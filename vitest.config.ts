import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start real servers and child processes; running files
    // in parallel on a 2-core machine only adds noise.
    fileParallelism: false,
  },
});
