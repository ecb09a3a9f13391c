/**
 * Better Auth's writes that belong together are one transaction: a sign-up whose account insert
 * fails leaves no user behind, and the email can sign up again. With transactions on, PGlite's
 * single connection must not deadlock: each endpoint that writes is run here once.
 */
import { sql } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import { createAuth, type AuthDatabase, migrateToLatest } from '../src/index.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'

const OPTIONS = { ...TEST_AUTH_OPTIONS, user: { deleteUser: { enabled: true } } } as const
const PASSWORD = 'correct horse battery staple'

describeEachDatabase('Better Auth in transactions', (kind) => {
  let database: AuthDatabase
  let auth: ReturnType<typeof createAuth<typeof OPTIONS>>
  useSuiteDatabase(kind, (opened) => (database = opened.database))
  beforeAll(async () => {
    await migrateToLatest(database.db)
    auth = createAuth(database, OPTIONS)
  })

  /** Makes the server reject any `account` row whose user has `email`. */
  async function refuseAccountsOf(email: string): Promise<void> {
    if (kind === 'mysql') {
      await sql`create trigger refuse_account before insert on account for each row begin
        if exists (select 1 from \`user\` where id = new.userId and email = ${sql.lit(email)}) then
          signal sqlstate '45000' set message_text = 'account refused by the test';
        end if;
      end`.execute(database.db)
    } else {
      await sql`create or replace function refuse_account() returns trigger language plpgsql as $$ begin
        if exists (select 1 from "user" where id = new."userId" and email = ${sql.lit(email)}) then
          raise exception 'account refused by the test';
        end if;
        return new;
      end $$`.execute(database.db)
      await sql`create trigger refuse_account before insert on account for each row execute function refuse_account()`.execute(database.db)
    }
  }

  const usersWith = async (email: string) => database.db.selectFrom('user').select('id').where('email', '=', email).execute()

  it('a sign-up whose account insert fails leaves no user, and the email can sign up once the fault is gone', async () => {
    const email = `half.${kind}@example.com`
    // A real failure after the user row is written: a trigger refuses this user's account row.
    // (Changing the table instead would trip Better Auth's schema check.)
    await refuseAccountsOf(email)
    try {
      await expect(auth.api.signUpEmail({ body: { email, password: PASSWORD, name: 'Half' } })).rejects.toThrow()
    } finally {
      await sql`drop trigger refuse_account ${kind === 'mysql' ? sql`` : sql`on account`}`.execute(database.db)
    }
    expect(await usersWith(email)).toEqual([])

    const { user } = await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: 'Half' } })
    expect(await usersWith(email)).toEqual([{ id: user.id }])
    expect(await database.db.selectFrom('account').select('providerId').where('userId', '=', user.id).execute()).toEqual([{ providerId: 'credential' }])
  })

  it('signs up, in and out, reads the session and deletes the user, each in its transaction', async () => {
    const email = `whole.${kind}@example.com`
    await auth.api.signUpEmail({ body: { email, password: PASSWORD, name: 'Whole' } })
    const signIn = await auth.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })
    expect(signIn.status).toBe(200)
    const headers = new Headers({ cookie: signIn.headers.get('set-cookie')!.split(';')[0]! })
    expect((await auth.api.getSession({ headers }))?.user.email).toBe(email)

    expect((await auth.api.signOut({ headers })).success).toBe(true)
    expect(await auth.api.getSession({ headers })).toBeNull()

    const again = await auth.api.signInEmail({ body: { email, password: PASSWORD }, asResponse: true })
    const headersAgain = new Headers({ cookie: again.headers.get('set-cookie')!.split(';')[0]! })
    expect((await auth.api.deleteUser({ headers: headersAgain, body: { password: PASSWORD } })).success).toBe(true)
    expect(await usersWith(email)).toEqual([])
    expect(await auth.api.getSession({ headers: headersAgain })).toBeNull()
  })
})
