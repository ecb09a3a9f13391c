/**
 * Progress of long DDL steps (index builds on large tables), for whoever watches: the CLI on a
 * terminal, the benchmark. Migrations receive only a `Kysely`, and must not change to gain
 * progress, so the watcher travels with the call instead: {@link withDdlProgress} makes a
 * reporter current for one `migrateToLatest` (through Node's `AsyncLocalStorage`, so two runs in
 * one process never see each other's), and the online-DDL recipes tell it when a build starts
 * and ends. Without a reporter nothing is reported and nothing extra is queried.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Kysely } from 'kysely'
import type { EngineName } from './engine.js'
import { engineOf } from './index.js'

/** An index build that has just started. */
export interface IndexBuild {
  readonly table: string
  readonly index: string
  readonly engine: EngineName
  /**
   * The server's id of the session that runs the build (PostgreSQL `pg_backend_pid()`, MySQL
   * `connection_id()`), so that a watcher on another connection can find it in
   * `pg_stat_progress_create_index` or the process list. Undefined on PGlite.
   */
  readonly sessionId: number | undefined
}

/** Told about long DDL steps while they run. */
export interface DdlProgressReporter {
  /** An index build starts; the function returned is called when it ends, whether or not it succeeded. */
  indexBuildStarted(build: IndexBuild): () => void
}

const current = new AsyncLocalStorage<DdlProgressReporter>()

/** Runs `work` with `reporter` told about the long DDL steps it runs (none when undefined). */
export function withDdlProgress<T>(reporter: DdlProgressReporter | undefined, work: () => Promise<T>): Promise<T> {
  return reporter ? current.run(reporter, work) : work()
}

/**
 * Tells the current reporter, if any, that an index build on `conn` starts now; returns the
 * function to call when it ends (a no-op without a reporter). Only with a reporter does it ask
 * the server for the session id (one query).
 */
export async function announceIndexBuild(conn: Kysely<any>, target: { readonly table: string; readonly index: string }): Promise<() => void> {
  const reporter = current.getStore()
  if (!reporter) return () => {}
  const engine = engineOf(conn)
  return reporter.indexBuildStarted({ ...target, engine: engine.name, sessionId: await engine.catalog.sessionId(conn) })
}
