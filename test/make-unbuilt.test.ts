/**
 * The newcomer's path in the repository itself, unbuilt (a fresh clone has no dist/):
 * `migrate:make` with a name as people type it, then `migrate:latest`, `migrate:down` and
 * `migrate:latest` again, on every engine. The migration it writes imports
 * `artorizer-auth-db/schema`, which here reaches the package by self-reference, whose `exports`
 * name dist/; the loader maps it to src/ instead.
 *
 * The checkout is a copy of the repository's layout (package.json, src/) under `.test-build/`,
 * without dist/, so that a build of this repository (package.test.ts packs it) changes nothing;
 * its packages resolve from this repository's node_modules.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ROOT, runCli } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

describeEachDatabase('migrate:make in an unbuilt checkout of this repository', (kind) => {
  let testDb: TestDatabase
  let checkout: string
  let env: Record<string, string>
  const cli = (...args: string[]) => runCli(args, env)

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    mkdirSync(join(ROOT, '.test-build'), { recursive: true })
    checkout = mkdtempSync(join(ROOT, '.test-build', `unbuilt-${kind}-`))
    cpSync(join(ROOT, 'package.json'), join(checkout, 'package.json'))
    cpSync(join(ROOT, 'src'), join(checkout, 'src'), { recursive: true })
    env = { DATABASE_URL: testDb.url, MIGRATIONS_DIR: join(checkout, 'migrations') }
  })
  afterAll(async () => {
    await testDb?.drop()
    if (checkout) rmSync(checkout, { recursive: true, force: true })
  })

  it('writes add-artwork-shares as <timestamp>_add_artwork_shares.ts, which applies, undoes and applies again', async () => {
    expect(existsSync(join(checkout, 'dist'))).toBe(false)
    const made = await cli('migrate:make', 'add-artwork-shares')
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    const files = readdirSync(join(checkout, 'migrations'))
    expect(files).toEqual([expect.stringMatching(/^\d{14}_add_artwork_shares\.ts$/)])
    const name = files[0]!.replace(/\.ts$/, '')

    const latest = await cli('migrate:latest')
    expect(latest.stderr).toBe('')
    expect(latest.stdout).toContain(`✅ Applied ${name}`)
    expect(latest.code).toBe(0)
    const down = await cli('migrate:down', '--json')
    expect(JSON.parse(down.stdout)).toMatchObject({ ok: true, reverted: [name] })
    expect(down.code).toBe(0)
    const again = await cli('migrate:latest')
    expect(again.stdout).toContain(`✅ Applied ${name}`)
    expect(again.code).toBe(0)
  })
})
