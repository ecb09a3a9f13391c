/**
 * Shows long index builds on a terminal while `migrateToLatest` runs: one status line, redrawn
 * in place twice a second, gone when the build ends.
 *
 * - PostgreSQL: phase and percentage from `pg_stat_progress_create_index`, read for the
 *   building session's pid.
 * - MariaDB: stage and percentage from `information_schema.processlist` (its `STAGE`,
 *   `MAX_STAGE`, `PROGRESS` columns) when the server fills them; MySQL has no such columns, so
 *   there (and whenever the server reports nothing) the line shows the elapsed time only.
 * - PGlite runs the build on Node's own thread: nothing can be drawn until it ends.
 *
 * The polls go through `db`'s pool, so on a connection other than the one that builds: the
 * caller passes the pool-level `Kysely`, never one bound to the migrating connection.
 */
import type { Kysely } from 'kysely'
import { engineOf } from '../engines/index.js'
import type { DdlProgressReporter } from '../engines/index-build-progress.js'

export { describePgProgress } from '../engines/postgres/index-progress.js'

/** Where the status line goes: a terminal's stream (`process.stdout`). */
export interface ProgressStream {
  write(text: string): unknown
}

export interface TerminalProgressOptions {
  /** How often the line is redrawn (and the server polled), in milliseconds. */
  readonly intervalMs?: number
}

/** A status line is drawn only for builds that last longer than one interval. */
const DEFAULT_INTERVAL_MS = 500
const CLEAR_LINE = '\r\x1b[K'

/**
 * A reporter for `migrateToLatest`'s `progress` option that draws on `stream`. Give it only a
 * terminal: the CLI does so when stdout is a TTY and `--json` is not set.
 */
export function createTerminalProgress(db: Kysely<any>, stream: ProgressStream, options: TerminalProgressOptions = {}): DdlProgressReporter {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS
  let serverProgress = true // false once the server shows it has no progress columns (MySQL)

  return {
    indexBuildStarted(build) {
      const started = Date.now()
      let running = true
      let drawn = false
      let timer: NodeJS.Timeout | undefined

      const tick = async () => {
        let detail: string | undefined
        if (serverProgress && build.sessionId !== undefined) {
          try {
            detail = await engineOf(db).catalog.indexBuildProgress(db, build.sessionId)
          } catch {
            serverProgress = false
          }
        }
        if (!running) return
        const elapsed = `${((Date.now() - started) / 1000).toFixed(1)}s`
        stream.write(`${CLEAR_LINE}⏳ building ${build.index} on ${build.table}${detail ? `: ${detail}` : ''} (${elapsed})`)
        drawn = true
        timer = setTimeout(tick, intervalMs)
      }
      timer = setTimeout(tick, intervalMs)

      return () => {
        running = false
        clearTimeout(timer)
        if (!drawn) return
        const seconds = ((Date.now() - started) / 1000).toFixed(1)
        stream.write(`${CLEAR_LINE}   built ${build.index} on ${build.table} in ${seconds}s\n`)
      }
    },
  }
}

