/**
 * Better Auth's core tables as the application's options shape them (issue 19): uuid and serial
 * ids, a generateId function, plural table names, renamed fields, snake_case; and the issue's
 * other configurations (secondaryStorage, rateLimit in the database, additionalFields, ten
 * plugins together), migrated with the migration `migrate:make --auth` generates for them. Each on a fresh
 * database of every engine: migrated by the module alone, then Better Auth signs up, signs in,
 * reads the session and deletes the user (whose artworks go with it), `db:verify` passes, and
 * Better Auth's own `getMigrations` finds nothing to create or add.
 */
import { getMigrations } from 'better-auth/db/migration'
import { CamelCasePlugin, sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { passkey } from '@better-auth/passkey'
import { apiKey } from '@better-auth/api-key'
import { admin, anonymous, jwt, lastLoginMethod, organization, phoneNumber, twoFactor, username } from 'better-auth/plugins'
import { createAuth, generateAuthMigration, linkArtworks, migrateToLatest, migrationStatus, snakeCase, verifyDatabase, type AuthDatabase, type AuthOptions } from '../src/index.js'
import type { AppMigrations } from '../src/migrator/migration-set.js'
import { NamingPluginError } from '../src/tools.js'
import { describeEachDatabase, createTestDatabase, useSuiteDatabase, type TestDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

/** Better Auth's secondary storage, in memory (sessions live there). */
function memoryStorage() {
  const values = new Map<string, string>()
  return { get: async (key: string) => values.get(key) ?? null, set: async (key: string, value: string) => void values.set(key, value), delete: async (key: string) => void values.delete(key) }
}

const TEN_PLUGINS = [
  organization({ teams: { enabled: true } }),
  twoFactor(),
  admin(),
  username(),
  passkey(),
  apiKey(),
  jwt(),
  anonymous({ onLinkAccount: async () => {} }),
  phoneNumber(),
  lastLoginMethod({ storeInDatabase: true }),
]

const PLURAL = { user: { modelName: 'users' }, session: { modelName: 'sessions' }, account: { modelName: 'accounts' }, verification: { modelName: 'verifications' } } as const

/** Each configuration, and the user table and columns it makes (to read rows back with). */
interface Configuration {
  readonly name: string
  readonly options: AuthOptions
  readonly users: string
  readonly email: string
  readonly idType: RegExp
  /** Migrate with the migration `migrate:make --auth` generates for the options. */
  readonly generate?: true
  /** What shows the option took effect, once signed in. */
  readonly check?: (auth: ReturnType<typeof createAuth>, db: Kysely<any>) => Promise<void>
}

const CONFIGURATIONS: readonly Configuration[] = [
  { name: 'uuid ids', options: { advanced: { database: { generateId: 'uuid' } } }, users: 'user', email: 'email', idType: /^uuid$|^varchar\(36\)/ },
  { name: 'serial ids', options: { advanced: { database: { generateId: 'serial' } } }, users: 'user', email: 'email', idType: /^int(eger)?(\(11\))?$/ },
  { name: 'a generateId function', options: { advanced: { database: { generateId: () => `id-${crypto.randomUUID()}` } } }, users: 'user', email: 'email', idType: /^text$|^varchar\(255\)/ },
  { name: 'plural table names', options: PLURAL, users: 'users', email: 'email', idType: /^text$|^varchar\(255\)/ },
  {
    name: 'renamed fields',
    options: { user: { fields: { emailVerified: 'email_verified', createdAt: 'created_at', email: 'email_address' } }, session: { fields: { userId: 'user_id' } } },
    users: 'user',
    email: 'email_address',
    idType: /^text$|^varchar\(255\)/,
  },
  { name: 'snake_case', options: snakeCase({}), users: 'user', email: 'email', idType: /^text$|^varchar\(255\)/ },
  { name: 'snake_case, plural names and uuid ids', options: snakeCase({ ...PLURAL, advanced: { database: { generateId: 'uuid' } } }), users: 'users', email: 'email', idType: /^uuid$|^varchar\(36\)/ },
  // The other five, which needed no shape (a generateId function is above): with the
  // migration `migrate:make --auth` generates where the options need tables or columns.
  {
    name: 'secondaryStorage',
    options: { secondaryStorage: memoryStorage() } as AuthOptions,
    users: 'user',
    email: 'email',
    idType: /^text$|^varchar\(255\)/,
    // Sessions live in the secondary storage, not in the session table.
    check: async (_auth, db) => expect(await db.selectFrom('session').select('id').execute()).toEqual([]),
  },
  {
    name: 'rateLimit in the database',
    options: { rateLimit: { enabled: true, storage: 'database' } },
    users: 'user',
    email: 'email',
    idType: /^text$|^varchar\(255\)/,
    generate: true,
    // Requests through the HTTP handler are counted in the rateLimit table.
    check: async (auth, db) => {
      const request = new Request('http://localhost:3000/api/auth/get-session', { headers: { 'x-forwarded-for': '203.0.113.7' } })
      expect((await auth.handler(request)).status).toBe(200)
      expect((await db.selectFrom('rateLimit').select('key').execute()).length).toBeGreaterThan(0)
    },
  },
  {
    name: 'additionalFields',
    options: { user: { additionalFields: { plan: { type: 'string', defaultValue: 'free' }, credits: { type: 'number', required: false } } } } as AuthOptions,
    users: 'user',
    email: 'email',
    idType: /^text$|^varchar\(255\)/,
    generate: true,
  },
  { name: 'ten plugins together', options: { plugins: TEN_PLUGINS } as AuthOptions, users: 'user', email: 'email', idType: /^text$|^varchar\(255\)/, generate: true },
]

describeEachDatabase('Better Auth core tables as the options shape them', (kind) => {
  for (const configuration of CONFIGURATIONS) {
    describe(configuration.name, () => {
      const options = { ...TEST_AUTH_OPTIONS, ...configuration.options, user: { ...(configuration.options.user ?? {}), deleteUser: { enabled: true } } } as AuthOptions
      let testDb: TestDatabase
      let database: AuthDatabase
      let migrations: AppMigrations | undefined
      beforeAll(async () => {
        testDb = await createTestDatabase(kind)
        database = await testDb.connect()
        const generated = configuration.generate ? await generateAuthMigration(options, { name: 'options', now: new Date('2026-12-07T12:00:00Z') }) : null
        migrations = generated ? { [generated.name]: { schema: generated.schema } } : undefined
        await migrateToLatest(database.db, { authOptions: options, migrations })
      })
      afterAll(async () => {
        await database?.db.destroy()
        await testDb?.drop()
      })

      it('serves sign-up, sign-in, the session, artworks linked by email, and deleting the user with them', async () => {
        const auth = createAuth(database, options)
        const email = `ada.${kind}@example.com`
        const password = 'correct horse battery staple'
        const signUp = await auth.api.signUpEmail({ body: { email, password, name: 'Ada' } })
        const signIn = await auth.api.signInEmail({ body: { email, password }, asResponse: true })
        expect(signIn.status).toBe(200)
        const headers = new Headers({ cookie: signIn.headers.get('set-cookie')!.split(';')[0]! })
        const session = await auth.api.getSession({ headers })
        expect(session?.user.email).toBe(email)
        expect(String(session?.user.id)).toBe(String(signUp.user.id))
        await configuration.check?.(auth, database.db)

        const db = database.db as Kysely<any>
        const row = await db.selectFrom(configuration.users).select(['id']).where(configuration.email, '=', email).executeTakeFirstOrThrow()
        expect(String(row.id)).toBe(String(signUp.user.id))
        await db.insertInto('artwork_jobs').values({ job_id: `job-${kind}`, original_url: 'https://example.com/a.png' }).execute()
        const report = await linkArtworks(db, [{ jobId: `job-${kind}`, user: email }])
        expect(report.linked).toBe(1)

        expect((await auth.api.deleteUser({ headers, body: { password } })).success).toBe(true)
        expect(await db.selectFrom(configuration.users).select('id').execute()).toEqual([])
        expect(await db.selectFrom('artwork_jobs').select('job_id').execute()).toEqual([])
      })

      it('gives ids the type the options ask for, and every user reference the same', async () => {
        const { rows } = await (kind === 'mysql'
          ? sql<{ type: string }>`select column_type as type from information_schema.columns where table_schema = database() and table_name = 'artwork_jobs' and column_name = 'user_id'`
          : sql<{ type: string }>`select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'artwork_jobs'::regclass and attname = 'user_id'`
        ).execute(database.db)
        expect(rows[0]!.type).toMatch(configuration.idType)
      })

      it("passes db:verify, and Better Auth's getMigrations finds nothing to do", async () => {
        const report = await verifyDatabase(database.db, { authOptions: options, migrations })
        expect(report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail').map((i) => `${c.name}: ${i.subject} ${i.detail}`))).toEqual([])
        const plan = await getMigrations({ ...options, database: { db: database.db, type: database.dialect } })
        expect(plan.toBeCreated).toEqual([])
        expect(plan.toBeAdded).toEqual([])
        expect(plan.toBeAddedIndexes).toEqual([])
      })

      it('is up to date for the same options, and says so at boot (checkOnly)', async () => {
        expect(await migrateToLatest(database.db, { authOptions: options, migrations, checkOnly: true })).toEqual([])
      })
    })
  }

  describe("an application's Kysely with CamelCasePlugin", () => {
    let database: AuthDatabase
    useSuiteDatabase(kind, (opened) => (database = opened.database))

    it('is refused in one line by the migrations, createAuth and db:verify, before anything is made', async () => {
      const camel = database.db.withPlugin(new CamelCasePlugin())
      const refused = migrateToLatest(camel, { authOptions: snakeCase({}) })
      await expect(refused).rejects.toBeInstanceOf(NamingPluginError)
      await expect(refused).rejects.toThrow(/CamelCasePlugin.*snakeCase\(\)/)
      expect(() => createAuth({ ...database, db: camel }, TEST_AUTH_OPTIONS)).toThrow(NamingPluginError)
      await expect(verifyDatabase(camel)).rejects.toBeInstanceOf(NamingPluginError)
      expect(await migrationStatus(database.db)).toSatisfy((states: { executedAt?: Date }[]) => states.every((s) => !s.executedAt))
    })
  })
})
