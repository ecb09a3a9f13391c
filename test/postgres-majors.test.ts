/**
 * Every supported PostgreSQL major (15, the machine's; 16, 17 and 18 started here from the npm
 * registry's server binaries, see support/postgres-binaries.ts), each reached three ways: directly,
 * and through PgBouncer in session and in transaction pooling. On a fresh database each way, the
 * real CLI runs migrate:status, migrate:latest, migrate:status, db:verify, migrate:down --all
 * --force and migrate:latest (two processes at once), each checked for its exit code and what it
 * says; Better Auth then signs a user up and in the same way. Kept lean for CI: one server start per major, one
 * PgBouncer per pooling mode per major, one sequence each. Concurrency through the poolers is
 * test/pooler.test.ts's.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connectDatabase, createAuth } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'
import { runCli, type ProcessResult } from './support/bundled-cli.js'
import { unavailableReason } from './support/databases.js'
import { testDatabaseName } from './support/leftovers.js'
import { startPgBouncer, startPostgres, topologyUnavailable, type PgBouncer, type PoolMode, type PostgresServer } from './support/topology.js'

/** The machine's PostgreSQL (`TEST_POSTGRES_URL`) is this major; the others are started here. */
const MACHINE_MAJOR = 15
const MAJORS = [15, 16, 17, 18] as const
const WAYS = ['direct', 'session', 'transaction'] as const satisfies readonly ('direct' | PoolMode)[]
const COUNT = `${migrationNames.length} migration${migrationNames.length === 1 ? '' : 's'}`

for (const major of MAJORS) {
  const machine = major === MACHINE_MAJOR
  const unavailable = machine ? (topologyUnavailable() ?? unavailableReason('postgres')) : topologyUnavailable({ postgres: major })
  const title = `PostgreSQL ${major}${machine ? " (the machine's, TEST_POSTGRES_URL)" : ''}`
  const suite = unavailable ? describe.skip : describe

  suite(unavailable ? `${title} [skipped: ${unavailable}]` : title, () => {
    let server: PostgresServer | undefined
    let serverUrl: string

    beforeAll(async () => {
      if (machine) {
        serverUrl = inject('postgresUrl')!
      } else {
        server = await startPostgres(major)
        serverUrl = server.url
      }
    })
    afterAll(async () => {
      await server?.stop()
    })

    it(`is PostgreSQL ${major}`, async () => {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        const { rows } = await client.query<{ major: string }>(`select current_setting('server_version_num')::int / 10000 as major`)
        expect(Number(rows[0]!.major)).toBe(major)
      } finally {
        await client.end()
      }
    })

    for (const way of WAYS) {
      const pooled = way !== 'direct'
      // (Within a skipped major, its reason says it all.)
      const wayUnavailable = pooled && !unavailable ? topologyUnavailable('pgbouncer') : undefined
      const wayTitle = pooled ? `through PgBouncer in ${way} pooling` : 'directly'
      const waySuite = wayUnavailable ? describe.skip : describe

      waySuite(wayUnavailable ? `${wayTitle} [skipped: ${wayUnavailable}]` : wayTitle, () => {
        let bouncer: PgBouncer | undefined
        let database: FreshDatabase
        let url: string
        const password = () => decodeURIComponent(new URL(serverUrl).password)

        beforeAll(async () => {
          database = await createFreshDatabase(serverUrl)
          // Session pooling: a migrating process holds up to two server connections (see docs/poolers.md);
          // PgBouncer's default pool (20) serves the two processes at once and Better Auth's pool.
          if (pooled) bouncer = await startPgBouncer(serverUrl, way, way === 'session' ? 20 : 5)
          url = bouncer ? bouncer.through(database.url) : database.url
        })
        afterAll(async () => {
          await bouncer?.stop()
          await database?.drop()
        })

        async function cli(...args: string[]): Promise<ProcessResult> {
          const result = await runCli(args, { DATABASE_URL: url })
          expect(result.code, `${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0)
          expect(result.stderr).toBe('')
          if (password()) expect(result.stdout).not.toContain(password())
          return result
        }

        it('migrate:status on the fresh database: every migration pending', async () => {
          const { stdout } = await cli('migrate:status')
          expect(stdout).toContain(`Database postgres://`)
          for (const name of migrationNames) expect(stdout).toContain(`⏳ ${name}  pending`)
          expect(stdout).toContain(`${COUNT} pending`)
        })

        it('migrate:latest applies every migration, in order', async () => {
          expectApplied((await cli('migrate:latest')).stdout)
        })

        it('migrate:status: every migration applied, up to date, no drift', async () => {
          const { stdout } = await cli('migrate:status')
          for (const name of migrationNames) expect(stdout).toMatch(new RegExp(`✅ ${name}  applied \\d{4}-\\d\\d-\\d\\dT`))
          expect(stdout).toContain('Up to date')
          expect(stdout).not.toContain('⚠️')
        })

        it('db:verify: the database matches the schema', async () => {
          const { stdout } = await cli('db:verify')
          expect(stdout).toContain('✅ Database matches the schema')
          expect(stdout).not.toContain('❌')
        })

        it('migrate:down --all --force reverts every migration, newest first', async () => {
          const { stdout } = await cli('migrate:down', '--all', '--force')
          const reverted = [...stdout.matchAll(/✅ Reverted (\S+)/g)].map((m) => m[1])
          expect(reverted).toEqual([...migrationNames].reverse())
          expect(stdout).toContain(`✅ Rolled back ${COUNT}`)
        })

        it('migrate:latest, two processes at once: one applies them all again, the other waits and finds nothing to do; no advisory lock is left', async () => {
          const results = await Promise.all([cli('migrate:latest'), cli('migrate:latest')])
          const [applier, waiter] = results[0].stdout.includes('✅ Applied') ? results : [results[1], results[0]]
          expectApplied(applier.stdout)
          expect(waiter.stdout).toContain('✅ Database is up to date: nothing to apply')
          expect(waiter.stdout).not.toContain('✅ Applied')
          expect(await database.advisoryLocks()).toBe(0)
        })

        it(`Better Auth signs a user up and in${pooled ? ' through the pooler' : ''}`, async () => {
          const connected = await connectDatabase({ url })
          try {
            const auth = createAuth(connected, TEST_AUTH_OPTIONS)
            const email = `ada.pg${major}.${way}@example.com`
            const signUp = await auth.api.signUpEmail({ body: { email, password: 'correct horse battery staple', name: 'Ada' } })
            expect(signUp.user.email).toBe(email)
            const signIn = await auth.api.signInEmail({ body: { email, password: 'correct horse battery staple' }, asResponse: true })
            expect(signIn.status).toBe(200)
          } finally {
            await connected.db.destroy()
          }
        })
      })
    }
  })
}

function expectApplied(stdout: string): void {
  const applied = [...stdout.matchAll(/✅ Applied (\S+) \(\d+\.\d s\)/g)].map((m) => m[1])
  expect(applied).toEqual([...migrationNames])
  expect(stdout).toMatch(new RegExp(`✅ Migration completed successfully: ${COUNT} applied in \\d+\\.\\d s`))
}

interface FreshDatabase {
  /** Its URL on the server, direct. */
  readonly url: string
  /** Advisory locks held in it, by anyone. */
  advisoryLocks(): Promise<number>
  drop(): Promise<void>
}

/** An empty database on the server of `serverUrl`, named as test databases are (leftovers.ts). */
async function createFreshDatabase(serverUrl: string): Promise<FreshDatabase> {
  const name = testDatabaseName()
  const admin = async <T>(query: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    try {
      return await query(client)
    } finally {
      await client.end()
    }
  }
  await admin((client) => client.query(`create database "${name}"`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    advisoryLocks: () =>
      admin(async (client) => {
        const { rows } = await client.query<{ n: string }>(
          `select count(*) as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = $1)`,
          [name],
        )
        return Number(rows[0]!.n)
      }),
    drop: () => admin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  }
}
