/**
 * PostgreSQL's migration lock: a session advisory lock, waited for by polling
 * `pg_try_advisory_lock`, never inside one long statement (see `../migration-lock.ts`).
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely'
import { DEFAULT_LOCK_TIMEOUT_MS, MigrationLockTimeoutError, POLL_INTERVAL_MS, sleep, type MigrationLockOptions } from '../migration-lock.js'

/** `hashtext` would do on PostgreSQL, but a literal keeps the lock visible in `pg_locks`. */
const PG_LOCK_KEY = 4_871_903_240_013_511n

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

