/**
 * The least privileges docs/least-privileges.md documents, tested: a migrating role with only
 * the DDL grants listed there migrates (and undoes) everything, and the runtime role, with no
 * DDL rights at all, runs Better Auth and router-backend's artwork queries. Roles and users get
 * unique names and are dropped afterwards.
 */
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, createAuth, migrateDown, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { createTestDatabase, unavailableReason, type TestDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const AUTH_OPTIONS = TEST_AUTH_OPTIONS
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`

for (const kind of ['postgres', 'mysql'] as const) {
  describe.skipIf(unavailableReason(kind) !== undefined && !process.env.CI)(`least privileges [${kind}]`, () => {
    const suffix = randomBytes(4).toString('hex')
    const migrator = `rel_mig_${suffix}`
    const runtime = `rel_app_${suffix}`
    let testDb: TestDatabase
    let admin: AuthDatabase
    const opened: AuthDatabase[] = []
    const databaseName = () => new URL(testDb.url).pathname.slice(1)

    async function connectAs(user: string): Promise<AuthDatabase> {
      const url = new URL(testDb.url)
      url.username = user
      url.password = PASSWORD
      const database = await connectDatabase({ url: url.toString() })
      opened.push(database)
      return database
    }

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      admin = await testDb.connect()
      const db = admin.db
      if (kind === 'postgres') {
        // docs/least-privileges.md: PostgreSQL
        for (const role of [migrator, runtime]) await sql`create role ${sql.id(role)} login password ${sql.lit(PASSWORD)}`.execute(db)
        await sql`grant create, usage on schema public to ${sql.id(migrator)}`.execute(db)
        await sql`grant usage on schema public to ${sql.id(runtime)}`.execute(db)
        await sql`alter default privileges for role ${sql.id(migrator)} in schema public grant select, insert, update, delete on tables to ${sql.id(runtime)}`.execute(db)
        await sql`alter default privileges for role ${sql.id(migrator)} in schema public grant usage, select on sequences to ${sql.id(runtime)}`.execute(db)
      } else {
        // docs/least-privileges.md: MySQL / MariaDB
        const on = sql.raw(`\`${databaseName()}\`.*`)
        for (const user of [migrator, runtime]) await sql`create user ${sql.lit(user)}@'%' identified by ${sql.lit(PASSWORD)}`.execute(db)
        await sql`grant create, alter, drop, index, references, select, insert, update, delete on ${on} to ${sql.lit(migrator)}@'%'`.execute(db)
        await sql`grant select, insert, update, delete on ${on} to ${sql.lit(runtime)}@'%'`.execute(db)
      }
    })
    afterAll(async () => {
      for (const database of opened) await database.db.destroy().catch(() => {})
      if (admin) {
        for (const role of [migrator, runtime]) {
          if (kind === 'postgres') {
            await sql`drop owned by ${sql.id(role)}`.execute(admin.db).catch(() => {})
            await sql`drop role if exists ${sql.id(role)}`.execute(admin.db)
          } else {
            await sql`drop user if exists ${sql.lit(role)}@'%'`.execute(admin.db)
          }
        }
        await admin.db.destroy()
      }
      await testDb?.drop()
    })

    it('the migrating role, with only the documented grants, migrates everything', async () => {
      const { db } = await connectAs(migrator)
      expect((await migrateToLatest(db)).length).toBe(migrationNames.length)
    })

    it('the runtime role has no DDL rights', async () => {
      const { db } = await connectAs(runtime)
      await expect(sql`create table rel_nope (id int)`.execute(db)).rejects.toThrow()
      await expect(sql`alter table artwork_jobs add column nope int`.execute(db)).rejects.toThrow()
      await expect(sql`drop table verification`.execute(db)).rejects.toThrow()
    })

    it('the runtime role checks the schema, signs up and in through Better Auth, and stores and lists artworks', async () => {
      const database = await connectAs(runtime)
      const db: Kysely<any> = database.db
      expect(await migrateToLatest(db, { checkOnly: true })).toEqual([])

      const auth = createAuth(database, AUTH_OPTIONS)
      const email = `least.${kind}@example.com`
      const { user } = await auth.api.signUpEmail({ body: { email, password: 'correct horse battery staple', name: 'Least' } })
      const signIn = await auth.api.signInEmail({ body: { email, password: 'correct horse battery staple' }, asResponse: true })
      expect(signIn.status).toBe(200)
      const session = await auth.api.getSession({ headers: new Headers({ cookie: signIn.headers.get('set-cookie')!.split(';')[0]! }) })
      expect(session?.user.id).toBe(user.id)

      await db.insertInto('artwork_jobs').values({ job_id: `least-${kind}`, original_url: 's3://in/least.png', user_id: user.id }).execute()
      const listed = await db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).where('user_id', '=', user.id).execute()
      expect(listed).toEqual([{ job_id: `least-${kind}`, user_id: user.id }])
      await db.updateTable('artwork_jobs').set({ status: 'done' }).where('job_id', '=', `least-${kind}`).execute()
      await db.deleteFrom('user').where('id', '=', user.id).execute()
    })

    it('the migrating role can also undo everything', async () => {
      const { db } = await connectAs(migrator)
      expect((await migrateDown(db, { all: true }, { force: true })).length).toBe(migrationNames.length)
    })
  })
}
