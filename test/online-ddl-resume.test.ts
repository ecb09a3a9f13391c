/**
 * Every online step of the linking migration can be interrupted and resumed: the database is
 * left as a run that died between two steps (or inside one) would leave it, `migrateToLatest`
 * runs again, and the schema ends complete and valid with every row kept. (Killing the whole
 * process at many points is test/crash tests' job; here each state is made exactly.)
 */
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { MigrationFailedError, createMigrator, migrateDown, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { sameTypeAs } from '../src/model/type-rules.js'
import { findColumn, listColumns, listForeignKeys, listIndexes } from '../src/ddl/introspect.js'
import { recordCreation } from '../src/ddl/ledger.js'
import { ensureForeignKey, ensureIndex, ensureNullableColumn } from '../src/ddl/apply.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

const LINK = '0002_artorizer_user_link'
const USER_ID_INDEX = { table: 'artwork_jobs', name: 'artwork_jobs_user_id_idx', columns: ['user_id'] }
const USER_ID_FK = { table: 'artwork_jobs', name: 'artwork_jobs_user_id_fk', column: 'user_id', referencedTable: 'user', referencedColumn: 'id' }
const ROWS = 50

describeEachDatabase('resuming the online linking steps', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  let db: Kysely<any>

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
    db = database.db
    const serial = kind === 'mysql' ? sql`bigint not null auto_increment primary key` : sql`bigserial primary key`
    await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null,
      protected_url text, status varchar(20) not null default 'pending', created_at timestamp not null default current_timestamp)`.execute(db)
    const rows = Array.from({ length: ROWS }, (_, i) => ({ job_id: `legacy-${i}`, original_url: `s3://in/${i}.png` }))
    await db.insertInto('artwork_jobs').values(rows).execute()
  })
  beforeEach(async () => {
    // Back to the legacy table with Better Auth's tables in place, as before a first run of 0002.
    await migrateDown(db, { to: '0001_better_auth' })
    const result = await createMigrator(db).migrateTo('0001_better_auth')
    if (result.error) throw result.error
    expect(await findColumn(db, 'artwork_jobs', 'user_id')).toBeUndefined()
  })
  afterAll(async () => {
    await db?.destroy()
    await testDb?.drop()
  })

  /** The first step of 0002, exactly as the migration takes it. */
  async function addColumn(): Promise<void> {
    const userId = await findColumn(db, 'user', 'id')
    await ensureNullableColumn(db, LINK, { table: 'artwork_jobs', column: 'user_id', type: sameTypeAs(userId!) })
  }

  /** After the rerun: the whole schema, valid, every legacy row still there, and `down` still undoes all of it. */
  async function expectCompleteAndValid(): Promise<void> {
    expect((await listColumns(db, 'artwork_jobs')).filter((c) => c.name === 'user_id')).toHaveLength(1)
    const indexes = await listIndexes(db, 'artwork_jobs')
    for (const name of ['artwork_jobs_user_id_idx', 'artwork_jobs_user_id_created_at_idx']) {
      expect(indexes.filter((i) => i.name === name).map((i) => i.valid)).toEqual([true])
    }
    expect((await listForeignKeys(db, 'artwork_jobs')).map((fk) => [fk.name, fk.onDelete, fk.validated])).toEqual([
      ['artwork_jobs_user_id_fk', 'CASCADE', true],
    ])
    const { count } = (await db.selectFrom('artwork_jobs').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow()) as { count: unknown }
    expect(Number(count)).toBe(ROWS)

    await migrateDown(db, { to: '0001_better_auth' })
    expect(await findColumn(db, 'artwork_jobs', 'user_id')).toBeUndefined()
    expect(await listForeignKeys(db, 'artwork_jobs')).toEqual([])
  }

  it('finishes a run that stopped after adding the column (no index, no foreign key)', async () => {
    await addColumn()
    expect((await migrateToLatest(db)).map((s) => s.name)).toEqual([LINK, '0003_indexes', '0004_exact_job_ids'])
    await expectCompleteAndValid()
  })

  it('finishes a run that stopped after the index (no foreign key)', async () => {
    await addColumn()
    await ensureIndex(db, LINK, USER_ID_INDEX)
    expect((await migrateToLatest(db)).map((s) => s.name)).toEqual([LINK, '0003_indexes', '0004_exact_job_ids'])
    await expectCompleteAndValid()
  })

  it('finishes a run that stopped after 0002 but before it was recorded', async () => {
    await addColumn()
    await ensureIndex(db, LINK, USER_ID_INDEX)
    await ensureForeignKey(db, LINK, USER_ID_FK)
    expect((await migrateToLatest(db)).map((s) => s.name)).toEqual([LINK, '0003_indexes', '0004_exact_job_ids'])
    await expectCompleteAndValid()
  })

  it.skipIf(kind !== 'postgres')('validates a foreign key left NOT VALID', async () => {
    await addColumn()
    await ensureIndex(db, LINK, USER_ID_INDEX)
    await recordCreation(db, LINK, { kind: 'foreign_key', table: 'artwork_jobs', name: USER_ID_FK.name })
    await sql`alter table artwork_jobs add constraint artwork_jobs_user_id_fk foreign key (user_id) references "user" (id) on delete cascade not valid`.execute(db)
    expect((await listForeignKeys(db, 'artwork_jobs')).map((fk) => fk.validated)).toEqual([false])

    await migrateToLatest(db)
    await expectCompleteAndValid()
  })

  it.skipIf(kind !== 'postgres')('drops and rebuilds an index left INVALID by a cancelled CONCURRENTLY build', async () => {
    await addColumn()
    // An open transaction that wrote to the table holds the concurrent build in its first wait,
    // where it is cancelled as a dying process's statement would be.
    const writer = await testDb.connect()
    const cancelled = await writer.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn)
      await sql`insert into artwork_jobs (job_id, original_url) values ('in-flight', 's3://in/x.png')`.execute(conn)
      const run = migrateToLatest(db).catch((error: unknown) => error)
      // Polled on a third connection: inside a transaction the progress view is a snapshot.
      const pid = await waitFor(async () => {
        const { rows } = await sql<{ pid: number }>`select pid from pg_stat_progress_create_index
          where relid = 'artwork_jobs'::regclass and datname = current_database()`.execute(db)
        return rows[0]?.pid
      })
      await sql`select pg_cancel_backend(${pid})`.execute(db)
      const error = await run
      await sql`rollback`.execute(conn)
      return error
    })
    await writer.db.destroy()
    expect(cancelled).toBeInstanceOf(MigrationFailedError)
    expect((cancelled as MigrationFailedError).migrationName).toBe(LINK)
    expect((await listIndexes(db, 'artwork_jobs')).filter((i) => i.name === USER_ID_INDEX.name).map((i) => i.valid)).toEqual([false])

    await migrateToLatest(db)
    await expectCompleteAndValid()
  })

  it.skipIf(kind !== 'mysql')('rebuilds an index whose online build was killed', async () => {
    await addColumn()
    // An open transaction holds a metadata lock on the table, so the build waits, and is killed there.
    const reader = await testDb.connect()
    const killed = await reader.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn)
      await sql`select id from artwork_jobs limit 1`.execute(conn)
      const run = migrateToLatest(db).catch((error: unknown) => error)
      const id = await waitFor(async () => {
        const { rows } = await sql<{ id: number }>`select id from information_schema.processlist
          where db = database() and info like 'alter table%add index%artwork_jobs_user_id_idx%'`.execute(conn)
        return rows[0]?.id
      })
      await sql`kill query ${sql.lit(Number(id))}`.execute(conn)
      const error = await run
      await sql`rollback`.execute(conn)
      return error
    })
    await reader.db.destroy()
    expect(killed).toBeInstanceOf(MigrationFailedError)
    expect((killed as MigrationFailedError).migrationName).toBe(LINK)

    await migrateToLatest(db)
    await expectCompleteAndValid()
  })

  it.skipIf(kind !== 'mysql')('restores foreign_key_checks on the connection when adding the key fails', async () => {
    await addColumn()
    // A parent column of the same type without an index, which a foreign key needs: the ALTER
    // itself fails, after the recipe has turned foreign_key_checks off.
    await sql`create table unindexed_parent (code varchar(255) character set utf8mb4 collate utf8mb4_bin)`.execute(db)
    await db.connection().execute(async (conn) => {
      const spec = { ...USER_ID_FK, name: 'artwork_jobs_bad_fk', referencedTable: 'unindexed_parent', referencedColumn: 'code' }
      await expect(ensureForeignKey(conn, LINK, spec)).rejects.toThrow(/constraint|index/i)
      const { rows } = await sql<{ checks: number }>`select @@session.foreign_key_checks as checks`.execute(conn)
      expect(Number(rows[0]?.checks)).toBe(1)
    })
    await migrateToLatest(db)
    await expectCompleteAndValid()
  })
})

/** Polls `probe` until it returns a value (at most 20 s). */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting for the migration to reach the step')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
