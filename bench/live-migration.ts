/**
 * The main measurement: link a large, busy `artwork_jobs` to users while a writer inserts into
 * it, once with this module's `migrateToLatest` (online recipes) and once with the naive
 * statements, each on its own identical copy, one after the other in the same run.
 *
 * Both copies start alike: `artwork_jobs` with N rows and Better Auth's tables in place
 * (migration 0001 applied). What is timed is everything after that: ours runs
 * `migrateToLatest` (0002 and 0003); the naive run makes the same schema with
 * - PostgreSQL: `ALTER TABLE … ADD COLUMN user_id text REFERENCES "user"`, then plain
 *   `CREATE INDEX` for each index;
 * - MySQL/MariaDB: `ADD COLUMN` with an `ADD CONSTRAINT … FOREIGN KEY` and `foreign_key_checks`
 *   on (which makes the server copy the table), then plain `CREATE INDEX`.
 */
import { sql, type Kysely, type LogEvent } from 'kysely'
import { connectDatabase, createMigrator, migrateToLatest } from '../src/index.js'
import { createTerminalProgress } from '../src/tools.js'
import { findColumn, listForeignKeys, listIndexes } from '../src/ddl/introspect.js'
import { fillArtworkJobs } from './fill.js'
import { createBenchDatabase, type BenchDatabase, type ServerKind } from './servers.js'
import { describeWaits, startWaitSampler } from './wait-sampler.js'
import { startWriter, statsBetween, type InsertSample, type WriterStats } from './writer.js'

/** One way of migrating, measured. */
export interface MigrationRun {
  readonly migrationMs: number
  /** The writer during the migration. */
  readonly writer: WriterStats
  /** The writer in the seconds before the migration started: the noise floor (other load on the machine). */
  readonly idle: WriterStats
  /** The migration's statement that overlapped the writer's worst insert the most: where the stall came from. */
  readonly worstDuring: string | undefined
  /** What the writer's session was seen waiting on during its worst insert (sampled; see wait-sampler.ts). */
  readonly worstWaitedFor: string | undefined
}

interface StatementTiming {
  readonly startedAt: number
  readonly endedAt: number
  readonly sql: string
}

/** The writer's every insert of one run, timed from the migration's start (negative: before it). */
export interface RunTimeline {
  readonly migrationMs: number
  readonly samples: readonly InsertSample[]
}

export interface LiveMigrationResult {
  readonly rows: number
  readonly fillMs: number
  readonly ours: MigrationRun
  readonly naive: MigrationRun
  /** For the latency chart; too big for the JSON report. */
  readonly samples: { readonly ours: RunTimeline; readonly naive: RunTimeline }
  /** The database ours left behind (up to date), kept for the boot measurements; the caller drops it. */
  readonly upToDate: BenchDatabase
}

export interface LiveMigrationOptions {
  readonly rows: number
  /** Draw index build progress on this terminal (only when the caller has one). */
  readonly progress?: NodeJS.WriteStream
  readonly log: (line: string) => void
}

/** Long enough for the idle worst to say what the machine's own noise is. */
const IDLE_MS = 5_000
const TAIL_MS = 200

export async function measureLiveMigration(kind: ServerKind, options: LiveMigrationOptions): Promise<LiveMigrationResult> {
  const oursDb = await createBenchDatabase(kind, 'online')
  let naiveDb: BenchDatabase | undefined
  try {
    naiveDb = await createBenchDatabase(kind, 'naive')
    const fillStarted = performance.now()
    for (const copy of [oursDb, naiveDb]) {
      options.log(`  filling ${copy.name} with ${options.rows.toLocaleString('en')} rows...`)
      await prepare(copy, kind, options.rows)
    }
    const fillMs = (performance.now() - fillStarted) / 2

    options.log('  migrating with migrateToLatest while the writer inserts...')
    const [ours, oursTimeline] = await underLoad(kind, oursDb, async (db) => {
      const progress = options.progress ? createTerminalProgress(db, options.progress) : undefined
      await migrateToLatest(db, { progress })
    })
    await assertComplete(oursDb)

    options.log('  migrating with the naive statements while the writer inserts...')
    const [naive, naiveTimeline] = await underLoad(kind, naiveDb, (db) => naiveMigration(db, kind))
    return { rows: options.rows, fillMs, ours, naive, samples: { ours: oursTimeline, naive: naiveTimeline }, upToDate: oursDb }
  } catch (error) {
    await oursDb.drop()
    throw error
  } finally {
    await naiveDb?.drop()
  }
}

export async function prepare(copy: BenchDatabase, kind: ServerKind, rows: number): Promise<void> {
  const { db } = await connectDatabase({ url: copy.url })
  try {
    await fillArtworkJobs(db, kind, rows)
    const applied = await createMigrator(db).migrateTo('0001_better_auth')
    if (applied.error) throw applied.error
  } finally {
    await db.destroy()
  }
}

/**
 * Runs `migrate` on its own pool while the writer inserts on its own connection (its artworks
 * owned by `writerUserId` when given). Also the `plugins` part's harness (bench/plugins.ts).
 */
export async function underLoad(
  kind: ServerKind,
  copy: BenchDatabase,
  migrate: (db: Kysely<any>) => Promise<void>,
  writerUserId?: string,
): Promise<[MigrationRun, RunTimeline]> {
  const statements: StatementTiming[] = []
  const log = (event: LogEvent) => {
    const endedAt = performance.now()
    statements.push({ startedAt: endedAt - event.queryDurationMillis, endedAt, sql: event.query.sql })
  }
  const { db } = await connectDatabase({ url: copy.url, log })
  await sql`select 1`.execute(db) // connect before the clock starts, as a booted service would have
  const writer = await startWriter(kind, copy.url, copy.name, 'single', writerUserId)
  const waits = await startWaitSampler(kind, copy.url, writer.sessionId)
  try {
    const idleFrom = performance.now()
    await sleep(IDLE_MS)
    const from = performance.now()
    await migrate(db)
    const to = performance.now()
    await sleep(TAIL_MS)
    const samples = await writer.stop()
    const waitSamples = await waits.stop()
    const worst = samples.filter((s) => s.startedAt <= to && s.startedAt + s.ms >= from).sort((a, b) => b.ms - a.ms)[0]
    const run = {
      migrationMs: to - from,
      writer: statsBetween(samples, from, to),
      idle: statsBetween(samples, idleFrom, from),
      worstDuring: worst ? mostOverlapping(statements, worst.startedAt, worst.startedAt + worst.ms) : undefined,
      worstWaitedFor: worst ? describeWaits(waitSamples, worst.startedAt, worst.startedAt + worst.ms) : undefined,
    }
    return [run, { migrationMs: to - from, samples: samples.map((s) => ({ ...s, startedAt: s.startedAt - from })) }]
  } catch (error) {
    await writer.stop()
    await waits.stop()
    throw error
  } finally {
    await db.destroy()
  }
}

/** What a developer would write by hand: the same schema, with no care for the writers. */
export async function naiveMigration(db: Kysely<any>, kind: ServerKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`alter table artwork_jobs add column user_id text references "user" (id) on delete cascade`.execute(db)
    await sql`create index artwork_jobs_user_id_idx on artwork_jobs (user_id)`.execute(db)
  } else {
    // foreign_key_checks is on (the default): the server copies the whole table.
    await sql`alter table artwork_jobs
      add column user_id varchar(255) character set utf8mb4 collate utf8mb4_bin null,
      add constraint artwork_jobs_user_id_fk foreign key (user_id) references ${sql.table('user')} (id) on delete cascade`.execute(db)
    await sql`create index artwork_jobs_user_id_idx on artwork_jobs (user_id)`.execute(db)
  }
  await sql`create index account_providerId_accountId_idx on account (${sql.ref('providerId')}, ${sql.ref('accountId')})`.execute(db)
  await sql`create index verification_identifier_idx on verification (identifier)`.execute(db)
  await sql`create index artwork_jobs_user_id_created_at_idx on artwork_jobs (user_id, created_at)`.execute(db)
}

/** Ours must end complete and valid, or its numbers mean nothing. */
async function assertComplete(copy: BenchDatabase): Promise<void> {
  const { db } = await connectDatabase({ url: copy.url })
  try {
    const problems: string[] = []
    if (!(await findColumn(db, 'artwork_jobs', 'user_id'))) problems.push('no user_id')
    const indexes = await listIndexes(db, 'artwork_jobs')
    for (const name of ['artwork_jobs_user_id_idx', 'artwork_jobs_user_id_created_at_idx']) {
      if (!indexes.some((i) => i.name === name && i.valid)) problems.push(`no valid ${name}`)
    }
    if (!(await listForeignKeys(db, 'artwork_jobs')).some((fk) => fk.name === 'artwork_jobs_user_id_fk' && fk.validated)) {
      problems.push('no validated artwork_jobs_user_id_fk')
    }
    if (problems.length > 0) throw new Error(`migrateToLatest left an incomplete schema: ${problems.join(', ')}`)
  } finally {
    await db.destroy()
  }
}

function mostOverlapping(statements: readonly StatementTiming[], from: number, to: number): string | undefined {
  let best: { overlap: number; sql: string } | undefined
  for (const statement of statements) {
    const overlap = Math.min(to, statement.endedAt) - Math.max(from, statement.startedAt)
    if (overlap > 0 && (!best || overlap > best.overlap)) best = { overlap, sql: statement.sql }
  }
  return best?.sql.replace(/\s+/g, ' ').slice(0, 120)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
