/**
 * A check by hand (not a test: no assertion, it prints a table): PostgreSQL MAJOR (default 18,
 * started from its binaries as test/postgres-majors.test.ts does) through PgBouncer in transaction
 * pooling, PROCESSES (8) `migrate:latest` at once on a fresh database, TRIALS (3) trials: each
 * process's exit code, the migrations and checksums recorded, the advisory locks left on the
 * server, and `show lock_timeout` on every server connection PgBouncer holds for the database.
 *
 *   MAJOR=18 TRIALS=10 npx tsx scripts/pooler-race.ts
 */
import pg from 'pg'
import { migrationNames } from '../src/tools.js'
import { CHECKSUM_TABLE } from '../src/migrator/migration-sql.js'
import { runCli } from '../test/support/bundled-cli.js'
import { testDatabaseName } from '../test/support/leftovers.js'
import { startPgBouncer, startPostgres } from '../test/support/topology.js'

const MAJOR = Number(process.env.MAJOR ?? 18)
const PROCESSES = Number(process.env.PROCESSES ?? 8)
const TRIALS = Number(process.env.TRIALS ?? 3)
const POOL = 5

const server = await startPostgres(MAJOR)
const bouncer = await startPgBouncer(server.url, 'transaction', POOL)
console.log(`PostgreSQL ${server.version}, PgBouncer transaction pooling, default_pool_size ${POOL}`)
const admin = new pg.Client({ connectionString: server.url })
await admin.connect()
const { rows: def } = await admin.query<{ lock_timeout: string }>('show lock_timeout')
console.log(`server default lock_timeout: ${def[0]!.lock_timeout}`)
console.log('| trial | exit codes | "Applied" lines (all processes) | migrations recorded | checksums | advisory locks after | server connections visited | lock_timeout on them | wall |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
try {
  for (let trial = 1; trial <= TRIALS; trial++) {
    const name = testDatabaseName()
    await admin.query(`create database "${name}"`)
    const direct = new URL(server.url)
    direct.pathname = `/${name}`
    const url = bouncer.through(direct.toString())
    const started = performance.now()
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => runCli(['migrate:latest'], { DATABASE_URL: url })))
    const wall = ((performance.now() - started) / 1000).toFixed(1)
    for (const r of results) if (r.code !== 0) console.error(`exit ${r.code}: ${r.stderr.trim()}`)
    const db = new pg.Client({ connectionString: direct.toString() })
    await db.connect()
    const recorded = (await db.query<{ name: string }>('select name from kysely_migration order by name')).rows.map((r) => r.name)
    const checksums = (await db.query<{ name: string }>(`select name from ${CHECKSUM_TABLE} order by name`)).rows.map((r) => r.name)
    const locks = Number((await admin.query<{ n: string }>(`select count(*) as n from pg_locks where locktype = 'advisory'`)).rows[0]!.n)
    // Every server connection PgBouncer holds for the database: POOL clients, each in an open transaction.
    const clients = Array.from({ length: POOL }, () => new pg.Client({ connectionString: url }))
    await Promise.all(clients.map((c) => c.connect()))
    const seen = await Promise.all(
      clients.map(async (c) => {
        await c.query('begin')
        const pid = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
        const lockTimeout = (await c.query<{ lock_timeout: string }>('show lock_timeout')).rows[0]!.lock_timeout
        return { pid, lockTimeout }
      }),
    )
    const serverPids = (
      await db.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`)
    ).rows.map((r) => r.pid)
    await Promise.all(clients.map((c) => c.query('commit').then(() => c.end())))
    await db.end()
    const visited = serverPids.filter((pid) => seen.some((s) => s.pid === pid)).length
    const timeouts = [...new Set(seen.map((s) => s.lockTimeout))].join(', ')
    const once = recorded.join() === migrationNames.join() ? `${recorded.length}/${migrationNames.length}, each once` : `WRONG: ${recorded.join(' ')}`
    const sums = checksums.join() === migrationNames.join() ? `${checksums.length}/${migrationNames.length}` : `WRONG: ${checksums.join(' ')}`
    const applied = results.flatMap((r) => [...r.stdout.matchAll(/Applied (\S+)/g)].map((m) => m[1])).sort()
    const appliedOnce = applied.join() === migrationNames.join() ? `${applied.length}, each migration once` : `WRONG: ${applied.join(' ')}`
    console.log(`| ${trial} | ${results.map((r) => r.code).join(' ')} | ${appliedOnce} | ${once} | ${sums} | ${locks} | ${visited} of ${serverPids.length} | ${timeouts} | ${wall} s |`)
    await admin.query(`drop database "${name}" with (force)`)
  }
} finally {
  await admin.end()
  await bouncer.stop()
  await server.stop()
}
