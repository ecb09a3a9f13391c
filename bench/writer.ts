/**
 * The application's side of the benchmark: one connection of its own that inserts artworks
 * into `artwork_jobs` back to back, one autocommitted row at a time, as router-backend does,
 * and times every insert. The drivers are used directly, without Kysely or a pool, so the
 * timings hold the server's wait and nothing of ours.
 */
import type { ServerKind } from './servers.js'

/** One insert: when it started (ms, `performance.now()`), how long it took, and whether it failed. */
export interface InsertSample {
  readonly startedAt: number
  readonly ms: number
  readonly failed: boolean
  /** The driver's error code when it failed (`ER_LOCK_DEADLOCK`...). */
  readonly error?: string
}

/**
 * `single`: one autocommitted insert at a time (router-backend's way). `transaction`: `BEGIN`, two
 * inserts, `COMMIT`, timed as one sample (MySQL/MariaDB only, for the Galera part: a transaction
 * is what Galera's certification and brute-force aborts hit, where a single insert is retried by
 * the server itself).
 */
export type WriterMode = 'single' | 'transaction'

export interface Writer {
  /** The server's id of the writer's session (PostgreSQL backend pid, MySQL connection id). */
  readonly sessionId: number
  /** Stops after the insert in flight and closes the connection; resolves with every sample. */
  stop(): Promise<InsertSample[]>
}

/** Statistics of the inserts that overlapped a time window. */
export interface WriterStats {
  readonly inserts: number
  readonly failed: number
  readonly worstMs: number
  readonly p99Ms: number
  readonly medianMs: number
}

/**
 * `userId`: every artwork is inserted with this owner, so that each insert also checks
 * `artwork_jobs_user_id_fk` against `user` (what a migration of `user` can make it wait for).
 */
export async function startWriter(kind: ServerKind, url: string, label: string, mode: WriterMode = 'single', userId?: string): Promise<Writer> {
  const insert = kind === 'postgres' ? await pgInserter(url, userId) : await mysqlInserter(url, mode, userId)
  const samples: InsertSample[] = []
  let stopping = false
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      const startedAt = performance.now()
      let error: string | undefined
      try {
        await insert.run(`bench-${label}-${i}`, `s3://artorizer-in/bench-${label}-${i}.png`)
      } catch (e) {
        error = (e as { code?: string }).code ?? 'error'
      }
      samples.push({ startedAt, ms: performance.now() - startedAt, failed: error !== undefined, ...(error ? { error } : {}) })
    }
  })()
  return {
    sessionId: insert.sessionId,
    async stop() {
      stopping = true
      await loop
      await insert.close()
      return samples
    },
  }
}

/** Inserts that overlapped `[from, to]` (times from `performance.now()`). */
export function statsBetween(samples: readonly InsertSample[], from: number, to: number): WriterStats {
  const inWindow = samples.filter((s) => s.startedAt <= to && s.startedAt + s.ms >= from)
  const ms = inWindow.map((s) => s.ms).sort((a, b) => a - b)
  return {
    inserts: inWindow.filter((s) => !s.failed).length,
    failed: inWindow.filter((s) => s.failed).length,
    worstMs: ms.at(-1) ?? 0,
    p99Ms: percentile(ms, 0.99),
    medianMs: percentile(ms, 0.5),
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

interface Inserter {
  readonly sessionId: number
  run(jobId: string, originalUrl: string): Promise<unknown>
  close(): Promise<void>
}

async function pgInserter(url: string, userId?: string): Promise<Inserter> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
  return {
    sessionId: rows[0]!.pid,
    run: (jobId, originalUrl) =>
      userId === undefined
        ? client.query('insert into artwork_jobs (job_id, original_url) values ($1, $2)', [jobId, originalUrl])
        : client.query('insert into artwork_jobs (job_id, original_url, user_id) values ($1, $2, $3)', [jobId, originalUrl, userId]),
    close: () => client.end(),
  }
}

async function mysqlInserter(url: string, mode: WriterMode, userId?: string): Promise<Inserter> {
  const { createConnection } = await import('mysql2/promise')
  const connection = await createConnection({ uri: url })
  const [rows] = await connection.query('select connection_id() as id')
  const sessionId = Number((rows as { id: number }[])[0]!.id)
  const insert = (jobId: string, originalUrl: string) =>
    userId === undefined
      ? connection.query('insert into artwork_jobs (job_id, original_url) values (?, ?)', [jobId, originalUrl])
      : connection.query('insert into artwork_jobs (job_id, original_url, user_id) values (?, ?, ?)', [jobId, originalUrl, userId])
  if (mode === 'single') return { sessionId, run: insert, close: () => connection.end() }
  return {
    sessionId,
    async run(jobId, originalUrl) {
      await connection.query('begin')
      try {
        await insert(`${jobId}-a`, originalUrl)
        await insert(`${jobId}-b`, originalUrl)
        await connection.query('commit')
      } catch (error) {
        await connection.query('rollback').catch(() => {})
        throw error
      }
    },
    close: () => connection.end(),
  }
}
