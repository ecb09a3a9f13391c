/**
 * A check by hand (not a test: no assertion, it prints tables), the issue's trials at full size:
 *
 * 1. A pg_auto_failover formation (monitor and two PostgreSQL 15 nodes, test/support/auto-failover.ts):
 *    `migrate:latest` of a legacy `artwork_jobs` of ROWS rows (default 1,000,000) through the
 *    formation's multi-host URI, `pg_autoctl perform failover` at each of three points
 *    (test/support/failover-points.ts), TRIALS (3) trials each: the first run's exit code and
 *    line, then the rerun through the same URI, `db:verify`, invalid indexes, NOT VALID
 *    constraints, advisory locks left, migrations and checksums recorded, rows.
 * 2. A primary and a hot standby (test/support/replication.ts): the primary frozen by SIGSTOP at
 *    each point, FREEZE_TRIALS (1) each: how long after the freeze the run ended, its line, and
 *    the rerun through the multi-host URL (listing the frozen primary first) on the promoted standby.
 *
 *   ROWS=1000000 TRIALS=3 npx tsx scripts/failover-trials.ts
 */
import { loadavg } from 'node:os'
import { migrationNames } from '../src/tools.js'
import { finished, runCli, spawnBundled } from '../test/support/bundled-cli.js'
import { startFormation } from '../test/support/auto-failover.js'
import { FAILOVER_POINTS, holdAt, legacyArtworkJobsSql } from '../test/support/failover-points.js'
import { startReplicatedPair } from '../test/support/replication.js'

const ROWS = Number(process.env.ROWS ?? 1_000_000)
const TRIALS = Number(process.env.TRIALS ?? 3)
const FREEZE_TRIALS = Number(process.env.FREEZE_TRIALS ?? 1)
const plain = { FORCE_COLOR: undefined, NO_COLOR: '1' }
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const line = (text: string) => text.trim().replace(/\|/g, '\\|')

console.log(`${new Date().toISOString()}, ${ROWS.toLocaleString('en')} rows, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)

if (TRIALS > 0) {
  const formation = await startFormation()
  try {
    console.log('\n## pg_autoctl perform failover during migrate:latest, through the formation URI\n')
    console.log('| point | trial | first run: exit, line | rerun exit (time) | db:verify | invalid indexes | NOT VALID | advisory locks | migrations / checksums | rows |')
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for (const point of FAILOVER_POINTS) {
      for (let trial = 1; trial <= TRIALS; trial++) {
        const database = `trial_${point.replace(/-/g, '_')}_${trial}`
        formation.psql(`create database ${database}`)
        for (const statement of legacyArtworkJobsSql(ROWS)) formation.psql(statement, database)
        const oldPrimary = formation.primaryPort()
        const url = formation.uri(database)
        const held = await holdAt(point, `postgres://postgres@127.0.0.1:${oldPrimary}/${database}`)
        const run = finished(await spawnBundled('src/cli.ts', ['migrate:latest'], { ...plain, DATABASE_URL: url }))
        let first
        try {
          await held.reached()
          await formation.failover()
          first = await run
        } finally {
          await held.release()
        }
        const started = performance.now()
        const rerun = await runCli(['migrate:latest'], { ...plain, DATABASE_URL: url })
        const rerunMs = performance.now() - started
        const verify = await runCli(['db:verify'], { ...plain, DATABASE_URL: url })
        const q = (sqlText: string) => formation.psql(sqlText, database)
        console.log(
          `| ${point} | ${trial} | ${first.code}: ${line(first.stderr)} | ${rerun.code} (${seconds(rerunMs)}) | ${verify.code} | ${q('select count(*) from pg_index where not indisvalid')} | ` +
            `${q('select count(*) from pg_constraint where not convalidated')} | ${q("select count(*) from pg_locks where locktype = 'advisory'")} | ` +
            `${q('select count(*) from kysely_migration')} / ${q('select count(*) from artorizer_migration_checksums')} of ${migrationNames.length} | ${q('select count(*) from artwork_jobs')} |`,
        )
        formation.psql(`drop database ${database} with (force)`)
      }
    }
  } finally {
    await formation.stop()
  }
}

if (FREEZE_TRIALS > 0) {
  console.log('\n## The primary frozen (SIGSTOP) during migrate:latest, a hot standby promoted\n')
  console.log(`DATABASE_ANSWER_TIMEOUT_MS default (15000); URL: primary,standby?target_session_attrs=read-write&connect_timeout=2\n`)
  console.log('| point | trial | run ended after the freeze | first run: exit, line | rerun exit (time) | db:verify | invalid indexes | NOT VALID | rows |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const point of FAILOVER_POINTS) {
    for (let trial = 1; trial <= FREEZE_TRIALS; trial++) {
      const pair = await startReplicatedPair()
      try {
        pair.primary.psql('create database frozen')
        for (const statement of legacyArtworkJobsSql(ROWS)) pair.primary.psql(statement, 'frozen')
        await pair.caughtUp(600_000)
        const url = pair.multiHostUrl('frozen', [pair.primary, pair.standby], 'target_session_attrs=read-write&connect_timeout=2')
        const held = await holdAt(point, pair.primary.url('frozen'))
        const child = await spawnBundled('src/cli.ts', ['migrate:latest'], { ...plain, DATABASE_URL: url })
        const run = finished(child)
        await held.reached()
        pair.primary.freeze()
        const frozenAt = performance.now()
        const watchdog = setTimeout(() => child.kill('SIGKILL'), 120_000)
        const first = await run
        const endedMs = performance.now() - frozenAt
        clearTimeout(watchdog)
        void held.release()
        await pair.standby.promote()
        const started = performance.now()
        const rerun = await runCli(['migrate:latest'], { ...plain, DATABASE_URL: url })
        const rerunMs = performance.now() - started
        const verify = await runCli(['db:verify'], { ...plain, DATABASE_URL: url })
        const q = (sqlText: string) => pair.standby.psql(sqlText, 'frozen')
        console.log(
          `| ${point} | ${trial} | ${first.signal ? `killed by the 120 s watchdog` : seconds(endedMs)} | ${first.code}: ${line(first.stderr)} | ${rerun.code} (${seconds(rerunMs)}) | ${verify.code} | ` +
            `${q('select count(*) from pg_index where not indisvalid')} | ${q('select count(*) from pg_constraint where not convalidated')} | ${q('select count(*) from artwork_jobs')} |`,
        )
      } finally {
        await pair.stop()
      }
    }
  }
}
console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
