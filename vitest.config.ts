import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds bin/ (and bin/asan/) once before any test file runs.
    globalSetup: ['test/global-setup.ts'],
    // One test file at a time: the end-to-end files create network namespaces,
    // change host sysctls and kill runs on purpose, and every run repairs what
    // a dead run left (run/topology/state.ts) — two files at once would repair
    // each other's crash tests.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
