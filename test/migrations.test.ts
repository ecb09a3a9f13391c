import { isBookkeepingTable } from '../src/model/bookkeeping-tables.js'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDown, migrateToLatest, migrationStatus, type AuthDatabase } from '../src/index.js'
import { type Database } from '../src/schema.js'
import { migrationNames } from '../src/tools.js'
import { listColumns, listForeignKeys, listIndexes } from '../src/ddl/introspect.js'
import { createTestDatabase, describeEachDatabase, useSuiteDatabase, type TestDatabase } from './support/databases.js'
import { listTables, snapshotSchema } from './support/schema-snapshot.js'

const AUTH_TABLES = ['user', 'session', 'account', 'verification']

describeEachDatabase('migrations on a fresh database', (kind) => {
  let db: Kysely<Database>
  useSuiteDatabase(kind, ({ database }) => (db = database.db))

  it('applies every migration in order, then finds nothing to do', async () => {
    const first = await migrateToLatest(db)
    expect(first.map((s) => s.name)).toEqual(migrationNames)
    expect(await migrateToLatest(db)).toEqual([])
    const status = await migrationStatus(db)
    expect(status.every((s) => s.executedAt instanceof Date)).toBe(true)
  })

  it('creates the seed tables (Testing This Phase, query 1)', async () => {
    const schema = kind === 'mysql' ? sql`database()` : sql`current_schema()`
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = ${schema} and table_name in ('user', 'account', 'session', 'verification')`.execute(db)
    expect(rows.map((r) => r.name).sort()).toEqual([...AUTH_TABLES].sort())
    expect(await listTables(db)).toContain('artwork_jobs')
  })

  it('gives every column the dialect type', async () => {
    const types = Object.fromEntries((await listColumns(db, 'user')).map((c) => [c.name, c]))
    const session = Object.fromEntries((await listColumns(db, 'session')).map((c) => [c.name, c]))
    const artwork = Object.fromEntries((await listColumns(db, 'artwork_jobs')).map((c) => [c.name, c]))
    if (kind === 'mysql') {
      expect(types.id?.type).toBe('varchar(255)')
      expect(types.id?.collation).toBe('utf8mb4_bin')
      expect(types.email?.type).toBe('varchar(255)')
      expect(types.email?.charset).toBe('utf8mb4')
      expect(types.createdAt?.type).toBe('datetime(3)')
      expect(types.emailVerified?.type).toBe('tinyint(1)')
      expect(session.token?.collation).toBe('utf8mb4_bin')
    } else {
      expect(types.id?.type).toBe('text')
      expect(types.createdAt?.type).toBe('timestamp with time zone')
      expect(types.emailVerified?.type).toBe('boolean')
    }
    expect(types.image?.nullable).toBe(true)
    expect(types.email?.nullable).toBe(false)
    // user_id copies user.id exactly (type, and on MySQL charset and collation) and is nullable.
    expect(artwork.user_id).toMatchObject({ type: types.id?.type, charset: types.id?.charset, collation: types.id?.collation, nullable: true })
    expect(Object.keys(artwork)).toEqual(expect.arrayContaining(['id', 'user_id', 'job_id', 'original_url', 'protected_url', 'status', 'created_at']))
  })

  it('links tables with named ON DELETE CASCADE foreign keys (Testing This Phase, query 3)', async () => {
    const { rows } = await sql<{ table: string; name: string; rule: string; refTable: string }>`
      select table_name as ${sql.ref('table')}, constraint_name as name, delete_rule as rule, referenced_table_name as ${sql.ref('refTable')}
      from information_schema.referential_constraints
      where constraint_schema = ${kind === 'mysql' ? sql`database()` : sql`current_schema()`}`
      .execute(db)
      .catch(async () =>
        // PostgreSQL's referential_constraints has no table columns: join the seed's way.
        sql<{ table: string; name: string; rule: string; refTable: string }>`
          select tc.table_name as "table", tc.constraint_name as name, rc.delete_rule as rule, ccu.table_name as "refTable"
          from information_schema.table_constraints tc
          join information_schema.referential_constraints rc on rc.constraint_name = tc.constraint_name
          join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
          where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(db),
      )
    const fks = rows.map((r) => `${r.table}.${r.name}->${r.refTable} ${r.rule}`).sort()
    expect(fks).toEqual([
      'account.account_userId_fk->user CASCADE',
      'artwork_jobs.artwork_jobs_user_id_fk->user CASCADE',
      'session.session_userId_fk->user CASCADE',
    ])
    for (const table of ['session', 'account', 'artwork_jobs']) {
      for (const fk of await listForeignKeys(db, table)) expect(fk.validated).toBe(true)
    }
  })

  it('creates the indexes, with Better Auth names where it has them', async () => {
    const describeIndexes = async (table: string) =>
      (await listIndexes(db, table)).filter((i) => !i.primary).map((i) => `${i.name}(${i.columns.join(',')})${i.unique ? ' unique' : ''}`).sort()
    expect(await describeIndexes('user')).toEqual(['user_email_uidx(email) unique'])
    expect(await describeIndexes('session')).toEqual(['session_token_uidx(token) unique', 'session_userId_idx(userId)'])
    expect(await describeIndexes('account')).toEqual(['account_providerId_accountId_idx(providerId,accountId)', 'account_userId_idx(userId)'])
    expect(await describeIndexes('verification')).toEqual(['verification_identifier_idx(identifier)'])
    expect(await describeIndexes('artwork_jobs')).toEqual([
      'artwork_jobs_job_id_uidx(job_id) unique',
      'artwork_jobs_user_id_created_at_idx(user_id,created_at)',
      'artwork_jobs_user_id_idx(user_id)',
    ])
  })

  it('inserts a user, links an artwork, and cascades the user delete', async () => {
    await db.insertInto('user').values({ id: 'u1', name: 'Ada', email: 'ada@example.com' }).execute()
    await db.insertInto('session').values({ id: 's1', token: 'tok-1', userId: 'u1', expiresAt: new Date(Date.now() + 3_600_000) }).execute()
    await db.insertInto('account').values({ id: 'a1', accountId: 'u1', providerId: 'credential', userId: 'u1' }).execute()
    await db.insertInto('artwork_jobs').values({ job_id: 'job-1', original_url: 's3://in/1.png', user_id: 'u1' }).execute()
    const artwork = await db.selectFrom('artwork_jobs').selectAll().where('user_id', '=', 'u1').executeTakeFirstOrThrow()
    expect(artwork).toMatchObject({ job_id: 'job-1', status: 'pending', protected_url: null })
    expect(artwork.created_at).toBeInstanceOf(Date)

    await expect(db.insertInto('artwork_jobs').values({ job_id: 'job-2', original_url: 'x', user_id: 'nobody' }).execute()).rejects.toThrow()

    await db.deleteFrom('user').where('id', '=', 'u1').execute()
    for (const table of ['session', 'account'] as const) {
      expect(await db.selectFrom(table).select('id').where('userId', '=', 'u1').execute()).toEqual([])
    }
    expect(await db.selectFrom('artwork_jobs').select('id').where('job_id', '=', 'job-1').execute()).toEqual([])
  })

  it('goes down one migration at a time to zero and back up to the same schema', async () => {
    const before = await snapshotSchema(db)
    for (const name of [...migrationNames].reverse()) {
      expect((await migrateDown(db)).map((s) => s.name)).toEqual([name])
    }
    expect(await migrateDown(db)).toEqual([])
    const left = (await listTables(db)).filter((t) => !isBookkeepingTable(t))
    expect(left).toEqual([])
    await migrateToLatest(db)
    expect(await snapshotSchema(db)).toEqual(before)
  })
})

describeEachDatabase('migrations over an existing artwork_jobs with rows', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  let db: Kysely<any>
  const rows = Array.from({ length: 25 }, (_, i) => ({ job_id: `legacy-${i}`, original_url: `s3://in/${i}.png`, status: i % 2 ? 'done' : 'queued' }))

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
    db = database.db
    const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
    await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null,
      protected_url text, status varchar(20) not null, created_at timestamp not null default current_timestamp, extra_note text)`.execute(db)
    await sql`create table upload_history (id ${serial}, uploaded_at timestamp not null default current_timestamp, filename text)`.execute(db)
    await db.insertInto('artwork_jobs').values(rows).execute()
    await db.insertInto('upload_history').values([{ filename: 'a.png' }, { filename: 'b.png' }]).execute()
  })
  afterAll(async () => {
    await db?.destroy()
    await testDb?.drop()
  })

  const content = () => db.selectFrom('artwork_jobs').select(['id', 'job_id', 'original_url', 'status', 'extra_note']).orderBy('id').execute()

  it('keeps every row, adds user_id (NULL), and links upload_history too', async () => {
    const before = await content()
    expect(before).toHaveLength(25)
    await migrateToLatest(db)
    expect(await content()).toEqual(before)
    expect(await db.selectFrom('artwork_jobs').select('user_id').where('user_id', 'is not', null).execute()).toEqual([])
    expect((await listColumns(db, 'upload_history')).map((c) => c.name)).toContain('user_id')
    expect((await listForeignKeys(db, 'upload_history')).map((f) => f.name)).toEqual(['upload_history_user_id_fk'])
    expect(await db.selectFrom('upload_history').select('filename').orderBy('id').execute()).toEqual([{ filename: 'a.png' }, { filename: 'b.png' }])
  })

  it('keeps the tables it did not create, with every row, all the way down and up again', async () => {
    const before = await content()
    await migrateDown(db, { all: true })
    expect(await listTables(db)).toEqual(expect.arrayContaining(['artwork_jobs', 'upload_history']))
    expect((await listColumns(db, 'artwork_jobs')).map((c) => c.name)).not.toContain('user_id')
    expect(await content()).toEqual(before)
    expect(await db.selectFrom('upload_history').select('filename').execute()).toHaveLength(2)
    await migrateToLatest(db)
    expect(await content()).toEqual(before)
  })
})

describe('migration names', () => {
  it('are fixed-width and sorted', () => {
    expect(migrationNames.every((n) => /^\d{4}_[a-z0-9_]+$/.test(n))).toBe(true)
    expect([...migrationNames].sort()).toEqual(migrationNames)
  })
})
