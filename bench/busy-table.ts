/**
 * A busy table: while another transaction holds `artwork_jobs` (a long report, a session left
 * idle in a transaction), the migration's ALTER must wait its turn without making the
 * application's writers wait with it. Measured side by side in the same run, each on a fresh
 * copy (Better Auth's tables in place, `artwork_jobs` with a few thousand rows):
 *
 * - ours: `migrateToLatest` (short lock waits retried, `src/engines/lock-wait.ts`);
 * - naive: the same `ADD COLUMN` with one long lock wait (the server's default: none on
 *   PostgreSQL, a year on MySQL), then `migrateToLatest` for the rest.
 *
 * A holder transaction reads `artwork_jobs` and stays open for {@link HOLD_MS}; the migration
 * starts {@link START_AFTER_MS} later; a writer inserts back to back throughout. The writer's
 * worst insert is the number: the naive ALTER, queued for the table lock, makes every insert
 * queue behind it until the holder ends.
 *
 *   npx tsx bench/busy-table.ts [--dialect postgres|mysql|all]    (also part of `npm run bench`)
 */
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { sql, type Kysely } from 'kysely'
import { connectDatabase, createMigrator, migrateToLatest } from '../src/index.js'
import { DEFAULT_LOCK_RETRY } from '../src/engines/lock-wait.js'
import { fillArtworkJobs } from './fill.js'
import { createBenchDatabase, type ServerKind } from './servers.js'
import { startWriter, statsBetween, type WriterStats } from './writer.js'

const HOLD_MS = 4_000
const START_AFTER_MS = 300
const ROWS = 5_000
/** The target from issue 13: the writer's worst insert while the migration waits its turn. */
export const BUSY_TABLE_TARGET_MS = 150

export interface BusyRun {
  /** From the migration's start to its end (it waits for the holder, so at least the rest of HOLD_MS). */
  readonly migrationMs: number
  /** The writer from the holder's start to the migration's end. */
  readonly writer: WriterStats
}

export interface BusyTableResult {
  readonly holdMs: number
  readonly tryTimeoutMs: number
  readonly ours: BusyRun
  readonly naive: BusyRun
}

export async function measureBusyTable(kind: ServerKind, log: (line: string) => void = () => {}): Promise<BusyTableResult> {
  log(`  busy table: a transaction holds artwork_jobs for ${HOLD_MS / 1000} s while the migration starts...`)
  const ours = await run(kind, 'busy_ours', (db) => migrateToLatest(db).then(() => {}))
  const naive = await run(kind, 'busy_naive', async (db) => {
    // One connection, so that the session's setting applies to the ALTER.
    await db.connection().execute(async (conn) => {
      if (kind === 'postgres') {
        await sql`set lock_timeout = 0`.execute(conn)
        await sql`alter table artwork_jobs add column user_id text null`.execute(conn)
      } else {
        await sql`set session lock_wait_timeout = 31536000`.execute(conn)
        await sql`alter table artwork_jobs add column user_id varchar(255) character set utf8mb4 collate utf8mb4_bin null, algorithm=instant`.execute(conn)
      }
    })
    await migrateToLatest(db)
  })
  return { holdMs: HOLD_MS, tryTimeoutMs: DEFAULT_LOCK_RETRY.tryTimeoutMs, ours, naive }
}

async function run(kind: ServerKind, label: string, migrate: (db: Kysely<any>) => Promise<void>): Promise<BusyRun> {
  const copy = await createBenchDatabase(kind, label)
  try {
    const { db } = await connectDatabase({ url: copy.url })
    const holder = await connectDatabase({ url: copy.url })
    try {
      await fillArtworkJobs(db, kind, ROWS)
      const applied = await createMigrator(db).migrateTo('0001_better_auth')
      if (applied.error) throw applied.error
      const writer = await startWriter(kind, copy.url, label)
      await sleep(500)
      const from = performance.now()
      const held = holder.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn)
        await sql`select count(*) from artwork_jobs`.execute(conn)
        await sleep(HOLD_MS)
        await sql`commit`.execute(conn)
      })
      await sleep(START_AFTER_MS)
      const started = performance.now()
      await migrate(db)
      const to = performance.now()
      await held
      await sleep(100)
      const samples = await writer.stop()
      return { migrationMs: to - started, writer: statsBetween(samples, from, to) }
    } finally {
      await holder.db.destroy()
      await db.destroy()
    }
  } finally {
    await copy.drop()
  }
}

/** The table `npm run bench` prints for this part. */
export function printBusyTable(results: Partial<Record<ServerKind, BusyTableResult>>, print: (line: string) => void): void {
  const entries = Object.entries(results) as [ServerKind, BusyTableResult][]
  if (entries.length === 0) return
  const names: Record<ServerKind, string> = { postgres: 'PostgreSQL', mysql: 'MariaDB/MySQL' }
  const ms = (v: number) => `${Math.round(v).toLocaleString('en')} ms`
  print('')
  print(`A busy table: a transaction holds artwork_jobs for ${entries[0]![1].holdMs / 1000} s; the migration starts meanwhile; a writer inserts back to back:`)
  print('')
  print('| database | how | migration (waits its turn) | writer worst | writer p99 | inserts done | failed | target |')
  print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const [kind, r] of entries) {
    const ok = r.ours.writer.worstMs <= BUSY_TABLE_TARGET_MS && r.ours.writer.failed === 0
    print(`| ${names[kind]} | migrateToLatest (short tries, retried) | ${ms(r.ours.migrationMs)} | ${ms(r.ours.writer.worstMs)} | ${ms(r.ours.writer.p99Ms)} | ${r.ours.writer.inserts.toLocaleString('en')} | ${r.ours.writer.failed} | ${ok ? '✅' : '❌'} ≤ ${BUSY_TABLE_TARGET_MS} ms |`)
    print(`| ${names[kind]} | naive (one long lock wait) | ${ms(r.naive.migrationMs)} | ${ms(r.naive.writer.worstMs)} | ${ms(r.naive.writer.p99Ms)} | ${r.naive.writer.inserts.toLocaleString('en')} | ${r.naive.writer.failed} | |`)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { dialect: { type: 'string', default: 'all' } } })
  const kinds: ServerKind[] = values.dialect === 'all' ? ['postgres', 'mysql'] : [values.dialect as ServerKind]
  const results: Partial<Record<ServerKind, BusyTableResult>> = {}
  for (const kind of kinds) results[kind] = await measureBusyTable(kind, console.log)
  printBusyTable(results, console.log)
}
