/**
 * What a migration does to a hot standby's readers: the `standby` part of `npm run bench`
 * (`npm run bench -- --parts standby --rows 1000000`; not among the default parts: it starts a
 * primary and a hot standby of its own, PostgreSQL 15 from /usr/lib/postgresql/15/bin as
 * test/support/replication.ts does, with the standby's defaults: `max_standby_streaming_delay`
 * 30 s, `hot_standby_feedback` off; `BENCH_STANDBY_SETTINGS='hot_standby_feedback=on'` sets others).
 *
 * For each way, a fresh database of `--rows` rows (`artwork_jobs`, migrated to 0001 first), then
 * on the standby, while the primary migrates 0002 and 0003:
 * - a point reader: `select … from artwork_jobs where id = $1` back to back, its worst wait;
 * - one long query holding `artwork_jobs` for LONG_QUERY_MS, started just before: cancelled or not;
 * - the replay: the longest time the standby's replayed LSN stood still while the primary was ahead.
 *
 * The ways: the naive statements (bench/live-migration.ts); `migrateToLatest` with the primary's
 * URL alone (the online recipes, which protect the primary's writers); `migrateToLatest` with the
 * multi-host URL, which also asks the standby before each strong-lock try (src/engines/postgres/standby-readers.ts).
 */
import pg from 'pg'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { fillArtworkJobs } from './fill.js'
import { naiveMigration } from './live-migration.js'
import { createMigrator } from '../src/index.js'
import { startReplicatedPair, replicationUnavailable, type ReplicatedPair } from '../test/support/replication.js'

/** How long the standby's long query holds artwork_jobs (BENCH_STANDBY_LONG_MS; default 60 s, as in the issue). */
const LONG_QUERY_MS = Number(process.env.BENCH_STANDBY_LONG_MS ?? 60_000)
const WAYS = ['naive statements', 'migrateToLatest, primary URL', 'migrateToLatest, multi-host URL'] as const

export interface StandbyRow {
  readonly way: (typeof WAYS)[number]
  readonly migrationMs: number
  readonly pointReads: number
  readonly worstPointReadMs: number
  readonly pointReadErrors: number
  /** What became of the long query: `finished` or the error (a cancellation by the replay). */
  readonly longQuery: string
  readonly longestReplayStallMs: number
}

export interface StandbyResult {
  readonly rows: number
  readonly settings: string
  readonly results: StandbyRow[]
}

export async function measureStandby(rows: number, log: (line: string) => void): Promise<StandbyResult | undefined> {
  const why = replicationUnavailable()
  if (why) {
    log(`standby: skipped (${why})`)
    return undefined
  }
  const pair = await startReplicatedPair(standbySettings())
  try {
    const settings = `max_standby_streaming_delay ${pair.standby.psql('show max_standby_streaming_delay')}, hot_standby_feedback ${pair.standby.psql('show hot_standby_feedback')}`
    const results: StandbyRow[] = []
    for (const [i, way] of WAYS.entries()) {
      const database = `standby_${i}`
      pair.primary.psql(`create database ${database}`)
      log(`  standby: ${way}: filling ${rows.toLocaleString('en')} rows...`)
      const filled = await connectDatabase({ url: pair.primary.url(database) })
      try {
        await fillArtworkJobs(filled.db, 'postgres', rows)
        const applied = await createMigrator(filled.db).migrateTo('0001_better_auth')
        if (applied.error) throw applied.error
      } finally {
        await filled.db.destroy()
      }
      await pair.caughtUp(600_000)
      log(`  standby: ${way}: migrating while the standby reads...`)
      results.push(await underStandbyReads(pair, database, way))
      pair.primary.psql(`drop database ${database} with (force)`)
    }
    return { rows, settings, results }
  } finally {
    await pair.stop()
  }
}

async function underStandbyReads(pair: ReplicatedPair, database: string, way: StandbyRow['way']): Promise<StandbyRow> {
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    await client.connect()
    return client
  }
  const standbyUrl = pair.standby.url(database)
  const long = await connect(standbyUrl)
  const point = await connect(standbyUrl)
  const lag = await connect(standbyUrl)
  const primary = await connect(pair.primary.url(database))
  const { rows: maxRows } = await point.query<{ n: string }>('select max(id) as n from artwork_jobs')
  const maxId = Number(maxRows[0]!.n)
  let running = true
  let longQuery = 'running'
  const longDone = long.query(`select pg_sleep(${LONG_QUERY_MS / 1000}), count(*) from artwork_jobs`).then(
    () => (longQuery = 'finished'),
    (error: Error) => (longQuery = `cancelled: ${error.message.split('\n')[0]}`),
  )
  await new Promise((resolve) => setTimeout(resolve, 200))
  let pointReads = 0
  let worstPointReadMs = 0
  let pointReadErrors = 0
  const reader = (async () => {
    while (running) {
      const started = performance.now()
      try {
        await point.query('select id, job_id, status from artwork_jobs where id = $1', [1 + Math.floor(Math.random() * maxId)])
      } catch {
        pointReadErrors++
      }
      worstPointReadMs = Math.max(worstPointReadMs, performance.now() - started)
      pointReads++
    }
  })()
  let longestReplayStallMs = 0
  const sampler = (async () => {
    let last: string | undefined
    let since = performance.now()
    while (running) {
      const [{ rows: p }, { rows: s }] = await Promise.all([
        primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'),
        lag.query<{ lsn: string; behind: boolean }>('select pg_last_wal_replay_lsn()::text as lsn'),
      ])
      const behind = (await lag.query<{ behind: boolean }>(`select pg_wal_lsn_diff('${p[0]!.lsn}', pg_last_wal_replay_lsn()) > 0 as behind`)).rows[0]!.behind
      const now = performance.now()
      if (s[0]!.lsn !== last || !behind) {
        last = s[0]!.lsn
        since = now
      } else {
        longestReplayStallMs = Math.max(longestReplayStallMs, now - since)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()
  const started = performance.now()
  if (way === 'naive statements') {
    const { db } = await connectDatabase({ url: pair.primary.url(database) })
    try {
      await naiveMigration(db, 'postgres')
    } finally {
      await db.destroy()
    }
  } else {
    const url = way === 'migrateToLatest, primary URL' ? pair.primary.url(database) : pair.multiHostUrl(database, [pair.primary, pair.standby])
    const { db } = await connectDatabase({ url })
    try {
      await migrateToLatest(db)
    } finally {
      await db.destroy()
    }
  }
  const migrationMs = performance.now() - started
  await pair.caughtUp(600_000)
  await longDone
  running = false
  await Promise.all([reader, sampler])
  for (const client of [long, point, lag, primary]) await client.end().catch(() => {})
  return { way, migrationMs, pointReads, worstPointReadMs, pointReadErrors, longQuery, longestReplayStallMs }
}

/** `BENCH_STANDBY_SETTINGS='hot_standby_feedback=on max_standby_streaming_delay=5s'`: the pair's settings for a variant. */
function standbySettings(): Record<string, string> {
  const raw = process.env.BENCH_STANDBY_SETTINGS?.trim()
  if (!raw) return {}
  return Object.fromEntries(raw.split(/\s+/).map((pair) => pair.split('=') as [string, string]))
}

export function printStandby(result: StandbyResult | undefined, log: (line: string) => void): void {
  if (!result) return
  log(`\nA hot standby's readers during the migration (${result.rows.toLocaleString('en')} rows; standby: ${result.settings}; a ${LONG_QUERY_MS / 1000} s query on the standby started just before)`)
  log('| way | migration | standby point reads | worst point read | point read errors | the long query | longest replay stall |')
  log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const row of result.results) {
    log(
      `| ${row.way} | ${(row.migrationMs / 1000).toFixed(1)} s | ${row.pointReads.toLocaleString('en')} | ${Math.round(row.worstPointReadMs)} ms | ${row.pointReadErrors} | ${row.longQuery} | ${(row.longestReplayStallMs / 1000).toFixed(1)} s |`,
    )
  }
}
