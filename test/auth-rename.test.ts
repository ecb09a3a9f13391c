/**
 * Changing Better Auth's options on a live database (issue 19, item 3): a database migrated with
 * Better Auth's defaults, holding users, sessions and artworks, switched to plural table names
 * and snake_case. The options alone are refused in one line naming `migrate:make --auth`; the
 * generated migration renames in place while a writer inserts artworks; replicas still on the
 * old options keep working through the views it leaves; every user signs in after, every
 * artwork keeps its owner; a second generated migration drops the views; `down` undoes both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getMigrations } from 'better-auth/db/migration'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  AuthShapeChangedError,
  createAuth,
  generateAuthMigration,
  migrateDown,
  migrateToLatest,
  migrationStatus,
  snakeCase,
  verifyDatabase,
  type AuthDatabase,
  type AuthOptions,
} from '../src/index.js'
import type { AppMigrations } from '../src/migrator/migration-set.js'
import { DEFAULT_AUTH_SHAPE } from '../src/model/auth-shape.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const OLD = TEST_AUTH_OPTIONS as AuthOptions
const NEW = snakeCase({
  ...TEST_AUTH_OPTIONS,
  user: { modelName: 'users' },
  session: { modelName: 'sessions' },
  account: { modelName: 'accounts' },
  verification: { modelName: 'verifications' },
}) as AuthOptions
const PASSWORD = 'correct horse battery staple'
const USERS = 3

describeEachDatabase('Renaming the core tables on a live database', (kind) => {
  let database: AuthDatabase
  let db: Kysely<any>
  const migrations: Record<string, { schema: NonNullable<Awaited<ReturnType<typeof generateAuthMigration>>>['schema'] }> = {}
  const suite = useSuiteDatabase(kind, (opened) => {
    database = opened.database
    db = opened.database.db
  })
  const emails = Array.from({ length: USERS }, (_, i) => `user${i}.${kind}@example.com`)

  beforeAll(async () => {
    await migrateToLatest(db, { authOptions: OLD })
    const auth = createAuth(database, OLD)
    for (const email of emails) {
      const { user } = await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: email } })
      await auth.api.signInEmail({ body: { email, password: PASSWORD } })
      for (let j = 0; j < 5; j++) await db.insertInto('artwork_jobs').values({ job_id: `${email}-${j}`, original_url: 'https://example.com/a.png', user_id: user.id }).execute()
    }
  })
  afterAll(() => undefined)

  it('refuses the new options before a migration makes them, naming migrate:make --auth', async () => {
    const refused = migrateToLatest(db, { authOptions: NEW, checkOnly: true })
    await expect(refused).rejects.toBeInstanceOf(AuthShapeChangedError)
    await expect(refused).rejects.toThrow(/table user → users.*migrate:make --auth/)
    const report = await verifyDatabase(db, { authOptions: NEW })
    expect(report.ok).toBe(false)
    expect(report.checks.find((c) => c.name === 'auth-options')!.items[0]!.fix).toMatch(/migrate:make --auth/)
  })

  it('migrate:status reads the options too: an id change is not "Up to date", and its way out is not a command that refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'artorizer-options-'))
    const file = join(dir, 'auth.config.mjs')
    writeFileSync(file, "export default { advanced: { database: { generateId: 'uuid' } } }\n")
    const status = await suite.cli('migrate:status', '--auth-config', file)
    expect(status.stdout).not.toContain('Up to date')
    expect(status.stdout).toMatch(/ids string → uuid.*keep advanced\.database\.generateId/)
    rmSync(dir, { recursive: true, force: true })
  })

  it('renames in place while a writer inserts artworks, and replicas on either options keep working', async () => {
    const generated = (await generateAuthMigration(NEW, { madeIn: DEFAULT_AUTH_SHAPE, name: 'plural_snake_case', now: new Date('2026-12-07T10:00:00Z') }))!
    expect(generated.adds).toContain('rename table user → users')
    expect(generated.adds).toContain('rename column users.emailVerified → email_verified')
    migrations[generated.name] = { schema: generated.schema }

    const before = await counts()
    const owner = (await db.selectFrom('user').select('id').where('email', '=', emails[0]!).executeTakeFirstOrThrow()).id
    let written = 0
    let writing = true
    const errors: unknown[] = []
    const writer = (async () => {
      while (writing) {
        try {
          await db.insertInto('artwork_jobs').values({ job_id: `live-${written}`, original_url: 'https://example.com/b.png', user_id: owner }).execute()
          written++
        } catch (error) {
          errors.push(error)
        }
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    })()
    try {
      await migrateToLatest(db, { authOptions: NEW, migrations: { ...migrations } as AppMigrations })
    } finally {
      writing = false
      await writer
    }
    expect(errors).toEqual([])
    expect(await counts()).toEqual({ ...before, artworks: before.artworks + written })
    expect(await db.selectFrom('artwork_jobs').select('job_id').where('user_id', 'is', null).execute()).toEqual([])

    // New replicas: every user signs in; old replicas (old options) too, through the views.
    const fresh = createAuth(database, NEW)
    const old = createAuth(database, OLD)
    for (const email of emails) {
      expect((await fresh.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })).status).toBe(200)
      expect((await old.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })).status).toBe(200)
    }
    const signedUpOld = await old.api.signUpEmail({ body: { email: `late.${kind}@example.com`, password: PASSWORD, name: 'Late' } })
    expect((await fresh.api.signInEmail({ body: { email: signedUpOld.user.email, password: PASSWORD }, asResponse: true })).status).toBe(200)

    const report = await verifyDatabase(db, { authOptions: NEW, migrations: { ...migrations } as AppMigrations })
    expect(report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail').map((i) => `${c.name}: ${i.subject} ${i.detail}`))).toEqual([])
    const plan = await getMigrations({ ...NEW, database: { db, type: database.dialect } })
    expect([...plan.toBeCreated, ...plan.toBeAdded]).toEqual([])
    expect((await migrationStatus(db, { migrations: { ...migrations } as AppMigrations })).filter((m) => m.drift)).toEqual([])
  })

  it('generates the migration that drops the views once the options stop changing, and then nothing', async () => {
    const generated = (await generateAuthMigration(NEW, { madeIn: DEFAULT_AUTH_SHAPE, migrations: { ...migrations } as AppMigrations, name: 'drop_old_names', now: new Date('2026-12-07T11:00:00Z') }))!
    expect(generated.adds).toEqual(['drop view user', 'drop view session', 'drop view account', 'drop view verification'])
    migrations[generated.name] = { schema: generated.schema }
    await migrateToLatest(db, { authOptions: NEW, migrations: { ...migrations } as AppMigrations })
    await expect(db.selectFrom('user').select('id').execute()).rejects.toThrow()
    expect((await createAuth(database, NEW).api.signInEmail({ body: { email: emails[1]!, password: PASSWORD }, asResponse: true })).status).toBe(200)
    expect(await generateAuthMigration(NEW, { madeIn: DEFAULT_AUTH_SHAPE, migrations: { ...migrations } as AppMigrations })).toBeNull()
  })

  it('undoes both with migrate:down, back to the old names with every row', async () => {
    const before = await counts('users')
    await migrateDown(db, { steps: 1 }, { migrations: { ...migrations } as AppMigrations })
    await migrateDown(db, { steps: 1 }, { migrations: { ...migrations } as AppMigrations })
    expect(await counts()).toEqual(before)
    expect((await createAuth(database, OLD).api.signInEmail({ body: { email: emails[2]!, password: PASSWORD }, asResponse: true })).status).toBe(200)
    expect(await migrateToLatest(db, { authOptions: OLD, checkOnly: true })).toEqual([])
  })

  async function counts(users = 'user'): Promise<{ users: number; artworks: number }> {
    const count = async (table: string) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    return { users: await count(users), artworks: await count('artwork_jobs') }
  }
})
