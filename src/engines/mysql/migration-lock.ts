/**
 * MySQL's and MariaDB's migration lock: `GET_LOCK`, whose answer is checked (see
 * `../migration-lock.ts`); on a Galera node, where `GET_LOCK` locks one node only, a lease row
 * that holds across the cluster (`./galera.ts`).
 */
import { MysqlAdapter, sql, type Kysely } from 'kysely'
import type { Pool } from 'mysql2'
import { DEFAULT_LOCK_TIMEOUT_MS, LOCK_NAME, MigrationLockTimeoutError, type MigrationLockOptions } from '../migration-lock.js'
import { GaleraLease, isGaleraNode } from './galera.js'

/**
 * MySQL's `GET_LOCK` names are server-wide, unlike PostgreSQL's advisory locks (per database):
 * the database's name goes into the lock's, or a migration of one database would hold up every
 * other database on the server. Hashed, because a name may have at most 64 characters.
 */
const MYSQL_LOCK_NAME = sql`concat(${LOCK_NAME}, ':', md5(database()))`

export interface MysqlLockOptions extends MigrationLockOptions {
  /** The pool the migrations run on: a Galera lease is renewed on another of its connections. */
  readonly pool?: Pool
}

export class MysqlLockingAdapter extends MysqlAdapter {
  readonly #timeoutMs: number
  readonly #pool: Pool | undefined
  /** The Galera lease of each run in progress (by its connection), when the server is a Galera node. */
  readonly #leases = new WeakMap<Kysely<any>, GaleraLease>()

  constructor(options: MysqlLockOptions = {}) {
    super()
    this.#timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS
    this.#pool = options.pool
  }

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    if (await isGaleraNode(db)) {
      const lease = new GaleraLease(this.#timeoutMs, this.#pool)
      await lease.acquire(db)
      this.#leases.set(db, lease)
      return
    }
    const seconds = Math.max(0, Math.ceil(this.#timeoutMs / 1000))
    const { rows } = await sql<{ granted: number | null }>`select get_lock(${MYSQL_LOCK_NAME}, ${seconds}) as granted`.execute(db)
    if (Number(rows[0]?.granted) !== 1) throw new MigrationLockTimeoutError(this.#timeoutMs)
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    const lease = this.#leases.get(db)
    if (lease) {
      this.#leases.delete(db)
      await lease.release(db)
      return
    }
    await sql`select release_lock(${MYSQL_LOCK_NAME})`.execute(db)
  }
}
