/**
 * Errors that this module raises on purpose. Each has a one-line message that says what is
 * wrong and what to do, and never contains a password; the CLI prints `message` alone.
 */
import type { Finding } from './model/findings.js'
import { howToRun } from './invocation.js'

export class AuthDbError extends Error {
  override name = 'AuthDbError'
}

/** The caller asked for something malformed or unsupported (a bad URL, an unknown flag). */
export class UsageError extends AuthDbError {
  override name = 'UsageError'
}

/** The database could not be reached or refused us; `message` is already made readable. */
export class ConnectionError extends AuthDbError {
  override name = 'ConnectionError'
  /**
   * Whether running again may succeed with nothing fixed: the connection was lost, the server
   * stopped answering, or no host is the primary yet (a failover in progress).
   */
  readonly transient: boolean
  constructor(message: string, options?: ErrorOptions & { transient?: boolean }) {
    super(message, options)
    this.transient = options?.transient ?? false
  }
}

/**
 * A table exists in a shape the module cannot safely adopt. Raised before any change is made,
 * with every difference found in `problems`.
 */
export class SchemaConflictError extends AuthDbError {
  override name = 'SchemaConflictError'
  /**
   * @param problems one line each, what is wrong and what to do
   * @param findings the same as structured findings (`code`, `table`, `column`), where known
   */
  constructor(
    readonly problems: readonly string[],
    readonly findings: readonly Finding[] = [],
  ) {
    super(
      `existing tables cannot be adopted safely: ${problems.join('; ')}. Fix or rename these tables, then run ${howToRun('migrate:latest')} again`,
    )
  }
}

/** A migration failed; `migrationName` says which, `cause` holds the database's error. */
export class MigrationFailedError extends AuthDbError {
  override name = 'MigrationFailedError'
  constructor(
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    super(
      migrationName
        ? `migration ${migrationName} failed: ${describeError(cause)}`
        : `migrations could not run: ${describeError(cause)}`,
      { cause },
    )
  }
}

/**
 * Pending migrations were found where the caller asked only to check. On a standby, `standby`
 * says so and how far its replay is behind, so that a replica's boot can tell a standby that has
 * not replayed the primary's migrations yet from a database nobody migrated.
 */
export class PendingMigrationsError extends AuthDbError {
  override name = 'PendingMigrationsError'
  constructor(
    readonly pending: readonly string[],
    readonly standby?: string,
  ) {
    super(
      standby
        ? `the standby has not replayed migrations ${pending.join(', ')}: ${standby}; wait for its replay to catch up, or run ${howToRun('migrate:latest')} on the primary if it has not run there`
        : `the database is behind: pending migrations ${pending.join(', ')}; run ${howToRun('migrate:latest')}`,
    )
  }
}

/**
 * The server is a standby (a hot standby replaying its primary), where a command needs the
 * primary: nothing was changed. Commands that change the schema reject with it as the cause of
 * a {@link MigrationFailedError}.
 */
export class StandbyError extends ConnectionError {
  override name = 'StandbyError'
}

/**
 * The server stopped answering during a run (it crashed, failed over, was partitioned away or
 * frozen): the run stopped within `DATABASE_ANSWER_TIMEOUT_MS`, and running it again finishes
 * the job (with a multi-host URL, on the new primary).
 */
export class ServerStoppedAnsweringError extends ConnectionError {
  override name = 'ServerStoppedAnsweringError'
  constructor(message: string) {
    super(message, { transient: true })
  }
}

/** How far `artworks:link` got before a batch failed. */
export interface LinkProgress {
  /** The batch that failed, from 1, and how many there are. */
  readonly batch: number
  readonly batches: number
  /** Job ids in the batches committed before it, of `total`. */
  readonly committedJobs: number
  readonly total: number
  /** Artworks those batches linked, and moved (`--reassign`). */
  readonly linked: number
  readonly reassigned: number
}

/**
 * A batch of `artworks:link` failed after earlier batches committed. The message says how
 * many were committed and that a rerun finishes the job (linking is idempotent: what is
 * linked already counts as unchanged); `cause` is the failed batch's error.
 */
export class LinkInterruptedError extends AuthDbError {
  override name = 'LinkInterruptedError'
  constructor(
    readonly progress: LinkProgress,
    cause: unknown,
  ) {
    const n = (value: number) => value.toLocaleString('en')
    super(
      `linking stopped in batch ${n(progress.batch)} of ${n(progress.batches)}: ${describeError(cause)}. ` +
        `The ${progress.batch === 2 ? 'batch' : `${n(progress.batch - 1)} batches`} before it ${progress.batch === 2 ? 'is' : 'are'} committed ` +
        `(${n(progress.committedJobs)} of ${n(progress.total)} job ids: ${n(progress.linked)} linked, ${n(progress.reassigned)} moved); ` +
        'the rest is unchanged. Fix the cause and run the same command again: it finishes the job and counts what is linked already as unchanged',
      { cause },
    )
  }
}

/** A one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name
  return String(error)
}
