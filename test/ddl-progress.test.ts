/**
 * Index build progress: the recipes tell the reporter passed to `migrateToLatest` about every
 * index they build, with the session id a watcher needs, and the terminal reporter draws what
 * the server says and stays quiet for builds that end before its first redraw.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrateToLatest, type AuthDatabase } from '../src/index.js'
import { createTerminalProgress, type IndexBuild } from '../src/tools.js'
import { describePgProgress } from '../src/cli/terminal-progress.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

describeEachDatabase('index build progress', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  it('reports every index build, start and end, with the building session', async () => {
    const started: IndexBuild[] = []
    const ended: string[] = []
    await migrateToLatest(database.db, {
      progress: {
        indexBuildStarted(build) {
          started.push(build)
          return () => ended.push(build.index)
        },
      },
    })
    expect(started.map((b) => b.index)).toEqual(
      expect.arrayContaining(['user_email_uidx', 'artwork_jobs_user_id_idx', 'artwork_jobs_user_id_created_at_idx']),
    )
    expect(ended).toEqual(started.map((b) => b.index))
    for (const build of started) {
      expect(build.engine).toBe(kind)
      if (kind === 'pglite') expect(build.sessionId).toBeUndefined()
      else expect(build.sessionId).toBeGreaterThan(0)
    }
  }, 120_000) // a whole first migration: PGlite on a busy 2-core machine takes most of a minute

  it.skipIf(kind === 'pglite')('draws a status line for a long build, then a summary, and nothing for a short one', async () => {
    const written: string[] = []
    const progress = createTerminalProgress(database.db, { write: (text: string) => written.push(text) }, { intervalMs: 20 })

    progress.indexBuildStarted({ table: 't', index: 'quick_idx', engine: kind, sessionId: 1 })()
    expect(written).toEqual([])

    const { rows } = await sql<{ id: number }>`select ${kind === 'mysql' ? sql`connection_id()` : sql`pg_backend_pid()`} as id`.execute(database.db)
    const done = progress.indexBuildStarted({ table: 'artwork_jobs', index: 'slow_idx', engine: kind, sessionId: Number(rows[0]!.id) })
    await new Promise((resolve) => setTimeout(resolve, 300))
    done()
    expect(written.some((line) => line.includes('⏳ building slow_idx on artwork_jobs'))).toBe(true)
    expect(written.at(-1)).toMatch(/built slow_idx on artwork_jobs in \d+\.\ds\n$/)
  })
})

it("describes PostgreSQL's create-index phases", () => {
  const row = { phase: 'building index: scanning table', blocks_total: 200, blocks_done: 50, tuples_total: 0, tuples_done: 0, lockers_total: 0, lockers_done: 0 }
  expect(describePgProgress(row)).toBe('building index: scanning table 25%')
  expect(describePgProgress({ ...row, phase: 'waiting for writers before build', lockers_total: 3, lockers_done: 1 })).toBe(
    'waiting for writers before build 1/3',
  )
  expect(describePgProgress({ ...row, phase: 'initializing', blocks_total: 0 })).toBe('initializing')
})
