/**
 * Through PgBouncer, as managed PostgreSQL hands it out: transaction pooling (each transaction,
 * or each statement outside one, may run on another server connection) and session pooling.
 * Many processes migrating at once must behave as on a direct connection: one migrates while
 * the others wait, each migration runs once and gets its checksum, and once they exit no
 * advisory lock is held and no server connection keeps a setting the module made.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrationNames } from '../src/tools.js'
import { CHECKSUM_TABLE } from '../src/migrator/migration-sql.js'
import { finished, runCli, spawnBundled, type ProcessResult } from './support/bundled-cli.js'
import { createTestDatabase, unavailableReason, type TestDatabase } from './support/databases.js'
import { startPgBouncer, topologyUnavailable, type PgBouncer, type PoolMode } from './support/topology.js'

const PROCESSES = 8
/** Settings the module would have changed on a session in the past; a pooled server connection must keep the server's. */
const SETTINGS = ['lock_timeout', 'max_parallel_maintenance_workers', 'idle_in_transaction_session_timeout', 'statement_timeout'] as const

const unavailable = topologyUnavailable('pgbouncer') ?? unavailableReason('postgres')

for (const mode of ['transaction', 'session'] as const satisfies readonly PoolMode[]) {
  const title = `through PgBouncer in ${mode} pooling`
  const suite = unavailable ? describe.skip : describe
  suite(unavailable ? `${title} [skipped: ${unavailable}]` : title, () => {
    let bouncer: PgBouncer
    let testDb: TestDatabase
    let direct: pg.Client
    let url: string

    beforeAll(async () => {
      // Session pooling gives each client connection a server connection for its life, and a
      // migrating process has two (its pool's and the lock's): PgBouncer's default pool (20).
      bouncer = await startPgBouncer(inject('postgresUrl')!, mode, mode === 'session' ? 20 : 5)
      testDb = await createTestDatabase('postgres')
      url = bouncer.through(testDb.url)
      direct = new pg.Client({ connectionString: testDb.url })
      await direct.connect()
    })
    afterAll(async () => {
      await direct?.end()
      await bouncer?.stop()
      await testDb?.drop()
    })

    const cli = (...args: string[]): Promise<ProcessResult> => runCli(args, { DATABASE_URL: url })

    async function serverDefaults(): Promise<Record<string, string>> {
      const { rows } = await direct.query<{ name: string; value: string }>(
        `select name, reset_val as value from pg_settings where name = any($1)`,
        [SETTINGS],
      )
      return Object.fromEntries(rows.map((r) => [r.name, r.value]))
    }

    /**
     * The settings of every server connection PgBouncer holds for the test database: as many
     * clients as the pool has connections, each in an open transaction, so that each is given a
     * server connection of its own, then compared with what the server lists for the database.
     */
    async function settingsOfEveryServerConnection(): Promise<{ pids: Set<number>; serverPids: Set<number>; settings: Record<string, string>[] }> {
      const clients = Array.from({ length: bouncer.poolSize }, () => new pg.Client({ connectionString: url }))
      try {
        await Promise.all(clients.map((c) => c.connect()))
        const settings = await Promise.all(
          clients.map(async (client) => {
            await client.query('begin')
            const { rows } = await client.query<Record<string, string>>(
              `select pg_backend_pid()::text as pid, ${SETTINGS.map((s) => `current_setting('${s}') as ${s}`).join(', ')}`,
            )
            return rows[0]!
          }),
        )
        const { rows } = await direct.query<{ pid: number }>(
          `select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`,
        )
        await Promise.all(clients.map((c) => c.query('commit')))
        return { pids: new Set(settings.map((s) => Number(s.pid))), serverPids: new Set(rows.map((r) => r.pid)), settings }
      } finally {
        await Promise.all(clients.map((c) => c.end().catch(() => {})))
      }
    }

    async function advisoryLocksHeld(): Promise<number> {
      const { rows } = await direct.query<{ n: string }>(
        `select count(*) as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
      )
      return Number(rows[0]!.n)
    }

    it(`${PROCESSES} processes migrate:latest at once: all exit 0, each migration once with its checksum, no lock or setting left behind`, async () => {
      const results = await Promise.all(Array.from({ length: PROCESSES }, () => cli('migrate:latest')))
      for (const result of results) expect(result.code, result.stderr).toBe(0)
      const applied = results.flatMap((r) => [...r.stdout.matchAll(/Applied (\S+)/g)].map((m) => m[1]))
      expect(applied.sort()).toEqual([...migrationNames])
      const migrations = await direct.query<{ name: string }>('select name from kysely_migration order by name')
      expect(migrations.rows.map((r) => r.name)).toEqual(migrationNames)
      const checksums = await direct.query<{ name: string }>(`select name from ${CHECKSUM_TABLE} order by name`)
      expect(checksums.rows.map((r) => r.name)).toEqual(migrationNames)
      expect(await advisoryLocksHeld()).toBe(0)

      const defaults = await serverDefaults()
      const { pids, serverPids, settings } = await settingsOfEveryServerConnection()
      expect([...serverPids].every((pid) => pids.has(pid)), 'every server connection of the pool was visited').toBe(true)
      for (const connection of settings) {
        for (const name of SETTINGS) expect(connection[name], `${name} on server connection ${connection.pid}`).toBe(defaults[name])
      }
    })

    it('migrate:status, db:verify, migrate:down --all --force and migrate:latest pass', async () => {
      const commands = [
        ['migrate:status'],
        ['db:verify'],
        ['migrate:down', '--all', '--force'],
        ['migrate:status'],
        ['migrate:latest'],
        ['db:verify'],
        ['db:seed'],
        ['artworks:link', '--user', 'test@example.com', 'seed-job-1'],
        ['migrate:down', '--all', '--force'],
        ['migrate:latest'],
      ]
      for (const args of commands) {
        const result = await cli(...args)
        expect(result.code, `${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0)
      }
      expect(await advisoryLocksHeld()).toBe(0)
    })

    it('a lock whose holder was killed is free at once, and blocks nobody', async () => {
      const holder = await spawnBundled('test/support/migrate-runner.ts', ['hold-lock'], { DATABASE_URL: url })
      const done = finished(holder)
      await new Promise<void>((resolve) => holder.stdout!.on('data', (chunk) => String(chunk).includes('LOCKED') && resolve()))
      expect(await advisoryLocksHeld()).toBe(1)
      holder.kill('SIGKILL')
      await done
      for (let i = 0; i < 100 && (await advisoryLocksHeld()) > 0; i++) await new Promise((r) => setTimeout(r, 50))
      expect(await advisoryLocksHeld()).toBe(0)
      const after = await runCli(['migrate:down', '--all', '--force'], { DATABASE_URL: url, MIGRATION_LOCK_TIMEOUT_MS: '5000' })
      expect(after.code, after.stderr).toBe(0)
      expect((await cli('migrate:latest')).code).toBe(0)
    })

    it.skipIf(mode !== 'transaction')('a DDL statement gives way while a reader holds the table, bounded on whichever server connection runs it', async () => {
      // A row keeps artwork_jobs when 0002 is undone (only its user_id goes).
      await direct.query(`insert into artwork_jobs (job_id, original_url) values ('pooled-1', 'https://example.com/1')`)
      // Undo down to 0002, whose ADD COLUMN on artwork_jobs needs the strong lock.
      expect((await cli('migrate:down', '--to', '0001_better_auth', '--force')).code).toBe(0)
      const reader = new pg.Client({ connectionString: testDb.url })
      await reader.connect()
      try {
        await reader.query('begin')
        await reader.query('select count(*) from artwork_jobs')
        // Without a bound on the server connection that runs it, the ALTER would wait for the
        // reader forever (the server's lock_timeout is 0) instead of giving up after its budget.
        const blocked = await runCli(['migrate:latest'], { DATABASE_URL: url, DDL_LOCK_RETRY_BUDGET_MS: '1500' })
        expect(blocked.code, blocked.stdout).toBe(1)
        expect(blocked.stderr).toContain('stayed locked by another session')
        expect(blocked.stderr.trim().split('\n')).toHaveLength(1)
      } finally {
        await reader.query('rollback')
        await reader.end()
      }
      expect((await cli('migrate:latest')).code).toBe(0)
      const defaults = await serverDefaults()
      for (const connection of (await settingsOfEveryServerConnection()).settings) {
        for (const name of SETTINGS) expect(connection[name]).toBe(defaults[name])
      }
      expect(await advisoryLocksHeld()).toBe(0)
    })
  })
}
