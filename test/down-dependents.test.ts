/**
 * `migrate:down` and objects the module does not own: a table of a Better Auth plugin whose
 * foreign key references `user.id`, or a view over `user`. The down refuses before its first
 * change (forced or not, and when kysely-ctl drives the Migrator), naming them in one line; and
 * a down that fails midway anyway puts back what it had removed, so that the history
 * (`kysely_migration`) matches the schema.
 */
import { NO_MIGRATIONS, sql, type Kysely, type KyselyPlugin } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createMigrator, DownBlockedError, migrateDown, migrateToLatest, MigrationFailedError } from '../src/index.js'
import { migrationNames, MIGRATION_TABLE } from '../src/tools.js'
import { runCli } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, withOpenDatabase, type TestDatabase } from './support/databases.js'
import { snapshotSchema } from './support/schema-snapshot.js'

describeEachDatabase('migrate:down and what depends on it', (kind) => {
  let testDb: TestDatabase
  beforeEach(async () => {
    testDb = await createTestDatabase(kind)
  })
  afterEach(async () => {
    await testDb?.drop()
  })

  const withDb = <T>(work: (db: Kysely<any>) => Promise<T>): Promise<T> => withOpenDatabase(testDb, work)
  const applied = (db: Kysely<any>) => db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute().then((rows) => rows.map((r) => r.name as string))

  /** A plugin's table, as Better Auth's own migration makes one: its `userId` references `user.id`. */
  async function addPluginTable(db: Kysely<any>): Promise<void> {
    const userId = kind === 'mysql' ? sql`varchar(255) character set utf8mb4 collate utf8mb4_bin` : sql`text`
    await sql`create table plugin_member (id varchar(64) primary key, ${sql.ref('userId')} ${userId} not null,
      constraint plugin_member_userId_fk foreign key (${sql.ref('userId')}) references ${sql.table('user')} (id) on delete cascade)`.execute(db)
  }

  it('refuses, before any change and even forced, a down that would drop user under a foreign key of a table it does not own', async () => {
    const before = await withDb(async (db) => {
      await migrateToLatest(db)
      await addPluginTable(db)
      return snapshotSchema(db)
    })
    const refused = await runCli(['migrate:down', '--all', '--force'], { DATABASE_URL: testDb.url })
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toMatch(/user is used by foreign key plugin_member\.userId → user \(plugin_member_userId_fk\)/i) // PostgreSQL folds the name
    expect(refused.stderr).toContain('drop them (or their foreign keys) first')
    await withDb(async (db) => {
      expect(await applied(db)).toEqual(migrationNames)
      expect(await snapshotSchema(db)).toEqual(before)
      // Once the foreign key is gone, the same down goes through.
      await sql`drop table plugin_member`.execute(db)
      expect((await migrateDown(db, { all: true }, { force: true })).map((s) => s.name)).toEqual([...migrationNames].reverse())
      expect(await applied(db)).toEqual([])
    })
  })

  it('refuses a down that would drop a table under a view, naming the view', async () => {
    await withDb(async (db) => {
      await migrateToLatest(db)
      await sql`create view user_emails as select email from ${sql.table('user')}`.execute(db)
      const before = await snapshotSchema(db)
      await expect(migrateDown(db, { all: true }, { force: true })).rejects.toThrow(/user is used by view user_emails/)
      expect(await applied(db)).toEqual(migrationNames)
      expect(await snapshotSchema(db)).toEqual(before)
    })
  })

  it('kysely-ctl too (the Migrator alone): the run is refused before it changes anything, and every migration stays whole', async () => {
    await withDb(async (db) => {
      await migrateToLatest(db)
      await addPluginTable(db)
      const { error, results } = await createMigrator(db).migrateTo(NO_MIGRATIONS)
      expect(error).toBeInstanceOf(DownBlockedError)
      expect(results).toBeUndefined()
      // 0004, 0003 and 0002 had nothing in the way, but the Migrator checks the whole run before its
      // first step (since the guards moved into it), so they are not undone either.
      expect(await applied(db)).toEqual(migrationNames)
      for (const table of ['user', 'session', 'account', 'verification']) expect(await db.selectFrom(table).selectAll().execute()).toEqual([])
    })
  })

  it('a down that fails midway puts back what it removed: the history matches the schema', async () => {
    const reference = await createTestDatabase(kind)
    let expected: Record<string, unknown>
    try {
      const database = await reference.connect()
      try {
        await createMigrator(database.db).migrateTo('0001_better_auth')
        expected = await snapshotSchema(database.db)
      } finally {
        await database.db.destroy()
      }
    } finally {
      await reference.drop()
    }
    await withDb(async (db) => {
      await migrateToLatest(db)
      // A failure that no check can foresee (a lost connection, a server error) as 0001 drops `user`,
      // after it has dropped session, account and verification.
      const failing = db.withPlugin(failOnDropOf('user'))
      const error = await migrateDown(failing, { all: true }, { force: true }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MigrationFailedError)
      expect((error as Error).message).toMatch(/undoing 0001_better_auth failed midway .*so it is still applied and the schema matches it/)
      expect(await applied(db)).toEqual(['0001_better_auth'])
      expect(await snapshotSchema(db)).toEqual(expected)
      // And it can be finished, or brought back up.
      await migrateToLatest(db)
      expect(await applied(db)).toEqual(migrationNames)
    })
  })
})

/** Fails the statement that drops `table`, as the server would. */
function failOnDropOf(table: string): KyselyPlugin {
  return {
    transformQuery(args) {
      const node = args.node as { kind: string; table?: { table?: { identifier?: { name?: string } } }; sqlFragments?: readonly string[] }
      if (node.kind === 'DropTableNode' && node.table?.table?.identifier?.name === table) throw new Error(`injected failure dropping ${table}`)
      // The engines' drop recipes send raw SQL (`drop table if exists ${sql.table(name)}`).
      const raw = node.kind === 'RawNode' && /drop table/i.test((node.sqlFragments ?? []).join(''))
      if (raw && JSON.stringify(node).includes(`"name":"${table}"`)) throw new Error(`injected failure dropping ${table}`)
      return args.node
    },
    transformResult: async (args) => args.result,
  }
}
