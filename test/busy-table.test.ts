/**
 * A busy table: another transaction holds `artwork_jobs` (a report left open). The migration's
 * ALTER must give way and retry (short tries, `src/engines/lock-wait.ts`), never queue the
 * writers behind one long wait; it waits its turn and goes through once the holder ends, or
 * stops with one line after its budget. A migration applied before the one that stopped keeps
 * its checksum. PGlite has one connection: nothing can hold a table against it.
 */
import { sql, type Kysely } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { MigrationFailedError, migrateDown, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { migrationNames, MIGRATION_TABLE } from '../src/tools.js'
import { CHECKSUM_TABLE } from '../src/migrator/migration-sql.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

describeEachDatabase('a busy artwork_jobs', (kind) => {
  if (kind === 'pglite') {
    it.skip('PGlite has one connection: no other transaction can hold a table', () => {})
    return
  }
  let testDb: TestDatabase
  let database: AuthDatabase
  let holder: AuthDatabase
  let db: Kysely<any>

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
    holder = await testDb.connect()
    db = database.db
    await sql`create table artwork_jobs (id integer not null primary key, job_id varchar(64) not null, original_url text not null, status varchar(20) not null)`.execute(db)
    await sql`insert into artwork_jobs values (1, 'busy-1', 's3://in/1.png', 'done')`.execute(db)
  })
  afterAll(async () => {
    await holder?.db.destroy()
    await database?.db.destroy()
    await testDb?.drop()
  })
  beforeEach(() => {
    process.env.DDL_LOCK_RETRY_BUDGET_MS = '1500'
  })
  afterEach(async () => {
    delete process.env.DDL_LOCK_RETRY_BUDGET_MS
    await migrateDown(db, { all: true }, { force: true })
  })

  /** Runs `work` while another transaction has read artwork_jobs and stays open for `holdMs`. */
  async function whileHeld<T>(holdMs: number, work: () => Promise<T>): Promise<T> {
    let ready!: () => void
    const readyNow = new Promise<void>((resolve) => (ready = resolve))
    const held = holder.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn)
      await sql`select count(*) from artwork_jobs`.execute(conn)
      ready()
      await new Promise((resolve) => setTimeout(resolve, holdMs))
      await sql`commit`.execute(conn)
    })
    await readyNow
    try {
      return await work()
    } finally {
      await held
    }
  }

  it('gives way and retries while the table is held, then goes through once it is free', async () => {
    process.env.DDL_LOCK_RETRY_BUDGET_MS = '60000'
    const applied = await whileHeld(2_000, () => migrateToLatest(db))
    expect(applied.map((m) => m.name)).toEqual(migrationNames)
  })

  it('stops with one line after its budget, and the migration applied before keeps its checksum', async () => {
    const failure = await whileHeld(6_000, () => migrateToLatest(db).then(() => undefined, (error: unknown) => error))
    expect(failure).toBeInstanceOf(MigrationFailedError)
    const message = (failure as Error).message
    expect(message).toContain('0002_artorizer_user_link')
    expect(message).toContain('stayed locked by another session')
    expect(message).not.toContain('\n')
    const applied = await db.selectFrom(MIGRATION_TABLE).select('name').execute()
    expect(applied.map((r) => r.name)).toEqual(['0001_better_auth'])
    const checksums = await db.selectFrom(CHECKSUM_TABLE as never).select('name' as never).execute()
    expect(checksums.map((r) => (r as { name: string }).name)).toEqual(['0001_better_auth'])
  })
})
