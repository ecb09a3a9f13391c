/**
 * What `0004_exact_job_ids` costs a busy `artwork_jobs` on MySQL/MariaDB: the module's recipe
 * (`MODIFY COLUMN ... ALGORITHM=INPLACE, LOCK=NONE`, falling back to a copy where the server
 * cannot) next to the floor a server without an in-place path gives (`ALGORITHM=COPY,
 * LOCK=SHARED`, MySQL 8's only way for a collation change of an indexed column), on two
 * identical copies, each with a writer inserting back to back on its own connection.
 *
 *   npx tsx bench/job-id-collation.ts [--rows N]        (default 400,000; BENCH_MYSQL_URL)
 *
 * Prints a table: the ALTER's time, the writer's worst and p99 insert during it, the inserts it
 * got through, and the same writer's worst and p99 in the 3 s before (the machine's noise).
 */
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { connectDatabase } from '../src/index.js'
import { changeColumnType } from '../src/ddl/apply.js'
import { mysql } from '../src/engines/index.js'
import { fillArtworkJobs } from './fill.js'
import { createBenchDatabase } from './servers.js'
import { startWriter, statsBetween, type WriterStats } from './writer.js'

interface Row {
  readonly way: string
  readonly alterMs: number
  readonly during: WriterStats
  readonly before: WriterStats
}

const BEFORE_MS = 3000

async function measure(way: 'module' | 'copy', rows: number): Promise<Row> {
  const bench = await createBenchDatabase('mysql', `jobid_${way}`)
  try {
    const database = await connectDatabase({ url: bench.url })
    try {
      await fillArtworkJobs(database.db, 'mysql', rows)
      const engine = await mysql.forServer(database.db)
      const type = engine.columnTypes.exactString
      const writer = await startWriter('mysql', bench.url, way)
      await new Promise((resolve) => setTimeout(resolve, BEFORE_MS))
      const started = performance.now()
      if (way === 'module') {
        // The executor 0004's step runs (the recipe's look, strict mode and short lock waits included).
        await changeColumnType(database.db, { table: 'artwork_jobs', column: 'job_id', type, nullable: false })
      } else {
        await sql`alter table artwork_jobs modify column job_id ${type} not null, algorithm=copy, lock=shared`.execute(database.db)
      }
      const ended = performance.now()
      const samples = await writer.stop()
      const { rows: [column] } = await sql<{ c: string }>`select collation_name as c from information_schema.columns
        where table_schema = database() and table_name = 'artwork_jobs' and column_name = 'job_id'`.execute(database.db)
      if (!column?.c.endsWith('_bin')) throw new Error(`${way}: job_id is ${column?.c} afterwards`)
      return { way, alterMs: ended - started, during: statsBetween(samples, started, ended), before: statsBetween(samples, started - BEFORE_MS, started) }
    } finally {
      await database.db.destroy()
    }
  } finally {
    await bench.drop()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '400000' } }, strict: true })
  const rows = Number(values.rows!.replaceAll('_', '').replaceAll(',', ''))
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive whole number, not "${values.rows}"`)
  const results = [await measure('module', rows), await measure('copy', rows)]
  const ms = (n: number) => `${Math.round(n)} ms`
  console.log(`job_id to a byte-exact collation, ${rows.toLocaleString('en-US')} rows, one writer inserting back to back`)
  console.table(
    results.map((r) => ({
      way: r.way === 'module' ? '0004 (inplace, lock=none; copy fallback)' : 'algorithm=copy, lock=shared (floor without in-place)',
      alter: ms(r.alterMs),
      'worst insert': ms(r.during.worstMs),
      'p99 insert': ms(r.during.p99Ms),
      inserts: r.during.inserts,
      'worst before': ms(r.before.worstMs),
      'p99 before': ms(r.before.p99Ms),
    })),
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
