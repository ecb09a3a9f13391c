/**
 * Every online recipe the id change sends (issue 19), run on a table a steady writer inserts into
 * without a pause, as artwork_jobs is in production: each finishes, and the writer never fails.
 * On MariaDB an in-place `DROP INDEX` whose tries gave way at once (a 0 s metadata-lock wait)
 * never finished under such a writer: it needs the lock again at its end, and an insert was
 * always in flight (`npm run bench -- --parts ids` found it: 54 tries over 176 s).
 * PGlite has one connection, so no concurrent writer: not run there.
 */
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectDatabase, type AuthDatabase } from '../src/index.js'
import { engineOf } from '../src/engines/index.js'
import { executingRunner, type DdlRunner } from '../src/engines/ddl-runner.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

const ROWS = 50_000

describeEachDatabase('online recipes under a steady writer', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  let writerDb: AuthDatabase
  const budget = process.env.DDL_LOCK_RETRY_BUDGET_MS

  beforeAll(async () => {
    if (kind === 'pglite') return
    process.env.DDL_LOCK_RETRY_BUDGET_MS = '20000'
    testDb = await createTestDatabase(kind)
    database = await connectDatabase({ url: testDb.url })
    writerDb = await connectDatabase({ url: testDb.url })
    const db = database.db as Kysely<any>
    const id = kind === 'mysql' ? sql`varchar(36) character set utf8mb4 collate utf8mb4_bin` : sql`text`
    await db.schema.createTable('owner').addColumn('id', id, (c) => c.primaryKey()).execute()
    await db.schema
      .createTable('item')
      .addColumn('id', 'bigint', (c) => (kind === 'mysql' ? c.autoIncrement().primaryKey() : c.generatedByDefaultAsIdentity().primaryKey()))
      .addColumn('label', 'varchar(64)')
      .addColumn('owner_id', id)
      .addForeignKeyConstraint('item_owner_id_fk', ['owner_id'], 'owner', ['id'], (fk) => fk.onDelete('cascade'))
      .execute()
    const values = Array.from({ length: 1000 }, (_, i) => ({ label: `l${i}` }))
    for (let i = 0; i < ROWS / 1000; i++) await db.insertInto('item').values(values).execute()
    await db.schema.createIndex('item_owner_id_label_idx').on('item').columns(['owner_id', 'label']).execute()
  })
  afterAll(async () => {
    if (budget === undefined) delete process.env.DDL_LOCK_RETRY_BUDGET_MS
    else process.env.DDL_LOCK_RETRY_BUDGET_MS = budget
    await writerDb?.db.destroy()
    await database?.db.destroy()
    await testDb?.drop()
  })

  it.skipIf(kind === 'pglite')('drops and adds back the key, the index and the column, each finishing while the writer inserts', async () => {
    const db = database.db as Kysely<any>
    const type = kind === 'mysql' ? sql`varchar(36) character set utf8mb4 collate utf8mb4_bin` : sql`text`
    let writing = true
    let inserts = 0
    const failures: unknown[] = []
    const writer = (async () => {
      while (writing) {
        try {
          await (writerDb.db as Kysely<any>).insertInto('item').values({ label: 'w' }).execute()
          inserts++
        } catch (error) {
          failures.push(error)
        }
      }
    })()
    const { ddl } = engineOf(db)
    const steps: [string, (r: DdlRunner) => Promise<void>][] = [
      ['dropForeignKey', (r) => ddl.dropForeignKey(r, 'item', 'item_owner_id_fk')],
      ['dropIndex', (r) => ddl.dropIndex(r, 'item', 'item_owner_id_label_idx')],
      ['dropColumn', (r) => ddl.dropColumn(r, 'item', 'owner_id')],
      ['addNullableColumn', (r) => ddl.addNullableColumn(r, { table: 'item', column: 'owner_id', type })],
      ['createIndex', (r) => ddl.createIndex(r, { table: 'item', name: 'item_owner_id_label_idx', columns: ['owner_id', 'label'] })],
      ['addForeignKey', (r) => ddl.addForeignKey(r, { table: 'item', name: 'item_owner_id_fk', column: 'owner_id', referencedTable: 'owner', referencedColumn: 'id' })],
    ]
    const done: string[] = []
    try {
      await new Promise((resolve) => setTimeout(resolve, 300))
      for (const [name, step] of steps) {
        await db.connection().execute((conn) => step(executingRunner(conn)))
        done.push(name)
      }
    } finally {
      writing = false
      await writer
    }
    expect(done).toEqual(steps.map(([name]) => name))
    expect(failures).toEqual([])
    expect(inserts).toBeGreaterThan(100)
  })
})
