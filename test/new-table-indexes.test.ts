/**
 * Indexes of a table that the same migration creates are built plainly: such a table is empty
 * and nobody else has seen it, while PostgreSQL's `CREATE INDEX CONCURRENTLY` waits for every
 * older transaction in the database. Asserted by behaviour: 0001 and 0002 complete on a fresh
 * database while an unrelated transaction holding a snapshot stays open, and no migrating
 * session is ever seen waiting on it. And a database migrated with the earlier, concurrent
 * builds (its checksums recorded then) shows no drift.
 */
import { sql, type Kysely } from 'kysely'
import { expect, it } from 'vitest'
import { createMigrator, migrateToLatest, migrationStatus, verifyDatabase } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { CHECKSUM_TABLE, SUPERSEDED_CHECKSUMS } from '../src/migrator/migration-sql.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

/** Sessions of `testDb` waiting for another transaction to end (PostgreSQL: a `virtualxid` wait; MySQL: a lock wait). */
async function sessionsWaiting(db: Kysely<any>, testDb: TestDatabase): Promise<number> {
  const database = new URL(testDb.url).pathname.slice(1)
  const query =
    testDb.kind === 'mysql'
      ? sql<{ n: number }>`select count(*) as n from information_schema.processlist where db = ${database} and state like 'Waiting for%'`
      : sql<{ n: number }>`select count(*) as n from pg_stat_activity where datname = ${database} and wait_event_type = 'Lock'`
  return Number((await query.execute(db)).rows[0]!.n)
}

describeEachDatabase('indexes of tables created in the same migration', (kind) => {
  if (kind !== 'pglite') {
    it('0001 and 0002 complete on a fresh database while an unrelated transaction stays open', async () => {
      const testDb = await createTestDatabase(kind)
      const other = await testDb.connect()
      const watcher = await testDb.connect()
      const migrating = await testDb.connect()
      let release!: () => void
      const released = new Promise<void>((resolve) => (release = resolve))
      let holding!: () => void
      const held = new Promise<void>((resolve) => (holding = resolve))
      try {
        // An unrelated transaction with a snapshot, as a long report query would hold one.
        const blocker = other.db.connection().execute(async (conn) => {
          await sql.raw(kind === 'mysql' ? 'start transaction with consistent snapshot' : 'begin isolation level repeatable read').execute(conn)
          await sql`select count(*) from information_schema.tables`.execute(conn)
          holding()
          await released
          // Still open when the migration is done: committing it is the last thing it does.
          await sql`commit`.execute(conn)
        })
        await held
        let done = false
        let waited = false
        const migration = createMigrator(migrating.db)
          .migrateTo('0002_artorizer_user_link')
          .finally(() => (done = true))
        while (!done) {
          if ((await sessionsWaiting(watcher.db, testDb)) > 0) {
            waited = true
            break
          }
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        if (waited) release() // let the blocked migration finish before failing
        const { error, results } = await migration
        expect(waited, 'a migrating session waited for the unrelated transaction').toBe(false)
        expect(error).toBeUndefined()
        expect(results?.map((r) => r.migrationName)).toEqual(['0001_better_auth', '0002_artorizer_user_link'])
        release()
        await blocker
      } finally {
        release()
        await Promise.all([other.db.destroy(), watcher.db.destroy(), migrating.db.destroy()])
        await testDb.drop()
      }
    })
  }

  if (kind !== 'mysql') {
    it('a database migrated with the earlier concurrent builds shows no drift', async () => {
      const testDb = await createTestDatabase(kind)
      const database = await testDb.connect()
      try {
        await migrateToLatest(database.db)
        // The checksums that version recorded, as a database migrated then has them.
        for (const [name, [old]] of Object.entries(SUPERSEDED_CHECKSUMS.postgres)) {
          await (database.db as Kysely<any>).updateTable(CHECKSUM_TABLE).set({ checksum: old! }).where('name', '=', name).execute()
        }
        expect((await migrationStatus(database.db)).map((m) => [m.name, m.drift])).toEqual(migrationNames.map((name) => [name, undefined]))
        const report = await verifyDatabase(database.db)
        expect(report.checks.find((c) => c.name === 'drift')?.status).toBe('ok')
      } finally {
        await database.db.destroy()
        await testDb.drop()
      }
    })
  }
})
