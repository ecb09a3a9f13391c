/**
 * Ids of another type on a live database (issue 19, item 3): `advanced.database.generateId`
 * changed after the tables were made. `migrate:make --auth` generates the change; it runs only
 * while the tables whose ids change are empty (refused in one line naming the way out while a
 * user exists, nothing changed), retypes every id and every column that holds one (core,
 * plugin and `artwork_jobs.user_id`, whose unlinked rows stay), and Better Auth then signs up
 * with the new ids. `migrate:down` gives the old type back. On every engine.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getMigrations } from 'better-auth/db/migration'
import { organization } from 'better-auth/plugins'
import type { Kysely } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import { AuthShapeChangedError, createAuth, generateAuthMigration, linkArtworks, migrateDown, migrateToLatest, migrationStatus, verifyDatabase, type AuthDatabase, type AuthOptions } from '../src/index.js'
import type { AppMigrations } from '../src/migrator/migration-set.js'
import { DEFAULT_AUTH_SHAPE } from '../src/model/auth-shape.js'
import { findColumn, listForeignKeys, listIndexes } from '../src/ddl/introspect.js'
import { engineOf } from '../src/engines/index.js'
import { executingRunner } from '../src/engines/ddl-runner.js'
import { createTestDatabase, describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const STRING = { ...TEST_AUTH_OPTIONS, plugins: [organization()], user: { deleteUser: { enabled: true } } } as AuthOptions
const UUID = { ...STRING, advanced: { database: { generateId: 'uuid' } } } as AuthOptions
const SERIAL = { ...STRING, advanced: { database: { generateId: 'serial' } } } as AuthOptions
const PASSWORD = 'correct horse battery staple'
const ARTWORKS = 200

describeEachDatabase('Ids of another type on a live database', (kind) => {
  let database: AuthDatabase
  let db: Kysely<any>
  const migrations: Record<string, { schema: NonNullable<Awaited<ReturnType<typeof generateAuthMigration>>>['schema'] }> = {}
  const all = (): AppMigrations => ({ ...migrations }) as AppMigrations
  const suite = useSuiteDatabase(kind, (opened) => {
    database = opened.database
    db = opened.database.db
  })
  const idType = { uuid: kind === 'mysql' ? 'varchar(36)' : 'uuid', serial: kind === 'mysql' ? 'int' : 'integer', string: kind === 'mysql' ? 'varchar(255)' : 'text' }

  beforeAll(async () => {
    const plugin = (await generateAuthMigration(STRING, { name: 'organization', now: new Date('2026-12-07T09:00:00Z') }))!
    migrations[plugin.name] = { schema: plugin.schema }
    await migrateToLatest(db, { authOptions: STRING, migrations: all() })
    for (let i = 0; i < ARTWORKS; i++) await db.insertInto('artwork_jobs').values({ job_id: `legacy-${i}`, original_url: 'https://example.com/a.png' }).execute()
    await createAuth(database, STRING).api.signUpEmail({ body: { email: `early.${kind}@example.com`, password: PASSWORD, name: 'Early' } })
  })

  it('generates the change, and refuses it in one line while a user exists, changing nothing', async () => {
    await expect(migrateToLatest(db, { authOptions: UUID, migrations: all(), checkOnly: true })).rejects.toThrow(/ids string → uuid.*"user" holds rows.*keep advanced\.database\.generateId/)
    const generated = (await generateAuthMigration(UUID, { madeIn: DEFAULT_AUTH_SHAPE, migrations: all(), name: 'uuid_ids', now: new Date('2026-12-07T10:00:00Z') }))!
    expect(generated.adds).toEqual(['change ids string → uuid'])
    const ids = generated.schema.authShape!.ids!
    expect(ids.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['user', 'session', 'account', 'verification', 'organization', 'member', 'invitation']))
    expect(ids.references.map((r) => `${r.table}.${r.column}`)).toEqual(expect.arrayContaining(['session.userId', 'account.userId', 'artwork_jobs.user_id', 'member.userId', 'member.organizationId', 'invitation.inviterId']))
    const refused = migrateToLatest(db, { authOptions: UUID, migrations: { ...all(), [generated.name]: { schema: generated.schema } } as AppMigrations })
    await expect(refused).rejects.toThrow(/"user" holds rows, so its ids cannot become uuid ids.*keep advanced\.database\.generateId/)
    expect((await findColumn(db, 'user', 'id'))!.type).toBe(idType.string)
    expect((await listForeignKeys(db, 'session')).map((fk) => fk.referencedTable)).toContain('user')
    migrations[generated.name] = { schema: generated.schema }

    // From the shell, migrate:make --auth reads the database and refuses in the same words, writing nothing.
    const dir = mkdtempSync(join(tmpdir(), 'artorizer-ids-'))
    writeFileSync(join(dir, 'auth.config.mjs'), "export default { advanced: { database: { generateId: 'uuid' } } }\n")
    const made = await suite.cli('migrate:make', '--auth', 'uuid_ids', '--auth-config', join(dir, 'auth.config.mjs'), '--migrations-dir', join(dir, 'migrations'))
    expect(made.code).not.toBe(0)
    expect(made.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^❌ Better Auth.s options change .*"user" holds rows.*keep advanced\.database\.generateId/)])
    expect(existsSync(join(dir, 'migrations'))).toBe(false)
    rmSync(dir, { recursive: true, force: true })
  })

  it('on empty tables retypes every id and reference (resuming a crashed run), keeps every artwork, and Better Auth makes the new ids', async () => {
    await db.deleteFrom('user').execute()
    await expect(migrateToLatest(db, { authOptions: UUID, migrations: Object.fromEntries(Object.entries(all()).filter(([name]) => !name.endsWith('uuid_ids'))) as AppMigrations, checkOnly: true })).rejects.toThrow(/migrate:make --auth/)
    // As a run that crashed between dropping artwork_jobs.user_id and adding it again leaves it.
    await db.connection().execute(async (conn) => {
      const r = executingRunner(conn)
      const { ddl } = engineOf(db)
      await ddl.dropForeignKey(r, 'artwork_jobs', 'artwork_jobs_user_id_fk')
      for (const index of ['artwork_jobs_user_id_idx', 'artwork_jobs_user_id_created_at_idx']) await ddl.dropIndex(r, 'artwork_jobs', index)
      await ddl.dropColumn(r, 'artwork_jobs', 'user_id')
    })
    await migrateToLatest(db, { authOptions: UUID, migrations: all() })
    await expectIdsOf(idType.uuid)
    expect(await db.selectFrom('artwork_jobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).toEqual({ n: kind === 'mysql' ? ARTWORKS : kind === 'pglite' ? ARTWORKS : String(ARTWORKS) })
    expect((await listIndexes(db, 'artwork_jobs')).map((i) => i.name)).toEqual(expect.arrayContaining(['artwork_jobs_user_id_idx', 'artwork_jobs_user_id_created_at_idx']))
    await expectBetterAuthWorks(UUID, /^[0-9a-f]{8}-[0-9a-f]{4}-/)
  })

  it('migrate:down gives the ids their old type back, and the old options work again', async () => {
    // No user is left, but an organization is: its ids change too, so the boot check names it.
    await expect(migrateToLatest(db, { authOptions: STRING, migrations: all(), checkOnly: true })).rejects.toThrow(/ids uuid → string.*"organization" holds rows/)
    await db.deleteFrom('organization').execute()
    await migrateDown(db, { steps: 1 }, { migrations: all() })
    delete migrations[Object.keys(migrations).find((name) => name.endsWith('uuid_ids'))!]
    await expectIdsOf(idType.string)
    expect(await migrateToLatest(db, { authOptions: STRING, migrations: all(), checkOnly: true })).toEqual([])
    const { user } = await createAuth(database, STRING).api.signUpEmail({ body: { email: `back.${kind}@example.com`, password: PASSWORD, name: 'Back' } })
    expect(typeof user.id).toBe('string')
    await db.deleteFrom('user').execute()
  })

  it('serial ids too: integer identity / auto-increment ids and integer references', async () => {
    const generated = (await generateAuthMigration(SERIAL, { madeIn: DEFAULT_AUTH_SHAPE, migrations: all(), name: 'serial_ids', now: new Date('2026-12-07T11:00:00Z') }))!
    expect(generated.adds).toEqual(['change ids string → serial'])
    migrations[generated.name] = { schema: generated.schema }
    // An index of the application's own over artwork_jobs.user_id (in no migration): rebuilt, and kept through down.
    await db.schema.createIndex('artwork_jobs_app_owner_idx').on('artwork_jobs').columns(['user_id', 'job_id']).execute()
    await migrateToLatest(db, { authOptions: SERIAL, migrations: all() })
    await expectIdsOf(idType.serial)
    expect((await listIndexes(db, 'artwork_jobs')).find((i) => i.name === 'artwork_jobs_app_owner_idx')?.columns).toEqual(['user_id', 'job_id'])
    await expectBetterAuthWorks(SERIAL, /^\d+$/)
  })

  it('migrate:down takes serial ids back to strings too (the identity dropped)', async () => {
    await db.deleteFrom('organization').execute()
    const all2 = all()
    await migrateDown(db, { steps: 1 }, { migrations: all2 })
    await expectIdsOf(idType.string)
    expect((await listIndexes(db, 'artwork_jobs')).find((i) => i.name === 'artwork_jobs_app_owner_idx')?.columns).toEqual(['user_id', 'job_id'])
    const { user } = await createAuth(database, STRING).api.signUpEmail({ body: { email: `again.${kind}@example.com`, password: PASSWORD, name: 'Again' } })
    expect(typeof user.id).toBe('string')
    await db.deleteFrom('user').execute()
    await migrateToLatest(db, { authOptions: SERIAL, migrations: all2 })
  })

  it('a fresh database given the same migrations ends with the same ids, and Better Auth works there too', async () => {
    const fresh = await createTestDatabase(kind)
    const opened = await fresh.connect()
    try {
      await migrateToLatest(opened.db, { authOptions: SERIAL, migrations: all() })
      expect((await findColumn(opened.db, 'member', 'userId'))!.type.replace(/^int\(11\)$/, 'int')).toBe(idType.serial)
      const { user } = await createAuth(opened, SERIAL).api.signUpEmail({ body: { email: `fresh.${kind}@example.com`, password: PASSWORD, name: 'Fresh' } })
      expect(String(user.id)).toMatch(/^\d+$/)
      const report = await verifyDatabase(opened.db, { authOptions: SERIAL, migrations: all() })
      expect(report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail').map((i) => `${c.name}: ${i.subject} ${i.detail}`))).toEqual([])
    } finally {
      await opened.db.destroy()
      await fresh.drop()
    }
  })

  async function expectIdsOf(type: string): Promise<void> {
    for (const [table, column] of [['user', 'id'], ['session', 'userId'], ['account', 'userId'], ['verification', 'id'], ['organization', 'id'], ['member', 'organizationId'], ['artwork_jobs', 'user_id']] as const) {
      expect(`${table}.${column} ${(await findColumn(db, table, column))!.type.replace(/^int\(11\)$/, 'int')}`).toBe(`${table}.${column} ${type}`)
    }
    for (const table of ['session', 'account', 'member', 'artwork_jobs']) expect((await listForeignKeys(db, table)).some((fk) => fk.referencedTable === 'user')).toBe(true)
  }

  async function expectBetterAuthWorks(options: AuthOptions, id: RegExp): Promise<void> {
    const auth = createAuth(database, options)
    const email = `new.${kind}.${Date.now()}@example.com`
    const signUp = await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: 'New' } })
    expect(String(signUp.user.id)).toMatch(id)
    const signIn = await auth.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })
    expect(signIn.status).toBe(200)
    const headers = new Headers({ cookie: signIn.headers.get('set-cookie')!.split(';')[0]! })
    expect((await auth.api.getSession({ headers }))?.user.email).toBe(email)
    // The organization plugin's endpoints are not in the type of createAuth's return.
    const org = await (auth.api as unknown as { createOrganization(input: unknown): Promise<{ id: unknown } | null> }).createOrganization({ headers, body: { name: 'Studio', slug: `studio-${kind}-${Date.now()}` } })
    expect(String(org?.id)).toMatch(id)
    expect((await linkArtworks(db, [{ jobId: 'legacy-0', user: email }])).linked).toBe(1)

    const report = await verifyDatabase(db, { authOptions: options, migrations: all() })
    expect(report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail').map((i) => `${c.name}: ${i.subject} ${i.detail}`))).toEqual([])
    const plan = await getMigrations({ ...options, database: { db, type: database.dialect } })
    expect([...plan.toBeCreated, ...plan.toBeAdded]).toEqual([])
    expect((await migrationStatus(db, { migrations: all() })).filter((m) => m.drift)).toEqual([])

    expect((await auth.api.deleteUser({ headers, body: { password: PASSWORD } })).success).toBe(true)
    expect(await db.selectFrom('artwork_jobs').select('job_id').where('job_id', '=', 'legacy-0').execute()).toEqual([])
    await db.insertInto('artwork_jobs').values({ job_id: 'legacy-0', original_url: 'https://example.com/a.png' }).execute()
  }
})
