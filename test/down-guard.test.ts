/**
 * `migrate:down` never loses accounts or artwork owners without `--force`, says what would be
 * lost, and never (forced or not) drops a table that the module did not create.
 */
import { getMigrations } from 'better-auth/db/migration'
import { sql, type Kysely } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAuth, DataLossError, migrateDown, migrateToLatest } from '../src/index.js'
import { dataLostByDown, migrationNames, migrationsUndoneBy, MIGRATION_TABLE } from '../src/tools.js'
import { listColumns, tableExists } from '../src/ddl/introspect.js'
import { runCli } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, withOpenDatabase, type TestDatabase } from './support/databases.js'
import { listTables } from './support/schema-snapshot.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const AUTH_OPTIONS = TEST_AUTH_OPTIONS

describeEachDatabase('migrate:down and data', (kind) => {
  let testDb: TestDatabase
  beforeEach(async () => {
    testDb = await createTestDatabase(kind)
  })
  afterEach(async () => {
    await testDb?.drop()
  })

  const withDb = <T>(work: (db: Kysely<any>) => Promise<T>): Promise<T> => withOpenDatabase(testDb, work)
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: testDb.url })
  const applied = () => withDb(async (db) => (await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute()).map((r) => r.name))

  /** A migrated database with one user (signed up through Better Auth, so with a session and an account) owning one artwork. */
  async function migratedWithAUser(): Promise<void> {
    await withDb(async (db) => {
      await migrateToLatest(db)
      const auth = createAuth({ db, target: { kind: 'pglite', dataDir: undefined }, dialect: kind === 'mysql' ? 'mysql' : 'postgres' }, AUTH_OPTIONS)
      const { user } = await auth.api.signUpEmail({ body: { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' } })
      await db.insertInto('artwork_jobs').values([{ job_id: 'a1', original_url: 's3://a1', user_id: user.id }, { job_id: 'orphan', original_url: 's3://o' }]).execute()
    })
  }

  it('refuses a down that would unlink artworks from their owners, saying how many, and changes nothing', async () => {
    await migratedWithAUser()
    expect((await cli('migrate:down')).code).toBe(0) // 0004 changes a collation back: nothing is lost
    expect((await cli('migrate:down')).code).toBe(0) // 0003 drops indexes only: nothing is lost

    const refused = await cli('migrate:down')
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('migrate:down would delete artwork_jobs.user_id (1 linked row) from 0002_artorizer_user_link')
    expect(refused.stderr).toContain('run it again with --force')
    expect(await applied()).toEqual(migrationNames.slice(0, 2))
    expect(await withDb(async (db) => (await listColumns(db, 'artwork_jobs')).map((c) => c.name))).toContain('user_id')

    const json = await cli('migrate:down', '--to', '0001_better_auth', '--json')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      wouldLose: [{ migration: '0002_artorizer_user_link', table: 'artwork_jobs', column: 'user_id', rows: 1 }],
    })
  })

  it('refuses --all while users, sessions and accounts exist, then --force does it', async () => {
    await migratedWithAUser()
    const refused = await cli('migrate:down', '--all')
    expect(refused.code).toBe(1)
    for (const loss of ['artwork_jobs.user_id (1 linked row)', 'user (1 row)', 'session (1 row)', 'account (1 row)']) expect(refused.stderr).toContain(loss)
    expect(await applied()).toEqual(migrationNames)
    expect(await withDb((db) => tableExists(db, 'user'))).toBe(true)

    const forced = await cli('migrate:down', '--all', '--force')
    expect(forced.code, forced.stderr).toBe(0)
    expect(await applied()).toEqual([])
    expect(await withDb((db) => tableExists(db, 'user'))).toBe(false)
  })

  it('is an exported guard: migrateDown rejects with DataLossError, dataLostByDown counts', async () => {
    await migratedWithAUser()
    await withDb(async (db) => {
      expect(await migrationsUndoneBy(db, { to: '0001_better_auth' })).toEqual(['0004_exact_job_ids', '0003_indexes', '0002_artorizer_user_link'])
      expect(await dataLostByDown(db, await migrationsUndoneBy(db, { all: true }))).toEqual([
        { migration: '0002_artorizer_user_link', table: 'artwork_jobs', column: 'user_id', rows: 1 },
        { migration: '0001_better_auth', table: 'account', rows: 1 },
        { migration: '0001_better_auth', table: 'session', rows: 1 },
        { migration: '0001_better_auth', table: 'user', rows: 1 },
      ])
      await expect(migrateDown(db, { all: true })).rejects.toBeInstanceOf(DataLossError)
      await db.deleteFrom('user').execute() // cascades to sessions, accounts and the user's artworks
      expect(await migrateDown(db, { all: true })).toHaveLength(4)
    })
  })

  it('never drops a table it did not create, even with --force', async () => {
    await withDb(async (db) => {
      // Better Auth's tables made by Better Auth's own migrator, as `better-auth migrate` would.
      const plan = await getMigrations({ ...AUTH_OPTIONS, database: { db, type: kind === 'mysql' ? 'mysql' : 'postgres' } })
      await plan.runMigrations()
      const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
      await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null, status varchar(20) not null)`.execute(db)
      await sql`create table upload_history (id ${serial}, filename text)`.execute(db)
      await sql`create table notes (id ${serial}, body text)`.execute(db)
      await db.insertInto('artwork_jobs').values({ job_id: 'legacy', original_url: 's3://l', status: 'done' }).execute()
      await db.insertInto('notes').values({ body: 'keep me' }).execute()
    })
    const before = await withDb(listTables)
    const migrated = await cli('migrate:latest')
    expect(migrated.code, migrated.stderr).toBe(0)
    await withDb(async (db) => {
      const auth = createAuth({ db, target: { kind: 'pglite', dataDir: undefined }, dialect: kind === 'mysql' ? 'mysql' : 'postgres' }, AUTH_OPTIONS)
      await auth.api.signUpEmail({ body: { email: 'bo@example.com', password: 'correct horse battery staple', name: 'Bo' } })
    })

    const forced = await cli('migrate:down', '--all', '--force')
    expect(forced.code, forced.stderr).toBe(0)
    expect(await withDb(listTables)).toEqual(expect.arrayContaining(before))
    await withDb(async (db) => {
      expect(await db.selectFrom('user').select('email').execute()).toEqual([{ email: 'bo@example.com' }])
      expect(await db.selectFrom('artwork_jobs').select('job_id').execute()).toEqual([{ job_id: 'legacy' }])
      expect(await db.selectFrom('notes').select('body').execute()).toEqual([{ body: 'keep me' }])
      expect((await listColumns(db, 'artwork_jobs')).map((c) => c.name)).not.toContain('user_id')
    })
  })
})
