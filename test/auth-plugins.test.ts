/**
 * Better Auth with plugins and additional fields, on every engine: `generateAuthMigration` (what
 * `migrate:make --auth` writes) then `migrateToLatest`; Better Auth's own `getMigrations` then
 * finds nothing to do, and its plugins work over the schema: sign-up with a username, an
 * organization with an invitation and an active organization, two-factor, an API key; deleting
 * the user removes everything of theirs through the foreign keys.
 */
import { getMigrations } from 'better-auth/db/migration'
import { sql } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import { AuthSchemaMissingError, DataLossError, createAuth, generateAuthMigration, migrateDown, migrateToLatest, migrationStatus, SchemaConflictError, verifyDatabase, type AuthDatabase } from '../src/index.js'
import { type AppMigrations } from '../src/schema.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { PLUGIN_AUTH_OPTIONS } from './support/plugin-options.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'
import { listColumns } from '../src/ddl/introspect.js'

const OPTIONS = PLUGIN_AUTH_OPTIONS

describeEachDatabase('Better Auth plugins through a generated migration', (kind) => {
  let database: AuthDatabase
  let migrations: AppMigrations
  useSuiteDatabase(kind, (opened) => (database = opened.database))

  beforeAll(async () => {
    await migrateToLatest(database.db)
    const generated = await generateAuthMigration(OPTIONS, { name: 'plugins', now: new Date('2026-12-01T12:00:00Z') })
    expect(generated?.name).toBe('20261201120000_plugins')
    migrations = { [generated!.name]: { schema: generated!.schema } }
  })

  it('refuses to boot while the options need schema that no migration provides, and names migrate:make --auth', async () => {
    const refused = migrateToLatest(database.db, { authOptions: OPTIONS, checkOnly: true })
    await expect(refused).rejects.toBeInstanceOf(AuthSchemaMissingError)
    await expect(refused).rejects.toThrow(/table member.*migrate:make --auth/)
  })

  it('applies the generated migration; generating again finds nothing; Better Auth finds nothing to create or add', async () => {
    const applied = await migrateToLatest(database.db, { migrations, authOptions: OPTIONS })
    expect(applied.map((m) => m.name)).toEqual(['20261201120000_plugins'])
    expect(await generateAuthMigration(OPTIONS, { migrations })).toBeNull()
    await expect(migrateToLatest(database.db, { migrations, authOptions: OPTIONS, checkOnly: true })).resolves.toEqual([])
    const warnings: string[] = []
    const plan = await getMigrations(
      { ...OPTIONS, logger: { level: 'warn', log: (_level, message) => void warnings.push(message) }, database: { db: database.db, type: database.dialect } },
      { throwOnUnsafe: false },
    )
    expect({ create: plan.toBeCreated.map((t) => t.table), add: plan.toBeAdded, indexes: plan.toBeAddedIndexes, unsafe: plan.unsafeChanges }).toEqual({
      create: [],
      add: [],
      indexes: [],
      unsafe: [],
    })
    const status = await migrationStatus(database.db, { migrations })
    expect(status.at(-1)).toMatchObject({ name: '20261201120000_plugins', drift: undefined })
    expect(status.at(-1)?.executedAt).toBeInstanceOf(Date)
  })

  it('db:verify passes with the plugin options', async () => {
    const report = await verifyDatabase(database.db, { authOptions: OPTIONS, migrations })
    const failed = report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail').map((i) => `${c.name}: ${i.subject}: ${i.detail}`))
    expect(failed).toEqual([])
  })

  it('signs up with a username, creates an organization, invites, sets it active, enables two-factor, creates an API key; deleting the user removes all of it', async () => {
    const auth = createAuth(database, OPTIONS)
    const email = `grace.${kind}@example.com`
    const password = 'correct horse battery staple'
    await auth.api.signUpEmail({ body: { email, password, name: 'Grace', username: `grace_${kind}`, credits: 3, favoriteTags: ['ink', 'oil'], preferences: { theme: 'dark' } } as never })
    const signIn = await auth.api.signInUsername({ body: { username: `grace_${kind}`, password }, asResponse: true })
    expect(signIn.status).toBe(200)
    const headers = new Headers({ cookie: signIn.headers.get('set-cookie')!.split(';')[0]! })
    const session = await auth.api.getSession({ headers })
    const userId = session!.user.id
    expect(session!.user).toMatchObject({ plan: 'free', credits: 3, marketingOptIn: false, favoriteTags: ['ink', 'oil'], preferences: { theme: 'dark' } })

    const org = await auth.api.createOrganization({ body: { name: 'Studio', slug: `studio-${kind}` }, headers })
    expect(org?.slug).toBe(`studio-${kind}`)
    const invitation = await auth.api.createInvitation({ body: { email: `ada.${kind}@example.com`, role: 'member', organizationId: org!.id }, headers })
    expect(invitation.status).toBe('pending')
    await auth.api.setActiveOrganization({ body: { organizationId: org!.id }, headers })
    expect((await auth.api.getSession({ headers }))!.session.activeOrganizationId).toBe(org!.id)
    const twoFactor = await auth.api.enableTwoFactor({ body: { password }, headers })
    expect('totpURI' in twoFactor && twoFactor.totpURI).toMatch(/^otpauth:/)
    const key = await auth.api.createApiKey({ body: { name: 'ci' }, headers })
    expect(key.key).toBeTruthy()

    const owned = async () => ({
      session: await count('session', 'userId', userId),
      member: await count('member', 'userId', userId),
      teamMember: await count('teamMember', 'userId', userId),
      invitation: await count('invitation', 'inviterId', userId),
      twoFactor: await count('twoFactor', 'userId', userId),
      apikey: await count('apikey', 'referenceId', userId),
    })
    expect(await owned()).toMatchObject({ session: expect.any(Number), member: 1, invitation: 1, twoFactor: 1, apikey: 1 })

    await auth.api.deleteUser({ body: { password }, headers })
    const after = await owned()
    expect(after).toEqual({ session: 0, member: 0, teamMember: 0, invitation: 0, twoFactor: 0, apikey: 0 })
  })

  it('migrate:down --all --force undoes the plugin tables and everything else, and migrate:latest rebuilds it', async () => {
    // The organization outlives its creator; undoing its table would delete it: refused unless forced.
    const guarded = migrateDown(database.db, { all: true }, { migrations })
    await expect(guarded).rejects.toBeInstanceOf(DataLossError)
    await expect(guarded).rejects.toThrow(/organization \(1 row\) from 20261201120000_plugins/)
    const undone = await migrateDown(database.db, { all: true }, { force: true, migrations })
    expect(undone.map((m) => m.name)).toEqual(['20261201120000_plugins', '0004_exact_job_ids', '0003_indexes', '0002_artorizer_user_link', '0001_better_auth'])
    const again = await migrateToLatest(database.db, { migrations, authOptions: OPTIONS })
    expect(again.map((m) => m.name)).toEqual(undone.map((m) => m.name).reverse())
  })

  async function count(table: string, column: string, value: string): Promise<number> {
    const row = await database.db
      .selectFrom(table as never)
      .select(sql<number>`count(*)`.as('n'))
      .where(column as never, '=', value as never)
      .executeTakeFirstOrThrow()
    return Number((row as { n: number }).n)
  }
})

describeEachDatabase("Better Auth's own migration on top of the module's schema", (kind) => {
  let database: AuthDatabase
  useSuiteDatabase(kind, (opened) => (database = opened.database))

  it('either completes, or leaves a database that db:verify reports with migrate:make --auth as the fix; the generated migration then adopts what it made', async () => {
    await migrateToLatest(database.db)
    const own = await getMigrations({ ...OPTIONS, database: { db: database.db, type: database.dialect } })
    const outcome = await own.runMigrations().then(
      () => 'completed',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    )
    if (kind === 'mysql') {
      // Its userId columns take the database's default collation; user.id is utf8mb4_bin.
      expect(outcome).toMatch(/errno: 150|Foreign key constraint is incorrectly formed|incompatible/i)
      const report = await verifyDatabase(database.db, { authOptions: OPTIONS })
      const betterAuth = report.checks.find((c) => c.name === 'better-auth')!
      expect(betterAuth.status).toBe('fail')
      expect(betterAuth.items.find((i) => i.subject === 'tables to create')?.fix).toMatch(/migrate:make --auth/)
    } else {
      expect(outcome).toBe('completed')
    }
    const generated = await generateAuthMigration(OPTIONS, { name: 'plugins' })
    const migrations = { [generated!.name]: { schema: generated!.schema } }
    await migrateToLatest(database.db, { migrations, authOptions: OPTIONS })
    const after = await getMigrations({ ...OPTIONS, database: { db: database.db, type: database.dialect } }, { throwOnUnsafe: false })
    expect({ create: after.toBeCreated.map((t) => t.table), add: after.toBeAdded, indexes: after.toBeAddedIndexes }).toEqual({ create: [], add: [], indexes: [] })
    const report = await verifyDatabase(database.db, { authOptions: OPTIONS, migrations })
    const failed = report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail').map((i) => `${c.name}: ${i.subject}: ${i.detail}`))
    expect(failed).toEqual([])
  })
})

describeEachDatabase('a required field without a default', (kind) => {
  let database: AuthDatabase
  useSuiteDatabase(kind, (opened) => (database = opened.database))
  const options = { ...TEST_AUTH_OPTIONS, user: { additionalFields: { company: { type: 'string', required: true } } } } as const

  it('is generated, and its up refuses, before any change, a table that has rows', async () => {
    await migrateToLatest(database.db)
    await createAuth(database, TEST_AUTH_OPTIONS).api.signUpEmail({ body: { email: `lin.${kind}@example.com`, password: 'correct horse battery staple', name: 'Lin' } })
    const generated = await generateAuthMigration(options as never, { name: 'company' })
    expect(generated!.schema.columns).toEqual([{ table: 'user', column: { name: 'company', type: 'text', nullable: false } }])
    const migrations = { [generated!.name]: { schema: generated!.schema } }
    const refused = migrateToLatest(database.db, { migrations })
    await expect(refused).rejects.toBeInstanceOf(SchemaConflictError)
    await expect(refused).rejects.toThrow(/"user" has rows, so the required column "company" \(no default\) cannot be added.*give the field a defaultValue/)
    expect((await listColumns(database.db, 'user')).map((c) => c.name)).not.toContain('company')
    expect((await migrationStatus(database.db, { migrations })).at(-1)?.executedAt).toBeUndefined()

    // On an empty table it is added NOT NULL.
    await database.db.deleteFrom('user').execute()
    await migrateToLatest(database.db, { migrations })
    expect((await listColumns(database.db, 'user')).find((c) => c.name === 'company')?.nullable).toBe(false)
  })
})
