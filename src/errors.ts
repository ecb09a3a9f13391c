/**
 * Errors that this module raises on purpose. Each has a one-line message that says what is
 * wrong and what to do, and never contains a password; the CLI prints `message` alone.
 */
import type { Finding } from './schema/findings.js'
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

/** A one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name
  return String(error)
}
