import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // libchdb binds one data directory per process: every test file gets its own fork.
    pool: 'forks',
    isolate: true,
    fileParallelism: true,
    maxWorkers: 2,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
