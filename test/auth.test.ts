import { getMigrations } from 'better-auth/db/migration'
import { beforeAll, expect, it } from 'vitest'
import { createAuth, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const OPTIONS = TEST_AUTH_OPTIONS

describeEachDatabase('Better Auth over the migrated schema', (kind) => {
  let database: AuthDatabase
  let auth: ReturnType<typeof createAuth<typeof OPTIONS>>
  useSuiteDatabase(kind, (opened) => (database = opened.database))
  beforeAll(async () => {
    await migrateToLatest(database.db)
    auth = createAuth(database, OPTIONS)
  })

  it("finds nothing to create or add with Better Auth's own getMigrations", async () => {
    const plan = await getMigrations({ ...OPTIONS, database: { db: database.db, type: database.dialect } })
    expect(plan.toBeCreated).toEqual([])
    expect(plan.toBeAdded).toEqual([])
    expect(plan.toBeAddedIndexes).toEqual([])
  })

  it('signs up, signs in, reads the session from its cookie, and refuses a wrong password', async () => {
    const email = `ada.${kind}@example.com`
    const password = 'correct horse battery staple'
    const signUp = await auth.api.signUpEmail({ body: { email, password, name: 'Ada' } })
    expect(signUp.user.email).toBe(email)

    const signIn = await auth.api.signInEmail({ body: { email, password }, asResponse: true })
    expect(signIn.status).toBe(200)
    const cookie = signIn.headers.get('set-cookie')
    expect(cookie).toBeTruthy()

    const session = await auth.api.getSession({ headers: new Headers({ cookie: cookie!.split(';')[0]! }) })
    expect(session?.user.email).toBe(email)
    expect(session?.session.expiresAt).toBeInstanceOf(Date)
    expect(session!.session.expiresAt.getTime()).toBeGreaterThan(Date.now())

    const row = await database.db.selectFrom('user').select(['id', 'emailVerified', 'createdAt']).where('email', '=', email).executeTakeFirstOrThrow()
    expect(row.id).toBe(signUp.user.id)
    expect(Math.abs(new Date(row.createdAt).getTime() - Date.now())).toBeLessThan(60_000)

    const wrong = await auth.api.signInEmail({ body: { email, password: 'wrong password' }, asResponse: true })
    expect(wrong.status).toBe(401)
  })

  it('writes verification ids longer than 36 characters', async () => {
    const ctx = await auth.$context
    const value = await ctx.internalAdapter.createVerificationValue({
      identifier: `magic-link-${kind}`,
      value: 'x',
      expiresAt: new Date(Date.now() + 60_000),
    })
    expect(value.id.length).toBeGreaterThan(0)
    const id = 'v'.repeat(43)
    await database.db.insertInto('verification').values({ id, identifier: 'otp', value: '1', expiresAt: new Date() }).execute()
    expect((await database.db.selectFrom('verification').select('id').where('id', '=', id).executeTakeFirst())?.id).toBe(id)
  })
})
