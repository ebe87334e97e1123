import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'generated/**/*.test.ts'],
    // Suites spawn workers and block in Atomics.wait: process isolation keeps a hang local.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
