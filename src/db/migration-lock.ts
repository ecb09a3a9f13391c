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
import { MysqlAdapter, PostgresAdapter, sql, type Kysely } from 'kysely'
import { AuthDbError } from '../errors.js'

/** How long a run waits for another process's migrations before giving up, by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 120_000

/** Names the lock on both dialects: one lock per database, whatever the migration table. */
const LOCK_NAME = 'artorizer_auth_db_migrations'
/**
 * MySQL's `GET_LOCK` names are server-wide, unlike PostgreSQL's advisory locks (per database):
 * the database's name goes into the lock's, or a migration of one database would hold up every
 * other database on the server. Hashed, because a name may have at most 64 characters.
 */
const MYSQL_LOCK_NAME = sql`concat(${LOCK_NAME}, ':', md5(database()))`
/** `hashtext` would do on PostgreSQL, but a literal keeps the lock visible in `pg_locks`. */
const PG_LOCK_KEY = 4_871_903_240_013_511n
const POLL_INTERVAL_MS = 150

export class MigrationLockTimeoutError extends AuthDbError {
  override name = 'MigrationLockTimeoutError'
  constructor(timeoutMs: number) {
    super(
      `another process held the migration lock for more than ${formatDuration(timeoutMs)}; ` +
        'wait for it to finish (or stop it), then run migrate:latest again (MIGRATION_LOCK_TIMEOUT_MS sets how long to wait)',
    )
  }
}

export interface MigrationLockOptions {
  /** Give up waiting for the lock after this many milliseconds. */
  readonly lockTimeoutMs?: number
}

export class PostgresLockingAdapter extends PostgresAdapter {
  readonly #timeoutMs: number

  constructor(options: MigrationLockOptions = {}) {
    super()
    this.#timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS
  }

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs
    for (;;) {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${sql.lit(PG_LOCK_KEY)}) as locked`.execute(db)
      if (rows[0]?.locked) return
      if (Date.now() >= deadline) throw new MigrationLockTimeoutError(this.#timeoutMs)
      await sleep(POLL_INTERVAL_MS)
    }
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    await sql`select pg_advisory_unlock(${sql.lit(PG_LOCK_KEY)})`.execute(db)
  }
}

export class MysqlLockingAdapter extends MysqlAdapter {
  readonly #timeoutMs: number

  constructor(options: MigrationLockOptions = {}) {
    super()
    this.#timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS
  }

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    const seconds = Math.max(0, Math.ceil(this.#timeoutMs / 1000))
    const { rows } = await sql<{ granted: number | null }>`select get_lock(${MYSQL_LOCK_NAME}, ${seconds}) as granted`.execute(db)
    if (Number(rows[0]?.granted) !== 1) throw new MigrationLockTimeoutError(this.#timeoutMs)
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    await sql`select release_lock(${MYSQL_LOCK_NAME})`.execute(db)
  }
}

function formatDuration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
