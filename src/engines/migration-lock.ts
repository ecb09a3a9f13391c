/**
 * The lock that lets many router-backend replicas run `migrateToLatest` at the same boot.
 *
 * Kysely's own adapters block on the lock (`pg_advisory_lock`, `GET_LOCK`) and do not check
 * whether MySQL's `GET_LOCK` granted it. Ours differ in two ways:
 *
 * - PostgreSQL waits by polling `pg_try_advisory_lock`, never inside one long statement: a
 *   statement that waits keeps a snapshot open, and `CREATE INDEX CONCURRENTLY` run by the lock
 *   holder waits for every older snapshot, so a blocked waiter would stall the holder.
 * - MySQL checks `GET_LOCK`'s answer (1 granted, 0 timed out, NULL error).
 *
 * Both are session locks: the server frees them when the holder's connection dies, so a lock
 * held by a crashed process never blocks the next run. Both give up after `timeoutMs` with a
 * one-line error.
 */
import { AuthDbError } from '../errors.js'
export type { MigrationLockOptions } from './engine.js'

/** How long a run waits for another process's migrations before giving up, by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 120_000

/** Names the lock on both dialects: one lock per database, whatever the migration table. */
export const LOCK_NAME = 'artorizer_auth_db_migrations'
/** How often a waiting PostgreSQL process asks for the lock again. */
export const POLL_INTERVAL_MS = 150


export class MigrationLockTimeoutError extends AuthDbError {
  override name = 'MigrationLockTimeoutError'
  constructor(timeoutMs: number) {
    super(
      `another process held the migration lock for more than ${formatDuration(timeoutMs)}; ` +
        'wait for it to finish (or stop it), then run migrate:latest again (MIGRATION_LOCK_TIMEOUT_MS sets how long to wait)',
    )
  }
}

function formatDuration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
