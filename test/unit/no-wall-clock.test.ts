/**
 * No test asserts how long something took: on a loaded 2-core machine any duration bound fails
 * now and then (`expected 9070 < 8000`). Timings that matter are benchmarks in bench/, measured
 * side by side; tests assert behaviour (what happened, in which order).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url))

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return testFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** An assertion on an elapsed time: `expect(Date.now() - started)`, `expect(performance.now() - t0)`, or on a variable holding one. */
const DURATION_ASSERT = /expect\([^;]*\b(Date\.now\(\)|performance\.now\(\))\s*-|expect\((elapsed|duration|took|ms)\w*\)\.toBeLessThan/

it('no test asserts wall-clock time', () => {
  const offending = testFiles(TEST_DIR)
    .filter((file) => file !== fileURLToPath(import.meta.url))
    .flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (DURATION_ASSERT.test(line) ? [`${file.slice(TEST_DIR.length)}:${i + 1}: ${line.trim()}`] : [])),
  )
  expect(offending).toEqual([])
})

it('the pattern catches the shapes it is meant for', () => {
  expect(DURATION_ASSERT.test('expect(Date.now() - started).toBeLessThan(8_000)')).toBe(true)
  expect(DURATION_ASSERT.test('expect(performance.now() - t0).toBeLessThan(50)')).toBe(true)
  expect(DURATION_ASSERT.test('expect(elapsedMs).toBeLessThan(50)')).toBe(true)
  expect(DURATION_ASSERT.test('expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now())')).toBe(false)
})
