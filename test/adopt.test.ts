/**
 * Adopt, don't collide: `migrateToLatest` over databases that already hold Better Auth's tables
 * or a legacy `artwork_jobs`, with rows. Every row stays as it was, Better Auth's users still
 * sign in, and a shape that cannot be adopted stops the run before any change.
 */
import { BOOKKEEPING_TABLES, isBookkeepingTable } from '../src/model/bookkeeping-tables.js'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuth, migrateDown, migrateToLatest, SchemaConflictError, type AuthDatabase } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { findSchemaConflicts, findSchemaFindings } from '../src/migrations/index.js'
import { sameTypeAs } from '../src/model/type-rules.js'
import { findColumn, listColumns, listForeignKeys, listIndexes } from '../src/ddl/introspect.js'
import {
  AUTH_OPTIONS,
  LEGACY_SHAPES,
  PASSWORD,
  betterAuthMigrate,
  betterAuthPendingChanges,
  columnNames,
  createOldBetterAuthTables,
  dropAllTables,
  insertOldBetterAuthRows,
  snapshotRows,
} from './support/adopt-fixtures.js'
import { createTestDatabase, describeEachDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'
import { listTables, snapshotSchema } from './support/schema-snapshot.js'

/**
 * One database per engine for this whole file (a fresh PGlite costs seconds on a busy
 * machine), emptied before each suite that uses it and dropped after the file.
 */
const shared = new Map<DatabaseKind, Promise<{ testDb: TestDatabase; database: AuthDatabase }>>()
afterAll(async () => {
  for (const opened of shared.values()) {
    const { testDb, database } = await opened
    await database.db.destroy()
    await testDb.drop()
  }
})

function useDatabase(kind: DatabaseKind): { readonly database: AuthDatabase; readonly db: Kysely<any> } {
  const state = {} as { database: AuthDatabase }
  beforeAll(async () => {
    if (!shared.has(kind)) {
      shared.set(kind, createTestDatabase(kind).then(async (testDb) => ({ testDb, database: await testDb.connect() })))
    }
    state.database = (await shared.get(kind)!).database
    await dropAllTables(state.database.db)
  })
  return {
    get database() {
      return state.database
    },
    get db() {
      return state.database.db
    },
  }
}

async function signInStatus(database: AuthDatabase, email: string): Promise<number> {
  const auth = createAuth(database, AUTH_OPTIONS)
  const response = await auth.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })
  return response.status
}

/** Each table's foreign keys as `column->table.column RULE`, whatever their names. */
async function foreignKeyShapes(db: Kysely<any>, table: string): Promise<string[]> {
  return (await listForeignKeys(db, table)).map((fk) => `${fk.columns.join()}->${fk.referencedTable}.${fk.referencedColumns.join()} ${fk.onDelete}`).sort()
}

async function indexColumns(db: Kysely<any>, table: string): Promise<string[]> {
  return (await listIndexes(db, table)).map((i) => i.columns.join(','))
}

describeEachDatabase("adopting the tables of Better Auth's own migration", (kind) => {
  const ctx = useDatabase(kind)
  const emails = [1, 2].map((i) => `ba${i}.${kind}@example.com`)
  let rowsBefore: Record<string, unknown[]>
  let columnsBefore: Record<string, string[]>
  let schemaBefore: Record<string, unknown>

  beforeAll(async () => {
    await betterAuthMigrate(ctx.database)
    const auth = createAuth(ctx.database, AUTH_OPTIONS)
    for (const email of emails) await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: email.split('@')[0]! } })
    const ctxAuth = await auth.$context
    await ctxAuth.internalAdapter.createVerificationValue({ identifier: 'reset', value: 'x', expiresAt: new Date(Date.UTC(2030, 0, 1)) })
    rowsBefore = await snapshotRows(ctx.db)
    columnsBefore = await columnNames(ctx.db)
    schemaBefore = await snapshotSchema(ctx.db)
    expect(rowsBefore.user).toHaveLength(2)
    expect(rowsBefore.session).toHaveLength(2)
  })

  it('has nothing to refuse, then applies every migration', async () => {
    expect(await findSchemaConflicts(ctx.db, migrationNames)).toEqual([])
    expect((await migrateToLatest(ctx.db)).map((s) => s.name)).toEqual(migrationNames)
  })

  it('keeps every row of every table, unchanged', async () => {
    expect(await snapshotRows(ctx.db, columnsBefore)).toEqual(rowsBefore)
  })

  it('leaves Better Auth nothing to create or add', async () => {
    expect(await betterAuthPendingChanges(ctx.database)).toEqual([])
  })

  it('signs in the users Better Auth created before, and signs up new ones', async () => {
    for (const email of emails) expect(await signInStatus(ctx.database, email)).toBe(200)
    const auth = createAuth(ctx.database, AUTH_OPTIONS)
    await auth.api.signUpEmail({ body: { email: `after.${kind}@example.com`, password: PASSWORD, name: 'After' } })
    expect(await signInStatus(ctx.database, `after.${kind}@example.com`)).toBe(200)
  })

  it('has the target keys and indexes', async () => {
    expect(await foreignKeyShapes(ctx.db, 'session')).toEqual(['userId->user.id CASCADE'])
    expect(await foreignKeyShapes(ctx.db, 'account')).toEqual(['userId->user.id CASCADE'])
    expect(await foreignKeyShapes(ctx.db, 'artwork_jobs')).toEqual(['user_id->user.id CASCADE'])
    expect(await indexColumns(ctx.db, 'account')).toEqual(expect.arrayContaining(['providerId,accountId', 'userId']))
    expect(await indexColumns(ctx.db, 'verification')).toContain('identifier')
    expect(await indexColumns(ctx.db, 'artwork_jobs')).toEqual(expect.arrayContaining(['user_id', 'user_id,created_at']))
    // The unique keys Better Auth made are kept, not duplicated.
    expect((await listIndexes(ctx.db, 'user')).filter((i) => i.columns.join() === 'email')).toHaveLength(1)
    // artwork_jobs.user_id copies user.id as Better Auth made it.
    const userId = await findColumn(ctx.db, 'user', 'id')
    expect(await findColumn(ctx.db, 'artwork_jobs', 'user_id')).toMatchObject({ type: userId?.type, collation: userId?.collation, nullable: true })
  })

  it('widens verification.id where Better Auth made it too narrow for its 43-character ids', async () => {
    const id = 'v'.repeat(43)
    await ctx.db.insertInto('verification').values({ id, identifier: 'otp', value: '1', expiresAt: new Date() }).execute()
    expect((await ctx.db.selectFrom('verification').select('id').where('id', '=', id).executeTakeFirst())?.id).toBe(id)
    await ctx.db.deleteFrom('verification').where('id', '=', id).execute()
  })

  it('goes all the way down leaving the adopted tables and their rows, and up again', async () => {
    const rows = await snapshotRows(ctx.db, columnsBefore)
    await migrateDown(ctx.db, { all: true })
    const tables = (await listTables(ctx.db)).filter((t) => !isBookkeepingTable(t))
    expect(tables.sort()).toEqual(['account', 'session', 'user', 'verification'])
    expect(await snapshotRows(ctx.db, columnsBefore)).toEqual(rows)
    // Only what the migrations added is gone: the schema is Better Auth's again, but for the
    // columns widened or bounded on the way up, which keep their wider type.
    const after = await snapshotSchema(ctx.db)
    for (const table of BOOKKEEPING_TABLES) delete after[table]
    expect(withoutTypes(after)).toEqual(withoutTypes(schemaBefore))

    await migrateToLatest(ctx.db)
    expect(await snapshotRows(ctx.db, columnsBefore)).toEqual(rows)
    expect(await betterAuthPendingChanges(ctx.database)).toEqual([])
    for (const email of emails) expect(await signInStatus(ctx.database, email)).toBe(200)
  })
})

describeEachDatabase("adopting an older Better Auth's partial tables", (kind) => {
  const ctx = useDatabase(kind)
  let emails: string[]
  let rowsBefore: Record<string, unknown[]>
  let columnsBefore: Record<string, string[]>

  beforeAll(async () => {
    await createOldBetterAuthTables(ctx.db, kind)
    emails = await insertOldBetterAuthRows(ctx.db, 3)
    rowsBefore = await snapshotRows(ctx.db)
    columnsBefore = await columnNames(ctx.db)
  })

  it('adds what is missing and keeps every row', async () => {
    expect(await migrateToLatest(ctx.db)).toHaveLength(migrationNames.length)
    expect(await snapshotRows(ctx.db, columnsBefore)).toEqual(rowsBefore)
    expect((await listColumns(ctx.db, 'user')).map((c) => c.name)).toContain('image')
    expect((await listColumns(ctx.db, 'account')).map((c) => c.name)).toEqual(expect.arrayContaining(['idToken', 'scope', 'accessTokenExpiresAt']))
    expect(await betterAuthPendingChanges(ctx.database)).toEqual([])
  })

  it('adds the foreign keys and indexes the old tables lacked', async () => {
    expect(await foreignKeyShapes(ctx.db, 'session')).toEqual(['userId->user.id CASCADE'])
    expect(await foreignKeyShapes(ctx.db, 'account')).toEqual(['userId->user.id CASCADE'])
    expect(await indexColumns(ctx.db, 'account')).toEqual(expect.arrayContaining(['providerId,accountId', 'userId']))
    expect(await indexColumns(ctx.db, 'session')).toEqual(expect.arrayContaining(['userId', 'token']))
    expect(await indexColumns(ctx.db, 'verification')).toContain('identifier')
    if (kind === 'mysql') {
      // text columns that needed an index became varchar(255) in their own character set.
      expect(await findColumn(ctx.db, 'account', 'accountId')).toMatchObject({ type: 'varchar(255)', nullable: false })
      expect(await findColumn(ctx.db, 'verification', 'identifier')).toMatchObject({ type: 'varchar(255)', nullable: false })
      expect(await findColumn(ctx.db, 'verification', 'id')).toMatchObject({ type: 'varchar(255)', collation: 'utf8mb4_bin' })
    } else {
      expect(await findColumn(ctx.db, 'verification', 'id')).toMatchObject({ type: 'text' })
    }
  })

  it('signs in the users the old version created', async () => {
    for (const email of emails) expect(await signInStatus(ctx.database, email)).toBe(200)
  })

  it('cascades a user delete through the keys it added', async () => {
    const id = (rowsBefore.user![0] as { id: string }).id
    await ctx.db.deleteFrom('user').where('id', '=', id).execute()
    expect(await ctx.db.selectFrom('session').select('id').where('userId', '=', id).execute()).toEqual([])
    expect(await ctx.db.selectFrom('account').select('id').where('userId', '=', id).execute()).toEqual([])
  })

  it('goes all the way down leaving the old tables and their rows', async () => {
    const rows = await snapshotRows(ctx.db, columnsBefore)
    await migrateDown(ctx.db, { all: true })
    expect(await snapshotRows(ctx.db, columnsBefore)).toEqual(rows)
    expect(await columnNames(ctx.db)).toMatchObject(columnsBefore)
    expect(await foreignKeyShapes(ctx.db, 'account')).toEqual(kind === 'mysql' ? [] : ['userId->user.id CASCADE'])
  })
})

describeEachDatabase('legacy artwork_jobs shapes', (kind) => {
  // One database for all shapes (a fresh PGlite costs seconds), emptied before each.
  const ctx = useDatabase(kind)
  for (const shape of LEGACY_SHAPES.filter((s) => !s.kinds || s.kinds.includes(kind))) {
    describe(shape.title, () => {
      let rowsBefore: Record<string, unknown[]>
      let columnsBefore: Record<string, string[]>

      beforeAll(async () => {
        await dropAllTables(ctx.db)
        await shape.create(ctx.db, kind)
        await ctx.db.insertInto('artwork_jobs').values(Array.from({ length: 30 }, (_, i) => shape.rows(i))).execute()
        if (shape.uploadHistory) await ctx.db.insertInto('upload_history').values([{ filename: 'a.png' }, { filename: 'b.png' }]).execute()
        rowsBefore = await snapshotRows(ctx.db)
        columnsBefore = await columnNames(ctx.db)
      })

      it('links it to users without changing a row', async () => {
        await migrateToLatest(ctx.db)
        expect(await snapshotRows(ctx.db, columnsBefore)).toEqual(rowsBefore)
        const userId = (await findColumn(ctx.db, 'user', 'id'))!
        for (const table of shape.uploadHistory ? ['artwork_jobs', 'upload_history'] : ['artwork_jobs']) {
          // Exactly user.id's type, character set and collation, whatever the table's own.
          expect(await findColumn(ctx.db, table, 'user_id')).toMatchObject({ type: userId.type, charset: userId.charset, collation: userId.collation, nullable: true })
          expect(await foreignKeyShapes(ctx.db, table)).toEqual(['user_id->user.id CASCADE'])
        }
        expect(await listTables(ctx.db)).toEqual(expect.arrayContaining(shape.uploadHistory ? ['upload_history'] : []))
        if (!shape.uploadHistory) expect(await listTables(ctx.db)).not.toContain('upload_history')
        // Without created_at there is no (user_id, created_at) index, only the user_id one.
        expect(await indexColumns(ctx.db, 'artwork_jobs')).toEqual(
          expect.arrayContaining(shape.createdAt ? ['user_id', 'user_id,created_at'] : ['user_id']),
        )
      })

      it('links a row to a user, and cascades its delete', async () => {
        const auth = createAuth(ctx.database, AUTH_OPTIONS)
        const { user } = await auth.api.signUpEmail({ body: { email: `owner.${kind}@example.com`, password: PASSWORD, name: 'Owner' } })
        await ctx.db.updateTable('artwork_jobs').set({ user_id: user.id }).where('job_id', '=', 'legacy-0').execute()
        expect(await ctx.db.selectFrom('artwork_jobs').select('job_id').where('user_id', '=', user.id).execute()).toEqual([{ job_id: 'legacy-0' }])
        await ctx.db.deleteFrom('user').where('id', '=', user.id).execute()
        expect(await ctx.db.selectFrom('artwork_jobs').select('job_id').where('job_id', '=', 'legacy-0').execute()).toEqual([])
      })

      it('goes all the way down keeping the legacy tables and their rows', async () => {
        const rows = await snapshotRows(ctx.db, columnsBefore)
        await migrateDown(ctx.db, { all: true })
        expect(await columnNames(ctx.db)).toMatchObject({ artwork_jobs: columnsBefore.artwork_jobs })
        expect((await snapshotRows(ctx.db, columnsBefore)).artwork_jobs).toEqual(rows.artwork_jobs)
      })
    })
  }
})

describeEachDatabase('tables that cannot be adopted', (kind) => {
  const ctx = useDatabase(kind)

  describe('several conflicts across migrations', () => {
    beforeAll(async () => {
      await dropAllTables(ctx.db)
      const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
      // user: integer ids; session: no token; artwork_jobs: an integer user_id.
      await sql`create table ${sql.table('user')} (id ${serial}, name varchar(100) not null, email varchar(100) not null, ${sql.ref('emailVerified')} boolean not null,
        ${sql.ref('createdAt')} timestamp not null default current_timestamp, ${sql.ref('updatedAt')} timestamp not null default current_timestamp)`.execute(ctx.db)
      await sql`create table session (id varchar(64) primary key, ${sql.ref('expiresAt')} timestamp not null, ${sql.ref('userId')} varchar(64) not null,
        ${sql.ref('createdAt')} timestamp not null default current_timestamp, ${sql.ref('updatedAt')} timestamp not null default current_timestamp)`.execute(ctx.db)
      await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null, user_id varchar(10))`.execute(ctx.db)
      await ctx.db.insertInto('user').values({ name: 'Ada', email: 'ada@example.com', emailVerified: true }).execute()
      await ctx.db.insertInto('session').values({ id: 's1', expiresAt: new Date(Date.UTC(2030, 0, 1)), userId: '1' }).execute()
      await ctx.db.insertInto('artwork_jobs').values({ job_id: 'j1', original_url: 'x', user_id: '1' }).execute()
    })

    it('stops before any change, listing every difference and what to do', async () => {
      const schema = await snapshotSchema(ctx.db)
      const rows = await snapshotRows(ctx.db)
      const error = await migrateToLatest(ctx.db).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SchemaConflictError)
      const problems = (error as SchemaConflictError).problems
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/"user"\."id" is .*int.*string ids/),
          expect.stringMatching(/"session" has rows but no required column "token"/),
          expect.stringMatching(/"artwork_jobs"\."user_id" exists as (varchar|character varying)\(10\).* but user\.id is .*rename the old column/),
        ]),
      )
      expect((error as Error).message).not.toContain('\n')
      // Nothing changed: not even Kysely's own tables or the ledger were created.
      expect(await snapshotSchema(ctx.db)).toEqual(schema)
      expect(await snapshotRows(ctx.db)).toEqual(rows)
    })

    it('reports the same conflicts as structured findings, with codes', async () => {
      const error = (await migrateToLatest(ctx.db).catch((e: unknown) => e)) as SchemaConflictError
      expect(error.findings.map((f) => `${f.code} ${f.table}.${f.column ?? ''}`)).toEqual(
        expect.arrayContaining(['column-type-family user.id', 'required-column-missing session.token', 'column-type-differs artwork_jobs.user_id']),
      )
      expect(error.findings.every((f) => f.severity === 'blocking' && f.message.endsWith(f.fix))).toBe(true)
      expect(error.findings.map((f) => f.message)).toEqual(error.problems)
      expect((await findSchemaFindings(ctx.db, migrationNames)).map((f) => f.code)).toEqual(error.findings.map((f) => f.code))
    })
  })

  describe('a conflict found by a later migration', () => {
    beforeAll(async () => {
      await dropAllTables(ctx.db)
      // Adoptable Better Auth tables, but upload_history.user_id of another type than user.id.
      await betterAuthMigrate(ctx.database)
      await sql`create table upload_history (id integer primary key, user_id ${kind === 'mysql' ? sql`varchar(36) character set latin1` : sql`integer`})`.execute(ctx.db)
    })

    it('stops the run before 0001 changes anything', async () => {
      const schema = await snapshotSchema(ctx.db)
      const error = await migrateToLatest(ctx.db).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SchemaConflictError)
      expect((error as SchemaConflictError).problems).toEqual([expect.stringMatching(/"upload_history"\."user_id" exists as /)])
      expect(await snapshotSchema(ctx.db)).toEqual(schema)
    })
  })

  describe('a foreign key that does not cascade, and a duplicate email', () => {
    beforeAll(async () => {
      await dropAllTables(ctx.db)
      await betterAuthMigrate(ctx.database)
      await sql`drop table account`.execute(ctx.db)
      await sql`drop table session`.execute(ctx.db)
      await sql`create table session (id varchar(36) not null primary key, ${sql.ref('expiresAt')} timestamp not null, token varchar(255) not null unique,
        ${sql.ref('createdAt')} timestamp not null default current_timestamp, ${sql.ref('updatedAt')} timestamp not null default current_timestamp,
        ${sql.ref('userId')} ${sql.raw((await findColumn(ctx.db, 'user', 'id'))!.type)} not null,
        constraint session_user_restrict foreign key (${sql.ref('userId')}) references ${sql.table('user')} (id) on delete restrict)`.execute(ctx.db)
      // Drop user's unique email key so that duplicates can exist.
      const unique = (await listIndexes(ctx.db, 'user')).find((i) => i.unique && i.columns.join() === 'email')!
      await (kind === 'mysql'
        ? sql`alter table ${sql.table('user')} drop index ${sql.id(unique.name)}`
        : sql`alter table ${sql.table('user')} drop constraint ${sql.id(unique.name)}`
      ).execute(ctx.db)
      for (const id of ['u1', 'u2']) {
        await ctx.db.insertInto('user').values({ id, name: id, email: 'same@example.com', emailVerified: false, updatedAt: new Date(), createdAt: new Date() }).execute()
      }
    })

    it('refuses both, before any change', async () => {
      const schema = await snapshotSchema(ctx.db)
      const error = await migrateToLatest(ctx.db).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SchemaConflictError)
      expect((error as SchemaConflictError).problems).toEqual([
        expect.stringMatching(/"user"\."email" holds duplicates \(e\.g\. same@example\.com\)/),
        expect.stringMatching(/"session"\."userId" references "user" through "session_user_restrict" with ON DELETE RESTRICT/),
      ])
      expect(await snapshotSchema(ctx.db)).toEqual(schema)
    })
  })

  describe('user_id values that no user has, and (MySQL) a MyISAM table', () => {
    beforeAll(async () => {
      await dropAllTables(ctx.db)
      await betterAuthMigrate(ctx.database)
      const userIdType = sameTypeAs((await findColumn(ctx.db, 'user', 'id'))!)
      await sql`create table artwork_jobs (id integer primary key, job_id varchar(64) not null, user_id ${userIdType})`.execute(ctx.db)
      await ctx.db.insertInto('artwork_jobs').values({ id: 1, job_id: 'j1', user_id: 'ghost' }).execute()
      if (kind === 'mysql') await sql`create table upload_history (id integer primary key, filename text) engine=MyISAM`.execute(ctx.db)
    })

    it('refuses them, before any change', async () => {
      const schema = await snapshotSchema(ctx.db)
      const error = await migrateToLatest(ctx.db).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SchemaConflictError)
      expect((error as SchemaConflictError).problems).toEqual([
        expect.stringMatching(/"artwork_jobs"\."user_id" holds ids that no user has \(e\.g\. ghost\)/),
        ...(kind === 'mysql' ? [expect.stringMatching(/"upload_history" uses the MyISAM engine/)] : []),
      ])
      expect(await snapshotSchema(ctx.db)).toEqual(schema)
    })
  })

  if (kind === 'mysql') {
    describe('a text account column with a value too long to index', () => {
      beforeAll(async () => {
        await dropAllTables(ctx.db)
        await betterAuthMigrate(ctx.database)
        await ctx.db.insertInto('user').values({ id: 'u1', name: 'Ada', email: 'ada@example.com', emailVerified: false, createdAt: new Date(), updatedAt: new Date() }).execute()
        await ctx.db.insertInto('account').values({ id: 'a1', accountId: 'x'.repeat(300), providerId: 'github', userId: 'u1', createdAt: new Date(), updatedAt: new Date() }).execute()
      })

      it('refuses to cut it, before any change', async () => {
        const schema = await snapshotSchema(ctx.db)
        const error = await migrateToLatest(ctx.db).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(SchemaConflictError)
        expect((error as SchemaConflictError).problems).toEqual([expect.stringMatching(/"account"\."accountId" is text and holds a value of 300 characters/)])
        expect(await snapshotSchema(ctx.db)).toEqual(schema)
      })
    })
  }
})

/** A schema snapshot with column types left out (to compare across widened columns). */
function withoutTypes(snapshot: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(snapshot, (key, value) => (['type', 'baseType', 'charset', 'collation'].includes(key) ? undefined : value)))
}
