import { afterAll, beforeAll, expect, it } from 'vitest'
import { createAuth, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { SEED_USER, seedDatabase, SeedRefusedError } from '../src/tools.js'
import { runCli } from './support/cli.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

/** The application's own Better Auth, with a secret of its own: the seed's is thrown away. */
const APP_OPTIONS = { ...TEST_AUTH_OPTIONS, secret: 'the-application-secret-which-the-seed-never-saw' } as const

describeEachDatabase('db:seed', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  const counts = async () => ({
    users: (await database.db.selectFrom('user').select('id').execute()).length,
    accounts: (await database.db.selectFrom('account').select('id').execute()).length,
    artworks: (await database.db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).orderBy('job_id').execute()),
  })

  it('creates the test user through Better Auth, prints the credentials, and links the sample artworks', async () => {
    const migrating = await testDb.connect()
    await migrateToLatest(migrating.db)
    await migrating.db.destroy() // a PGlite folder has one user at a time: the CLI's
    const { code, stdout } = await runCli(['db:seed'], { DATABASE_URL: testDb.url })
    expect(code).toBe(0)
    expect(stdout).toContain(`email:    ${SEED_USER.email}`)
    expect(stdout).toContain(`password: ${SEED_USER.password}`)
    expect(stdout).toContain('✅ Linked 3 artworks to the test user')

    database = await testDb.connect()
    const { users, accounts, artworks } = await counts()
    const user = await database.db.selectFrom('user').select('id').where('email', '=', SEED_USER.email).executeTakeFirstOrThrow()
    expect({ users, accounts }).toEqual({ users: 1, accounts: 1 })
    expect(artworks).toEqual(['seed-job-1', 'seed-job-2', 'seed-job-3'].map((job_id) => ({ job_id, user_id: user.id })))

    const account = await database.db.selectFrom('account').select(['password', 'providerId']).executeTakeFirstOrThrow()
    expect(account.providerId).toBe('credential')
    expect(account.password).not.toContain(SEED_USER.password) // hashed, not stored

    const auth = createAuth(database, APP_OPTIONS)
    const signIn = await auth.api.signInEmail({ body: { email: SEED_USER.email, password: SEED_USER.password }, asResponse: true })
    expect(signIn.status).toBe(200)
  }, 120_000) // a CLI run starts Node, tsx and (for PGlite) the database: slow on a busy machine

  it('adds nothing the second time', async () => {
    const before = await counts()
    const report = await seedDatabase(database)
    expect(report).toMatchObject({
      user: { email: SEED_USER.email, created: false },
      password: SEED_USER.password,
      artworks: { created: 0, link: { linked: 0, unchanged: 3 } },
    })
    expect(await counts()).toEqual(before)
  })

  it('refuses a database with real users unless forced', async () => {
    const auth = createAuth(database, APP_OPTIONS)
    await auth.api.signUpEmail({ body: { email: 'real.person@example.org', password: 'a real password 123', name: 'Real' } })
    await expect(seedDatabase(database)).rejects.toBeInstanceOf(SeedRefusedError)

    await database.db.destroy() // a PGlite folder has one user at a time: the CLI's
    const refused = await runCli(['db:seed'], { DATABASE_URL: testDb.url })
    database = await testDb.connect()
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toEqual([
      '❌ the database already has 1 user besides the test user, so it looks real; db:seed is for development databases (pass --force to seed it anyway)',
    ])

    const forced = await seedDatabase(database, { force: true })
    expect(forced.user.created).toBe(false)
  })

  it('refuses to run before the migrations', async () => {
    const fresh = await createTestDatabase(kind)
    const freshDatabase = await fresh.connect()
    try {
      await expect(seedDatabase(freshDatabase)).rejects.toThrow(
        'pending migrations 0001_better_auth, 0002_artorizer_user_link, 0003_indexes, 0004_exact_job_ids; run npx artorizer-auth-db migrate:latest',
      )
    } finally {
      await freshDatabase.db.destroy()
      await fresh.drop()
    }
  })
})
