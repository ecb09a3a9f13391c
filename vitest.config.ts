import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        // Fast tests of the schema data, the planner and pure helpers: no database, no PGlite,
        // no global setup. They run first (groupOrder 0), so that their failures show in seconds.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', '**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          // Timeouts catch hangs, they do not measure speed (no test asserts wall-clock time;
          // timings belong in bench/). So they are sized for a 2-core machine that other test
          // runs share: CLI tests start real processes, and PGlite opens take seconds each there.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // Each test file works in databases of its own; two files at a time suit a 2-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
