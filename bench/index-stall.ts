/**
 * What the writer's worst insert waits on while the linking migration builds an index over a
 * large `artwork_jobs`, and which setting changes it: the `stall` part of `npm run bench`
 * (`npm run bench -- --parts stall --rows 10000000`; not among the default parts: it builds
 * the index six times per server, and two of its MariaDB variants change a global setting for
 * the length of one build, put back after).
 *
 * One table of `--rows` rows per server, with `user_id` added as the migration adds it (all
 * NULL). Then, in turn and twice each, the composite index the migration builds
 * (`(user_id, created_at)`, built the recipe's way: `CREATE INDEX CONCURRENTLY` without parallel
 * workers on PostgreSQL, `ALTER TABLE … ADD INDEX, ALGORITHM=INPLACE, LOCK=NONE` on MySQL/MariaDB)
 * is built and dropped again while a writer inserts back to back, under each *variant*: the
 * recipe as it is, and settings that each remove one suspect:
 *
 * - PostgreSQL `wal_compression`: the build's WAL (every index page is logged whole) compressed
 *   in the building session (`SET wal_compression`, a superuser setting): less WAL for the
 *   writer's commit to wait behind.
 * - PostgreSQL `writer: synchronous_commit=off` (a diagnosis, not a remedy): the writer's commits
 *   stop waiting for their WAL flush. If the stall goes with it, the commit's flush is what waited.
 * - MariaDB `innodb_log_file_size=1G`: a redo log larger than the build's redo, so InnoDB need not
 *   flush pages to make room in the log mid-build (set globally for the variant, put back after;
 *   MariaDB resizes the log online since 10.11).
 * - MariaDB `writer: innodb_flush_log_at_trx_commit=2` (a diagnosis): commits stop waiting for the
 *   redo flush.
 *
 * Prints, per variant, the build's time, the writer's worst and p99 insert during it, the worst
 * in the 3 s before (the machine's own noise), and what the writer's session was seen waiting on
 * during its worst insert.
 */
import { sql, type Kysely } from 'kysely'
import { connectDatabase } from '../src/index.js'
import { fillArtworkJobs } from './fill.js'
import { createBenchDatabase, type ServerKind } from './servers.js'
import { describeWaits, startWaitSampler } from './wait-sampler.js'
import { startWriter, statsBetween } from './writer.js'

export interface Variant {
  readonly name: string
  /** Runs before the build on the building session (and may change server settings). */
  readonly before?: (build: Kysely<any>, admin: Kysely<any>) => Promise<void>
  /** Puts back what `before` changed. */
  readonly after?: (build: Kysely<any>, admin: Kysely<any>) => Promise<void>
  /** A setting for the writer's own session (PostgreSQL: `options=-c …` in its URL). */
  readonly writerSetting?: string
  /** Whether the server can run this variant at all (lz4 is a build option of PostgreSQL's). */
  readonly available?: (admin: Kysely<any>) => Promise<boolean>
}

const INDEX = 'artwork_jobs_user_id_created_at_idx'

/** `SET wal_compression = <method>` in the building session for the build. */
function walCompression(method: 'pglz' | 'lz4'): Variant {
  return {
    name: `wal_compression=${method} in the building session`,
    before: (db) => sql`set wal_compression = ${sql.raw(method)}`.execute(db).then(() => undefined),
    after: (db) => sql`reset wal_compression`.execute(db).then(() => undefined),
    available: async (admin) => {
      const { rows } = await sql<{ enumvals: string[] }>`select enumvals from pg_settings where name = 'wal_compression'`.execute(admin)
      return rows[0]?.enumvals.includes(method) ?? false
    },
  }
}

/** A global MariaDB setting for the length of the build, read first and put back after. */
function mysqlGlobal(name: string, value: number, label: string): Variant {
  let before: string | undefined
  return {
    name: label,
    before: async (_db, admin) => {
      const { rows } = await sql<{ v: string }>`select @@global.${sql.raw(name)} as v`.execute(admin)
      before = rows[0]!.v
      await sql`set global ${sql.raw(name)} = ${value}`.execute(admin)
    },
    after: async (_db, admin) => {
      if (before !== undefined) await sql`set global ${sql.raw(name)} = ${Number(before)}`.execute(admin)
    },
  }
}

const VARIANTS: Record<ServerKind, readonly Variant[]> = {
  postgres: [
    { name: 'recipe as it is' },
    walCompression('pglz'),
    walCompression('lz4'),
    { name: 'writer: synchronous_commit=off (diagnosis)', writerSetting: 'synchronous_commit=off' },
  ],
  mysql: [
    { name: 'recipe as it is' },
    // MariaDB resizes the redo log online since 10.11; MySQL 8.0.30+ takes innodb_redo_log_capacity instead.
    mysqlGlobal('innodb_log_file_size', 1024 * 1024 * 1024, 'innodb_log_file_size=1G (server)'),
    mysqlGlobal('innodb_flush_log_at_trx_commit', 2, 'writer: innodb_flush_log_at_trx_commit=2 (diagnosis)'),
  ],
}

export interface IndexStallRow {
  readonly kind: ServerKind
  readonly variant: string
  readonly buildMs: number
  readonly worstMs: number
  readonly p99Ms: number
  readonly idleWorstMs: number
  /** When the worst insert began, in ms from the build's start (negative: before it, still running when it began). */
  readonly worstAtMs: number | undefined
  readonly waits: string
}

async function measure(kind: ServerKind, url: string, db: Kysely<any>, admin: Kysely<any>, variant: Variant, label: string): Promise<IndexStallRow> {
  const writerUrl = new URL(url)
  if (variant.writerSetting && kind === 'postgres') writerUrl.searchParams.set('options', `-c ${variant.writerSetting}`)
  const writer = await startWriter(kind, writerUrl.toString(), label)
  const sampler = await startWaitSampler(kind, url, writer.sessionId)
  await new Promise((r) => setTimeout(r, 3000))
  let started = 0
  let ended = 0
  // One pinned connection: the variant's session settings and the build on the same session.
  await db.connection().execute(async (session) => {
    await variant.before?.(session, admin)
    if (kind === 'postgres') await sql`set max_parallel_maintenance_workers = 0`.execute(session)
    started = performance.now()
    if (kind === 'postgres') {
      await sql`create index concurrently ${sql.id(INDEX)} on artwork_jobs (user_id, created_at)`.execute(session)
    } else {
      await sql`alter table artwork_jobs add index ${sql.id(INDEX)} (user_id, created_at), algorithm=inplace, lock=none`.execute(session)
    }
    ended = performance.now()
    await variant.after?.(session, admin)
  })
  await new Promise((r) => setTimeout(r, 500))
  const samples = await writer.stop()
  const waits = await sampler.stop()
  const during = statsBetween(samples, started, ended)
  const idle = statsBetween(samples, started - 3000, started - 1)
  const worst = samples.filter((s) => s.startedAt <= ended && s.startedAt + s.ms >= started).sort((a, b) => b.ms - a.ms)[0]
  if (kind === 'postgres') await sql`drop index ${sql.id(INDEX)}`.execute(db)
  else await sql`alter table artwork_jobs drop index ${sql.id(INDEX)}`.execute(db)
  return {
    kind,
    variant: variant.name,
    buildMs: ended - started,
    worstMs: during.worstMs,
    p99Ms: during.p99Ms,
    idleWorstMs: idle.worstMs,
    worstAtMs: worst && worst.startedAt - started,
    waits: (worst && describeWaits(waits, worst.startedAt, worst.startedAt + worst.ms)) ?? 'not caught',
  }
}

export interface IndexStallOptions {
  readonly rows: number
  readonly rounds?: number
  readonly log: (line: string) => void
  /** Another server than the benchmark's (`bench/server-setups.ts`' private ones). */
  readonly server?: string
  /** Other variants than the server kind's own. */
  readonly variants?: readonly Variant[]
}

/** One server's builds, every variant `rounds` times, interleaved (variant A, B, C, A, B, C...). */
export async function measureIndexStall(kind: ServerKind, options: IndexStallOptions): Promise<IndexStallRow[]> {
  const { rows, log } = options
  const rounds = options.rounds ?? 2
  const target = await createBenchDatabase(kind, 'stall', options.server)
  const { db } = await connectDatabase({ url: target.url })
  const { db: admin } = await connectDatabase({ url: target.url })
  const out: IndexStallRow[] = []
  try {
    log(`${kind}: the index build's stall, filling ${rows.toLocaleString('en-US')} rows...`)
    await fillArtworkJobs(db, kind, rows)
    if (kind === 'postgres') await sql`alter table artwork_jobs add column user_id text`.execute(db)
    else {
      await sql`alter table artwork_jobs add column user_id varchar(36) character set utf8mb4 collate utf8mb4_bin null, algorithm=instant`.execute(db)
    }
    const variants: Variant[] = []
    for (const variant of options.variants ?? VARIANTS[kind]) {
      if (!variant.available || (await variant.available(admin))) variants.push(variant)
      else log(`  ${variant.name}: not available on this server, skipped`)
    }
    for (let round = 1; round <= rounds; round++) {
      for (const [i, variant] of variants.entries()) {
        log(`  ${variant.name}, round ${round}...`)
        // The writer's job ids carry the label: one per build, so no two builds insert the same id.
        out.push(await measure(kind, target.url, db, admin, variant, `stall-${round}-${i}`))
      }
    }
  } finally {
    await db.destroy()
    await admin.destroy()
    await target.drop()
  }
  return out
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1)) + ' ms'

/** The table of every build measured. */
export function printIndexStall(rows: number, results: readonly IndexStallRow[], log: (line: string) => void): void {
  if (results.length === 0) return
  log(`\nWhat the writer's worst insert waits on: the composite index built over ${rows.toLocaleString('en-US')} rows while a writer inserts, under each variant:\n`)
  log('| database | variant | build | writer worst | worst began at | writer p99 | idle worst (3 s before) | writer seen waiting on (worst insert) |')
  log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |')
  for (const r of results) {
    const at = r.worstAtMs === undefined ? '' : `${(r.worstAtMs / 1000).toFixed(1)} s`
    log(`| ${r.kind === 'postgres' ? 'PostgreSQL' : 'MariaDB/MySQL'} | ${r.variant} | ${(r.buildMs / 1000).toFixed(2)} s | ${ms(r.worstMs)} | ${at} | ${ms(r.p99Ms)} | ${ms(r.idleWorstMs)} | ${r.waits} |`)
  }
}
