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

/** Pending migrations were found where the caller asked only to check. */
export class PendingMigrationsError extends AuthDbError {
  override name = 'PendingMigrationsError'
  constructor(readonly pending: readonly string[]) {
    super(`the database is behind: pending migrations ${pending.join(', ')}; run ${howToRun('migrate:latest')}`)
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
