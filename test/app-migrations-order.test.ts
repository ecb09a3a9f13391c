/**
 * The order of the one list: the application's migrations after the module's, a module
 * migration released after the application's were applied runs after them (and is undone first),
 * and an application migration that sorts before an applied one is refused with one line.
 */
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { migrateDown, migrateToLatest, UsageError, type AuthDatabase } from '../src/index.js'
import { defineSchema, type AppMigrations } from '../src/schema.js'
import { migrationsUndoneBy } from '../src/tools.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'

const notes = defineSchema({
  tables: [{ name: 'notes', adoption: 'legacy', columns: [{ name: 'id', type: 'bigint', nullable: false, primaryKey: true, generated: true }] }],
})

describeEachDatabase('the order of the module and application migrations', (kind) => {
  let database: AuthDatabase
  useSuiteDatabase(kind, (opened) => (database = opened.database))

  it('runs a module migration that is pending after application ones after them, undoes it first, and refuses an application migration out of order', async () => {
    const migrations: AppMigrations = { '20261201100000_notes': { schema: notes } }
    expect((await migrateToLatest(database.db, { migrations })).map((m) => m.name)).toEqual([
      '0001_better_auth',
      '0002_artorizer_user_link',
      '0003_indexes',
      '0004_exact_job_ids',
      '20261201100000_notes',
    ])
    // As if 0003 had come with a later release of the module than the application's migration.
    await sql`delete from ${sql.table('kysely_migration')} where ${sql.ref('name')} = ${'0003_indexes'}`.execute(database.db)
    expect((await migrateToLatest(database.db, { migrations })).map((m) => m.name)).toEqual(['0003_indexes'])
    expect(await migrationsUndoneBy(database.db, { steps: 1 })).toEqual(['0003_indexes'])
    expect((await migrateDown(database.db, { steps: 1 }, { migrations })).map((m) => m.name)).toEqual(['0003_indexes'])
    expect((await migrateToLatest(database.db, { migrations })).map((m) => m.name)).toEqual(['0003_indexes'])

    const early = { ...migrations, '20261201090000_early': { up: async () => {} } }
    const refused = migrateToLatest(database.db, { migrations: early })
    await expect(refused).rejects.toBeInstanceOf(UsageError)
    await expect(refused).rejects.toThrow(/"20261201090000_early" sorts before "20261201100000_notes", which is already applied/)
  })
})
