import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Test files share their worker's module cache (each builds its own app context, database and
    // clock): importing the app graph once per worker instead of once per file halves the suite's
    // time. No module may keep per-test state (docs/ARCHITECTURE.md, "Tests").
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
