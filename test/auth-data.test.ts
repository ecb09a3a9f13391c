/**
 * The auth data itself, through Better Auth on the migrated schema: what the keys and cascades
 * promise to the people whose accounts these are.
 */
import { beforeAll, expect, it } from 'vitest'
import { createAuth, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const OPTIONS = TEST_AUTH_OPTIONS
const PASSWORD = 'correct horse battery staple'

describeEachDatabase('the auth data', (kind) => {
  let database: AuthDatabase
  let auth: ReturnType<typeof createAuth<typeof OPTIONS>>
  useSuiteDatabase(kind, (opened) => (database = opened.database))
  beforeAll(async () => {
    await migrateToLatest(database.db)
    auth = createAuth(database, OPTIONS)
  })

  /** Signs up and in; resolves with the user's id and the session cookie a browser would send. */
  async function signedIn(email: string): Promise<{ userId: string; cookie: string }> {
    const { user } = await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: email.split('@')[0]! } })
    const response = await auth.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })
    expect(response.status).toBe(200)
    return { userId: user.id, cookie: response.headers.get('set-cookie')!.split(';')[0]! }
  }
  const sessionOf = (cookie: string) => auth.api.getSession({ headers: new Headers({ cookie }) })

  it("a deleted user's session cookie no longer works, and their sessions and accounts are gone", async () => {
    const { userId, cookie } = await signedIn(`gone.${kind}@example.com`)
    expect((await sessionOf(cookie))?.user.id).toBe(userId)

    await database.db.deleteFrom('user').where('id', '=', userId).execute()
    expect(await sessionOf(cookie)).toBeNull()
    expect(await database.db.selectFrom('session').select('id').where('userId', '=', userId).execute()).toEqual([])
    expect(await database.db.selectFrom('account').select('id').where('userId', '=', userId).execute()).toEqual([])
  })

  it('session tokens are unique: a second session with the same token is refused', async () => {
    const { userId } = await signedIn(`tokens.${kind}@example.com`)
    const existing = await database.db.selectFrom('session').selectAll().where('userId', '=', userId).executeTakeFirstOrThrow()
    await expect(
      database.db
        .insertInto('session')
        .values({ ...existing, id: `${existing.id}-copy`, createdAt: new Date(), updatedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) })
        .execute(),
    ).rejects.toThrow()
    expect(await database.db.selectFrom('session').select('id').where('token', '=', existing.token).execute()).toHaveLength(1)
  })

  it('emails are unique: Better Auth refuses a second sign-up, and the table refuses a second row', async () => {
    const email = `twice.${kind}@example.com`
    await signedIn(email)
    await expect(auth.api.signUpEmail({ body: { email, password: PASSWORD, name: 'again' } })).rejects.toThrow()
    await expect(database.db.insertInto('user').values({ id: `dup-${kind}`, name: 'dup', email, emailVerified: false }).execute()).rejects.toThrow()
    expect(await database.db.selectFrom('user').select('id').where('email', '=', email).execute()).toHaveLength(1)
  })

  it('stores a hash of the password, never the password itself', async () => {
    const { userId } = await signedIn(`hash.${kind}@example.com`)
    const account = await database.db.selectFrom('account').selectAll().where('userId', '=', userId).executeTakeFirstOrThrow()
    expect(account.providerId).toBe('credential')
    expect(account.password).toBeTruthy()
    expect(account.password).not.toContain(PASSWORD)
    expect(account.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/) // Better Auth's scrypt: salt:key, hex
    const everything = JSON.stringify([
      await database.db.selectFrom('user').selectAll().execute(),
      await database.db.selectFrom('session').selectAll().execute(),
      await database.db.selectFrom('account').selectAll().execute(),
    ])
    expect(everything).not.toContain(PASSWORD)
  })

  it("two users' artworks never mix: each listing holds only its user's rows, and a delete takes only its own", async () => {
    const ann = await signedIn(`ann.${kind}@example.com`)
    const ben = await signedIn(`ben.${kind}@example.com`)
    const jobs = (owner: string, n: number) => Array.from({ length: n }, (_, i) => ({ job_id: `${owner}-${kind}-${i}`, original_url: `s3://in/${owner}/${i}.png`, user_id: owner === 'ann' ? ann.userId : ben.userId }))
    await database.db.insertInto('artwork_jobs').values([...jobs('ann', 3), ...jobs('ben', 2)]).execute()
    await database.db.insertInto('artwork_jobs').values({ job_id: `unowned-${kind}`, original_url: 's3://in/x.png' }).execute()

    /** router-backend's listing: the signed-in user's artworks, newest first. */
    const listing = async (cookie: string) => {
      const session = await sessionOf(cookie)
      return database.db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).where('user_id', '=', session!.user.id).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
    }
    const annList = await listing(ann.cookie)
    const benList = await listing(ben.cookie)
    expect(annList.map((r) => r.job_id).sort()).toEqual(jobs('ann', 3).map((j) => j.job_id).sort())
    expect(benList.map((r) => r.job_id).sort()).toEqual(jobs('ben', 2).map((j) => j.job_id).sort())
    expect(annList.every((r) => r.user_id === ann.userId)).toBe(true)

    await database.db.deleteFrom('user').where('id', '=', ann.userId).execute()
    const left = await database.db.selectFrom('artwork_jobs').select('job_id').where('job_id', 'like', `%-${kind}%`).execute()
    expect(left.map((r) => r.job_id).sort()).toEqual([...jobs('ben', 2).map((j) => j.job_id), `unowned-${kind}`].sort())
  })
})
