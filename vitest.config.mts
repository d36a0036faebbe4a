import { defineConfig } from 'vitest/config';

// Native tests must run in child processes: a crash in the addon then kills one
// forks worker (reported as a failure) instead of the whole vitest process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
