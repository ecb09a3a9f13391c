/**
 * The example router-backend under sign-up load while an administrator ends its database
 * sessions again and again (`pg_terminate_backend`, MariaDB's `KILL`): the service keeps
 * answering every request, no sign-up leaves a user without an account (Better Auth's writes run
 * in transactions, issue 12 item 2), and every email whose sign-up failed signs up afterwards.
 */
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../examples/router-backend/server.js'
import { connectDatabase, type AuthDatabase } from '../src/index.js'
import { createTestDatabase, describeEachDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'

const SECRET = 'test-secret-that-is-long-enough-for-better-auth'
const PASSWORD = 'correct horse battery staple'
const SIGN_UPS = 40
const CONCURRENCY = 4
const KILL_EVERY_MS = 150

/** Ends every session of this database but the administrator's own. */
async function endSessions(kind: DatabaseKind, admin: Kysely<any>): Promise<void> {
  if (kind === 'postgres') {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(admin)
    return
  }
  const { rows } = await sql<{ id: number }>`select id from information_schema.processlist where db = database() and id <> connection_id()`.execute(admin)
  for (const { id } of rows) await sql`kill ${sql.lit(Number(id))}`.execute(admin).catch(() => {}) // it may have ended meanwhile
}

describeEachDatabase('the example service while its database sessions are ended', (kind) => {
  if (kind === 'pglite') {
    it.skip('PGlite is embedded: it has no sessions to end', () => {})
    return
  }
  let testDb: TestDatabase
  let server: RunningServer
  let admin: AuthDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    server = await startServer({ url: testDb.url, port: 0, secret: SECRET, quiet: true })
    admin = await connectDatabase({ url: testDb.url })
  })
  afterAll(async () => {
    await server?.close()
    await admin?.db.destroy()
    await testDb?.drop()
  })

  const signUp = (email: string): Promise<Response> =>
    fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, password: PASSWORD, name: 'Load' }),
    })

  it('answers every request, leaves no user without an account, and lets every failed email sign up again', async () => {
    let killing = true
    let rounds = 0
    const killer = (async () => {
      while (killing) {
        await endSessions(kind, admin.db)
        rounds++
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS))
      }
    })()

    const emails = Array.from({ length: SIGN_UPS }, (_, i) => `load.${i}.${kind}@example.com`)
    const statuses = new Map<string, number>()
    const queue = [...emails]
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let email = queue.shift(); email !== undefined; email = queue.shift()) {
            // A rejected fetch would mean the service died or dropped the request.
            const response = await signUp(email)
            await response.arrayBuffer()
            statuses.set(email, response.status)
          }
        }),
      )
    } finally {
      killing = false
      await killer
    }
    expect(rounds).toBeGreaterThan(1)
    expect(statuses.size).toBe(SIGN_UPS)
    expect([...statuses.values()].every((status) => status === 200 || status >= 500)).toBe(true)

    // Still serving, with the pool's broken connections replaced.
    const protectedRoute = await fetch(`${server.url}/api/artworks`, { headers: { origin: server.url } })
    expect(protectedRoute.status).toBe(401)

    const orphans = await sql<{ n: number | string }>`
      select count(*) as n from ${sql.table('user')} u
      where not exists (select 1 from ${sql.table('account')} a where a.${sql.ref('userId')} = u.${sql.ref('id')})`.execute(admin.db)
    expect(Number(orphans.rows[0]!.n)).toBe(0)

    for (const [email, status] of statuses) {
      if (status === 200) continue
      const again = await signUp(email)
      expect(again.status, `${email} after a failed sign-up`).toBe(200)
    }
  })
})
