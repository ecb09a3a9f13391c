/**
 * MariaDB Galera Cluster: telling a Galera node from a lone server, and the migration lock that
 * holds across the cluster.
 *
 * `GET_LOCK` is node-local under Galera (a lock held on node 1 is granted on nodes 2 and 3), and
 * `SELECT ... FOR UPDATE` locks rows on the local node only: Galera's rows are certified at
 * commit, not locked cluster-wide. What Galera does guarantee is that of two transactions that
 * write the same row concurrently on different nodes, at most one commits (the other fails
 * certification and gets `ER_LOCK_DEADLOCK`, or is retried by the server and then sees the
 * winner's row). So the lock is a *lease*: one row in an InnoDB table, taken by an autocommitted
 * `UPDATE ... WHERE the row is free or its lease ran out` that changed exactly one row, renewed
 * by its holder every few seconds, and freed on release. A holder that crashed stops renewing,
 * and its lease runs out after {@link LEASE_MS}.
 *
 * The lease is timed by each node's clock (`now(3)`): the nodes' clocks must agree to well within
 * {@link LEASE_MS} (NTP does). A waiter also never takes an expired lease while its node is
 * applying a replicated DDL statement: under total order isolation every node stops committing
 * while one runs, the holder's renewals included, so a long index build must not count as a crash.
 */
import { sql, type Kysely } from 'kysely'
import type { Pool } from 'mysql2'
import { randomBytes } from 'node:crypto'
import { errorCode } from '../lock-wait.js'
import { MigrationLockTimeoutError, POLL_INTERVAL_MS, sleep } from '../migration-lock.js'

/** The table holding the lease, one row per database (the table lives in the database). */
export const GALERA_LOCK_TABLE = 'artorizer_migration_lease'
const LOCK_ROW = 'migrations'

/** A lease not renewed for this long is taken to be a crashed holder's. */
export const LEASE_MS = 60_000
/** How often the holder renews its lease. */
export const RENEW_EVERY_MS = 5_000

/** Whether the connection's server is a node of a running Galera cluster (`wsrep_on`, with a provider). */
export async function isGaleraNode(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ Variable_name: string; Value: string }>`show global variables where variable_name in ('wsrep_on', 'wsrep_provider')`.execute(db)
  const value = (name: string) => rows.find((row) => row.Variable_name.toLowerCase() === name)?.Value ?? ''
  return value('wsrep_on').toUpperCase() === 'ON' && value('wsrep_provider') !== '' && value('wsrep_provider').toLowerCase() !== 'none'
}

/**
 * Two nodes writing the same row at once: the one that loses certification sees
 * `ER_LOCK_DEADLOCK` (when the server's own autocommit retry did not absorb it). Either way
 * nothing of it committed, so the statement may simply be tried again.
 */
function isCertificationConflict(error: unknown): boolean {
  return errorCode(error) === 'ER_LOCK_DEADLOCK'
}

const nowMs = sql`cast(unix_timestamp(now(3)) * 1000 as signed)`

/** Runs an autocommitted statement again while it loses certification. */
async function retryConflicts<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement()
    } catch (error) {
      if (!isCertificationConflict(error) || attempt >= 20) throw error
      await sleep(20 + Math.random() * 80)
    }
  }
}

/** Whether this node is applying (or running) a replicated DDL statement right now. */
async function replicatedDdlRunning(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from information_schema.processlist
    where id <> connection_id() and info is not null
      and (info like 'alter %' or info like 'create %' or info like 'drop %' or info like 'rename %' or info like 'truncate %')`.execute(db)
  return Number(rows[0]?.n ?? 0) > 0
}

/**
 * The lease lock of one migration run. `acquire` runs on the migration's own connection; the
 * renewals run on another connection of the pool, since the migration's connection is busy with
 * DDL for seconds at a time.
 */
export class GaleraLease {
  readonly #holder = `${process.pid}-${randomBytes(8).toString('hex')}`
  #renewal: ReturnType<typeof setInterval> | undefined
  #renewing: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly timeoutMs: number,
    private readonly pool: Pool | undefined,
  ) {}

  async acquire(db: Kysely<any>): Promise<void> {
    // Looked up first, so that a run sends no DDL statement (replicated in total order, a pause
    // for the whole cluster) when the table is there.
    const { rows: found } = await sql`select 1 from information_schema.tables where table_schema = database() and table_name = ${GALERA_LOCK_TABLE}`.execute(db)
    if (found.length === 0) await retryConflicts(() =>
      sql`create table if not exists ${sql.table(GALERA_LOCK_TABLE)} (
        id varchar(64) not null primary key,
        holder varchar(64) null,
        expires_at bigint not null default 0
      ) engine=InnoDB`.execute(db),
    )
    await retryConflicts(() => sql`insert ignore into ${sql.table(GALERA_LOCK_TABLE)} (id, holder, expires_at) values (${LOCK_ROW}, null, 0)`.execute(db))
    const deadline = Date.now() + this.timeoutMs
    for (;;) {
      if (await this.#tryTake(db)) break
      if (Date.now() >= deadline) throw new MigrationLockTimeoutError(this.timeoutMs)
      await sleep(POLL_INTERVAL_MS + Math.random() * POLL_INTERVAL_MS)
    }
    // Every read of the run sees what the cluster committed before this lease was granted.
    await sql`set session wsrep_sync_wait = 1`.execute(db)
    this.#startRenewing()
  }

  async release(db: Kysely<any>): Promise<void> {
    if (this.#renewal) clearInterval(this.#renewal)
    this.#renewal = undefined
    await this.#renewing.catch(() => {})
    await sql`set session wsrep_sync_wait = default`.execute(db)
    await retryConflicts(() =>
      sql`update ${sql.table(GALERA_LOCK_TABLE)} set holder = null, expires_at = 0 where id = ${LOCK_ROW} and holder = ${this.#holder}`.execute(db),
    )
  }

  /** One try: takes the row when it is free or its lease ran out; true when this run holds it. */
  async #tryTake(db: Kysely<any>): Promise<boolean> {
    const take = (condition: ReturnType<typeof sql>) =>
      sql`update ${sql.table(GALERA_LOCK_TABLE)} set holder = ${this.#holder}, expires_at = ${nowMs} + ${LEASE_MS}
        where id = ${LOCK_ROW} and (${condition})`.execute(db)
    try {
      const free = await take(sql`holder is null`)
      if (Number(free.numAffectedRows ?? 0n) === 1) return true
      const { rows } = await sql<{ expired: number | string }>`select (expires_at < ${nowMs}) as expired from ${sql.table(GALERA_LOCK_TABLE)} where id = ${LOCK_ROW}`.execute(db)
      if (Number(rows[0]?.expired) !== 1 || (await replicatedDdlRunning(db))) return false
      const stale = await take(sql`expires_at < ${nowMs}`)
      return Number(stale.numAffectedRows ?? 0n) === 1
    } catch (error) {
      if (isCertificationConflict(error)) return false // another node took it first
      throw error
    }
  }

  #startRenewing(): void {
    const pool = this.pool
    if (!pool) return
    this.#renewal = setInterval(() => {
      this.#renewing = this.#renewing.then(
        () =>
          new Promise<void>((resolve) => {
            pool.query(
              `update ${GALERA_LOCK_TABLE} set expires_at = cast(unix_timestamp(now(3)) * 1000 as signed) + ? where id = ? and holder = ?`,
              [LEASE_MS, LOCK_ROW, this.#holder],
              () => resolve(), // a failed renewal is retried at the next tick
            )
          }),
      )
    }, RENEW_EVERY_MS)
    this.#renewal.unref()
  }
}
