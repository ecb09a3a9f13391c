/**
 * The data-loss guard holds whichever front end undoes the migrations: the CLI's `migrate:down`,
 * `migrateDown`, a Migrator from `createMigrator` (an application's own code), and kysely-ctl
 * through `kysely.config.ts`. Each refuses, changing nothing, while the migration's tables or
 * columns hold data; each, forced its documented way, undoes it.
 *
 * (Before the guard moved into the Migrator, kysely-ctl's `migrate:down` dropped `user` with its
 * rows and the artworks' `user_id` with its links, and a Migrator's `migrateTo(NO_MIGRATIONS)`
 * undid the harmless migrations before it reached the refused one.)
 */
import { NO_MIGRATIONS, type Kysely } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAuth, createMigrator, DataLossError, migrateDown, migrateToLatest } from '../src/index.js'
import { migrationNames, MIGRATION_TABLE } from '../src/tools.js'
import { runKyselyCtl } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, withOpenDatabase, type TestDatabase } from './support/databases.js'
import { snapshotSchema } from './support/schema-snapshot.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

describeEachDatabase('every front end refuses a down that loses data', (kind) => {
  let testDb: TestDatabase
  beforeEach(async () => {
    testDb = await createTestDatabase(kind)
  })
  afterEach(async () => {
    await testDb?.drop()
  })

  const withDb = <T>(work: (db: Kysely<any>) => Promise<T>): Promise<T> => withOpenDatabase(testDb, work)
  const applied = (db: Kysely<any>) => db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute().then((rows) => rows.map((r) => r.name as string))
  /** The whole schema and every row that matters: what a refusal must leave as it was. */
  const state = (db: Kysely<any>) =>
    Promise.all([
      snapshotSchema(db),
      applied(db),
      db.selectFrom('user').select(['id', 'email']).execute(),
      db.selectFrom('session').select('id').execute(),
      db.selectFrom('account').select('id').execute(),
      db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).orderBy('job_id').execute(),
    ])

  /** Migrated, with one user (signed up through Better Auth: a session and an account) owning three artworks. */
  async function migratedWithAUser(): Promise<void> {
    await withDb(async (db) => {
      await migrateToLatest(db)
      const auth = createAuth({ db, target: { kind: 'pglite', dataDir: undefined }, dialect: kind === 'mysql' ? 'mysql' : 'postgres' }, TEST_AUTH_OPTIONS)
      const { user } = await auth.api.signUpEmail({ body: { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' } })
      await db
        .insertInto('artwork_jobs')
        .values(['a1', 'a2', 'a3'].map((job) => ({ job_id: job, original_url: `s3://${job}`, user_id: user.id })))
        .execute()
    })
  }

  it('kysely-ctl: migrate:down refuses, changing nothing; ARTORIZER_FORCE_DOWN=1 undoes (its --all is the Migrator case below)', async () => {
    await migratedWithAUser()
    const ctl = (args: string[], env: Record<string, string> = {}) => runKyselyCtl(args, { DATABASE_URL: testDb.url, ...env })
    // 0004 and 0003 lose nothing (a collation, indexes): they go (through the API: each kysely-ctl start costs seconds).
    await withDb((db) => migrateDown(db, { to: '0002_artorizer_user_link' }))
    const before = await withDb(state)
    expect(before[1]).toEqual(migrationNames.slice(0, 2))

    const refused = await ctl(['migrate:down'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr + refused.stdout).toContain('would delete artwork_jobs.user_id (3 linked rows) from 0002_artorizer_user_link')
    expect(refused.stderr + refused.stdout).toContain('ARTORIZER_FORCE_DOWN=1')
    expect(await withDb(state)).toEqual(before)

    const forced = await ctl(['migrate:down'], { ARTORIZER_FORCE_DOWN: '1' })
    expect(forced.code, forced.stderr + forced.stdout).toBe(0)
    await withDb(async (db) => expect(await applied(db)).toEqual(migrationNames.slice(0, 1)))
  })

  it("createMigrator: Kysely's migrateDown and migrateTo(NO_MIGRATIONS) return DataLossError, changing nothing; { force: true } undoes", async () => {
    await migratedWithAUser()
    await withDb(async (db) => {
      const before = await state(db)
      const migrator = createMigrator(db)
      for (const run of [() => migrator.migrateTo(NO_MIGRATIONS), () => migrator.migrateTo('0001_better_auth')]) {
        const { error, results } = await run()
        expect(error).toBeInstanceOf(DataLossError)
        expect(results).toBeUndefined()
        expect(await state(db)).toEqual(before)
      }
      // The last migration loses nothing: a single step down goes through.
      expect((await migrator.migrateDown()).error).toBeUndefined()
      expect(await applied(db)).toEqual(migrationNames.slice(0, -1))

      const forced = await createMigrator(db, { force: true }).migrateTo(NO_MIGRATIONS)
      expect(forced.error).toBeUndefined()
      expect(await applied(db)).toEqual([])
    })
  })

  it('migrateDown refuses alike, changing nothing; force: true undoes (the CLI over it: down-guard.test.ts)', async () => {
    await migratedWithAUser()
    await withDb(async (db) => {
      const before = await state(db)
      await expect(migrateDown(db, { all: true })).rejects.toBeInstanceOf(DataLossError)
      await expect(migrateDown(db, { to: '0001_better_auth' })).rejects.toThrow('changed nothing')
      expect(await state(db)).toEqual(before)
      expect((await migrateDown(db, { all: true }, { force: true })).map((s) => s.name)).toEqual([...migrationNames].reverse())
      expect(await applied(db)).toEqual([])
    })
  })
})
