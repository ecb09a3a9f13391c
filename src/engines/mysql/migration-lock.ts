/**
 * MySQL's and MariaDB's migration lock: `GET_LOCK`, whose answer is checked (see
 * `../migration-lock.ts`).
 */
import { MysqlAdapter, sql, type Kysely } from 'kysely'
import { DEFAULT_LOCK_TIMEOUT_MS, LOCK_NAME, MigrationLockTimeoutError, type MigrationLockOptions } from '../migration-lock.js'

/**
 * MySQL's `GET_LOCK` names are server-wide, unlike PostgreSQL's advisory locks (per database):
 * the database's name goes into the lock's, or a migration of one database would hold up every
 * other database on the server. Hashed, because a name may have at most 64 characters.
 */
const MYSQL_LOCK_NAME = sql`concat(${LOCK_NAME}, ':', md5(database()))`

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

