/**
 * A connection the server ends while it is held (`pg_terminate_backend`, MariaDB's `KILL`, a
 * restart or a failover): the operation in progress fails with one readable line, the process
 * lives on, and the next query gets a new connection. A long-running service (router-backend)
 * must survive it; the CLI must report it in one line, and a rerun must finish the migrations.
 *
 * "The process lives on" is checked by vitest itself: an unhandled 'error' event in this process
 * is an uncaught exception, which vitest reports as an error and fails the run for.
 */
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionError, type AuthDatabase } from '../src/index.js'
import { migrationNames, MIGRATION_TABLE } from '../src/tools.js'
import { finished, spawnBundled } from './support/bundled-cli.js'
import { runCli } from './support/cli.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

/** One line, no stack trace, no raw driver message alone: what the module promises. */
const LOST = /^lost the connection to \S+ during a query \(.+\); .*try again$/

describeEachDatabase('a connection lost while held', (kind) => {
  if (kind === 'pglite') {
    it.skip('PGlite is embedded: it has no connection to lose', () => {})
    return
  }

  /** The server's id for the session behind `db` (a single connection). */
  const sessionId = async (db: Kysely<any>): Promise<number> => {
    const query = kind === 'mysql' ? sql<{ id: number }>`select connection_id() as id` : sql<{ id: number }>`select pg_backend_pid() as id`
    return Number((await query.execute(db)).rows[0]!.id)
  }
  /** Ends a session from another one, as an administrator would. */
  const endSession = async (admin: Kysely<any>, id: number): Promise<void> => {
    if (kind === 'mysql') await sql`kill ${sql.lit(id)}`.execute(admin)
    else await sql`select pg_terminate_backend(${id})`.execute(admin)
  }
  /** Waits until the server no longer lists the session (it has ended it). */
  const sessionGone = async (admin: Kysely<any>, id: number): Promise<void> => {
    for (let i = 0; i < 400; i++) {
      const query =
        kind === 'mysql'
          ? sql<{ n: number }>`select count(*) as n from information_schema.processlist where id = ${id}`
          : sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${id}`
      if (Number((await query.execute(admin)).rows[0]!.n) === 0) return
      await sleep(25)
    }
    throw new Error(`session ${id} never ended`)
  }
  const expectLost = (error: unknown): void => {
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(LOST)
    expect((error as Error).message).not.toContain('\n')
  }

  describe('in a service (connectDatabase)', () => {
    let testDb: TestDatabase
    let service: AuthDatabase
    let admin: AuthDatabase
    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      service = await testDb.connect()
      admin = await testDb.connect()
      await sql`create table notes (id int primary key, body varchar(50))`.execute(service.db)
    })
    afterAll(async () => {
      await service?.db.destroy()
      await admin?.db.destroy()
      await testDb?.drop()
    })

    /** The service's next query, on whichever connection the pool gives it, works. */
    const expectServing = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) expect((await sql<{ one: number }>`select 1 as one`.execute(service.db)).rows.map((r) => Number(r.one))).toEqual([1])
    }

    it('ended between two statements of a checked-out connection: the next statement fails in one line, the service keeps serving', async () => {
      const failure = await service.db
        .connection()
        .execute(async (conn) => {
          const id = await sessionId(conn)
          await endSession(admin.db, id)
          await sessionGone(admin.db, id)
          // Let the client read the server's goodbye (it arrives with no query to fail).
          await sleep(100)
          await sql`select 1`.execute(conn)
        })
        .then(() => undefined, (error: unknown) => error)
      expectLost(failure)
      await expectServing()
    })

    it('ended during a statement: that statement fails in one line, and the broken connection is not handed out again', async () => {
      const failure = await service.db
        .connection()
        .execute(async (conn) => {
          const id = await sessionId(conn)
          const running = sql`select ${sql.raw(kind === 'mysql' ? 'sleep(30)' : 'pg_sleep(30)')}`.execute(conn)
          running.catch(() => {}) // awaited below; ending the session may reject it first
          await waitUntilRunning(admin.db, id)
          await endSession(admin.db, id)
          await running
        })
        .then(() => undefined, (error: unknown) => error)
      expectLost(failure)
      await expectServing()
    })

    it('ended inside a transaction: the transaction fails in one line, nothing of it is kept, the service keeps serving', async () => {
      const failure = await service.db
        .transaction()
        .execute(async (trx) => {
          await sql`insert into notes (id, body) values (1, 'lost')`.execute(trx)
          const id = await sessionId(trx)
          await endSession(admin.db, id)
          await sessionGone(admin.db, id)
          await sleep(100)
          await sql`insert into notes (id, body) values (2, 'lost')`.execute(trx)
        })
        .then(() => undefined, (error: unknown) => error)
      expectLost(failure)
      expect((await sql`select id from notes`.execute(service.db)).rows).toEqual([])
      await expectServing()
    })

    /** Waits until session `id` is running a statement (the sleep). */
    async function waitUntilRunning(db: Kysely<any>, id: number): Promise<void> {
      for (let i = 0; i < 400; i++) {
        const query =
          kind === 'mysql'
            ? sql<{ n: number }>`select count(*) as n from information_schema.processlist where id = ${id} and info like '%sleep(30)%'`
            : sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${id} and state = 'active' and query like '%pg_sleep(30)%'`
        if (Number((await query.execute(db)).rows[0]!.n) === 1) return
        await sleep(25)
      }
      throw new Error(`session ${id} never ran the statement`)
    }
  })

  describe('in the CLI', () => {
    let testDb: TestDatabase
    let admin: AuthDatabase
    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      admin = await testDb.connect()
      // A legacy artwork_jobs, as Artorizer's databases have: the migrations alter and index it.
      const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
      await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null,
        protected_url text, status varchar(20) not null, created_at timestamp not null default current_timestamp)`.execute(admin.db)
      await sql`insert into artwork_jobs (job_id, original_url, status) values ('job', 's3://in/0.png', 'done')`.execute(admin.db)
    })
    afterAll(async () => {
      await admin?.db.destroy()
      await testDb?.drop()
    })

    it('migrate:latest whose session is ended mid-migration exits 1 with one line, and the next run finishes', async () => {
      const database = new URL(testDb.url).pathname.slice(1)
      const ended = await admin.db.connection().execute(async (holder) => {
        // Hold artwork_jobs so the migration stops, mid-way, on the first statement that needs it.
        if (kind === 'mysql') await sql`lock tables artwork_jobs write`.execute(holder)
        else {
          await sql`begin`.execute(holder)
          await sql`lock table artwork_jobs in access exclusive mode`.execute(holder)
        }
        const child = await spawnBundled('src/cli.ts', ['migrate:latest'], { DATABASE_URL: testDb.url })
        const result = finished(child)
        // Watched from another session: PostgreSQL shows a transaction one snapshot of activity.
        const waiting = await waitForBlocked(admin.db, database, await sessionId(holder))
        for (const id of waiting) await endSession(admin.db, id)
        if (kind === 'mysql') await sql`unlock tables`.execute(holder)
        else await sql`commit`.execute(holder)
        return result
      })
      expect(ended.code, ended.stderr).toBe(1)
      const lines = ended.stderr.split('\n').filter((line) => line.trim() !== '')
      expect(lines, ended.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/^❌ (migration \S+ failed: |migrations could not run: )?lost the connection to /)
      expect(ended.stderr).not.toMatch(/^\s+at /m)

      const rerun = await runCli(['migrate:latest'], { DATABASE_URL: testDb.url })
      expect(rerun.code, rerun.stderr).toBe(0)
      const applied = await (admin.db as Kysely<any>).selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute()
      expect(applied.map((row: { name: string }) => row.name)).toEqual(migrationNames)
    })

    /** The CLI's sessions in `database` (not ours, nor `holder`) once one waits for the table lock. */
    async function waitForBlocked(db: Kysely<any>, database: string, holder: number): Promise<number[]> {
      for (let i = 0; i < 1200; i++) {
        const query =
          kind === 'mysql'
            ? sql<{ id: number; waiting: number }>`select id, state like '%lock%' as waiting from information_schema.processlist
                where db = ${database} and id not in (connection_id(), ${holder})`
            : sql<{ id: number; waiting: boolean }>`select pid as id, wait_event_type = 'Lock' as waiting from pg_stat_activity
                where datname = ${database} and pid not in (pg_backend_pid(), ${holder})`
        const sessions = (await query.execute(db)).rows
        if (sessions.some((s) => Boolean(Number(s.waiting)) || s.waiting === true)) return sessions.map((s) => Number(s.id))
        await sleep(25)
      }
      throw new Error('migrate:latest never waited for artwork_jobs')
    }
  })
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
