/**
 * Many router-backend replicas boot at once: sixteen processes run the real CLI's
 * `migrate:latest` side by side. Every one must succeed, each migration must run exactly once,
 * and the schema must end complete. A held lock times out with one line; a lock whose holder
 * died never blocks. PGlite is one process's embedded database, so this is PostgreSQL and MySQL.
 */
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrateDown, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { migrationNames, MIGRATION_TABLE } from '../src/tools.js'
import { finished, runCli, spawnBundled, type ProcessResult } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'
import { snapshotSchema } from './support/schema-snapshot.js'

const PROCESSES = 16

describeEachDatabase('sixteen processes migrating at once', (kind) => {
  if (kind === 'pglite') {
    it.skip('PGlite is embedded in one process: there is nothing to race', () => {})
    return
  }
  let testDb: TestDatabase
  let database: AuthDatabase
  let db: Kysely<any>
  let reference: Record<string, unknown>

  beforeAll(async () => {
    const referenceDb = await createTestDatabase(kind)
    const refDatabase = await referenceDb.connect()
    try {
      await migrateToLatest(refDatabase.db)
      reference = await snapshotSchema(refDatabase.db)
    } finally {
      await refDatabase.db.destroy()
      await referenceDb.drop()
    }
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
    db = database.db
  })
  afterAll(async () => {
    await db?.destroy()
    await testDb?.drop()
  })

  async function migrateInParallel(): Promise<ProcessResult[]> {
    const env = { DATABASE_URL: testDb.url }
    return Promise.all(Array.from({ length: PROCESSES }, () => runCli(['migrate:latest'], env)))
  }

  /** Every process exited 0, and `expected` migrations were applied once each across all of them. */
  async function expectAppliedOnce(results: ProcessResult[], expected: readonly string[]): Promise<void> {
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const applied = results.flatMap((r) => [...r.stdout.matchAll(/✅ Applied (\S+)/g)].map((m) => m[1]))
    expect(applied.sort()).toEqual([...expected].sort())
    const rows = await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute()
    expect(rows.map((r) => r.name)).toEqual(migrationNames)
    expect(await snapshotSchema(db)).toEqual(reference)
  }

  it('on a fresh database: all exit 0, each migration runs once, the schema is complete', async () => {
    await expectAppliedOnce(await migrateInParallel(), migrationNames)
  })

  it('on a database with pending migrations: the same', async () => {
    await migrateDown(db, { to: '0001_better_auth' })
    await expectAppliedOnce(await migrateInParallel(), migrationNames.slice(1))
  })

  it('gives up with one line when another process holds the lock past MIGRATION_LOCK_TIMEOUT_MS', async () => {
    await migrateToLatest(db)
    await migrateDown(db, { steps: 1 })
    await db.connection().execute(async (conn) => {
      await conn.getExecutor().adapter.acquireMigrationLock(conn, { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock' })
      try {
        const result = await runCli(['migrate:latest'], { DATABASE_URL: testDb.url, MIGRATION_LOCK_TIMEOUT_MS: '300' })
        expect(result.code).toBe(1)
        expect(result.stderr.trim().split('\n')).toHaveLength(1)
        expect(result.stderr).toMatch(/another process held the migration lock for more than 300 ms; wait for it to finish .*MIGRATION_LOCK_TIMEOUT_MS sets how long to wait/)
      } finally {
        await conn.getExecutor().adapter.releaseMigrationLock(conn, { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock' })
      }
    })
    expect((await db.selectFrom(MIGRATION_TABLE).select('name').execute()).length).toBe(migrationNames.length - 1)
  })

  it('is not blocked by a lock whose holder was killed', async () => {
    await migrateToLatest(db)
    await migrateDown(db, { steps: 1 })
    const holder = await spawnBundled('test/support/migrate-runner.ts', ['hold-lock'], { DATABASE_URL: testDb.url })
    const ended = finished(holder)
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('LOCKED') && resolve())
      holder.on('close', () => reject(new Error('the lock holder ended before it held the lock')))
    })
    holder.kill('SIGKILL')
    expect((await ended).signal).toBe('SIGKILL')
    const result = await runCli(['migrate:latest'], { DATABASE_URL: testDb.url, MIGRATION_LOCK_TIMEOUT_MS: '15000' })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`✅ Applied ${migrationNames.at(-1)}`)
  })
})

