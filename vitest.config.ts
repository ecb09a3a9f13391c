import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: CLI tests start real processes, slow on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Each test file works in databases of its own; two files at a time suit a 2-core machine.
    maxWorkers: 2,
  },
})
