/**
 * The boot path router-backend runs at every start: on an up-to-date database it costs at most
 * two round trips and never touches the migration lock; importing the module loads only the
 * driver for the configured database.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { DialectAdapter, Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MigrationLockTimeoutError, PendingMigrationsError, connectDatabase, migrateDown, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

describeEachDatabase('the boot check', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  const statements: string[] = []

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await connectDatabase({ url: testDb.url, log: (event) => void statements.push(event.query.sql) })
    await migrateToLatest(database.db)
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  it('costs one round trip on an up-to-date database, and takes no lock', async () => {
    statements.length = 0
    expect(await migrateToLatest(database.db)).toEqual([])
    expect(statements).toHaveLength(1)
    expect(statements.join('\n')).not.toMatch(/lock/i)

    statements.length = 0
    expect(await migrateToLatest(database.db, { checkOnly: true })).toEqual([])
    expect(statements).toHaveLength(1)
  })

  it('in check-only mode, fails fast naming the pending migrations', async () => {
    await migrateDown(database.db)
    try {
      statements.length = 0
      const error = await migrateToLatest(database.db, { checkOnly: true }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(PendingMigrationsError)
      expect((error as PendingMigrationsError).pending).toEqual(['0004_exact_job_ids'])
      expect(statements).toHaveLength(1)
    } finally {
      await migrateToLatest(database.db)
    }
  })

  it.skipIf(kind === 'pglite')('returns at once while another process holds the migration lock', async () => {
    // A lock timeout of 1 ms: had the check tried to take the lock, it would fail at once.
    const impatient = await connectDatabase({ url: testDb.url, lockTimeoutMs: 1 })
    const other = await testDb.connect()
    const release = await holdMigrationLock(other.db)
    try {
      expect(await migrateToLatest(impatient.db)).toEqual([])
      expect(await migrateToLatest(impatient.db, { checkOnly: true })).toEqual([])
      // The lock is really held: taking it the way the Migrator does gives up at once.
      await expect(impatient.db.connection().execute((conn) => lockAdapter(conn).acquireMigrationLock(conn, LOCK_OPTIONS))).rejects.toBeInstanceOf(
        MigrationLockTimeoutError,
      )
    } finally {
      await release()
      await impatient.db.destroy()
      await other.db.destroy()
    }
  })

  it.skipIf(kind === 'pglite')('is not held up by a migration lock on another database of the same server', async () => {
    const neighbour = await createTestDatabase(kind)
    const holder = await neighbour.connect()
    const release = await holdMigrationLock(holder.db)
    const impatient = await connectDatabase({ url: testDb.url, lockTimeoutMs: 1 })
    try {
      await migrateDown(database.db)
      expect((await migrateToLatest(impatient.db)).map((step) => step.name)).toEqual(['0004_exact_job_ids'])
    } finally {
      await release()
      await impatient.db.destroy()
      await holder.db.destroy()
      await neighbour.drop()
    }
  })

  it('loads only its own driver when imported and connected, and not Better Auth', async () => {
    // PGlite allows one process per data folder: let the child have it while it runs.
    if (kind === 'pglite') await database.db.destroy()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/startup-probe.mjs', fileURLToPath(new URL('../src/index.ts', import.meta.url)), testDb.url, '--trace-loads'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } },
    )
    const { packages, queries } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { packages: string[]; queries: number }
    const driver = { pglite: '@electric-sql/pglite', postgres: 'pg', mysql: 'mysql2' }[kind]
    const heavy = ['pg', 'mysql2', '@electric-sql/pglite', 'better-auth']
    expect(packages.filter((name) => heavy.includes(name))).toEqual([driver])
    expect(queries).toBe(1)
  })
})

const LOCK_OPTIONS = { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock', lockTableSchema: undefined }

function lockAdapter(db: Kysely<any>): DialectAdapter {
  return db.getExecutor().adapter
}

/**
 * Takes the migration lock the way a migrating process does (through the same adapter) on a
 * connection of `db`, and holds it until the returned function is called.
 */
async function holdMigrationLock(db: Kysely<any>): Promise<() => Promise<void>> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let acquired!: () => void
  const held = new Promise<void>((resolve) => (acquired = resolve))
  const done = db.connection().execute(async (conn) => {
    await lockAdapter(conn).acquireMigrationLock(conn, LOCK_OPTIONS)
    acquired()
    await released
    await lockAdapter(conn).releaseMigrationLock(conn, LOCK_OPTIONS)
  })
  await Promise.race([held, done])
  return async () => {
    release()
    await done
  }
}
