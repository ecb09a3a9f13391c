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
          // Generous: CLI tests start real processes, slow on a loaded 2-core machine.
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Each test file works in databases of its own; two files at a time suit a 2-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
