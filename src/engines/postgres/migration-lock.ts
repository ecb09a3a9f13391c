/**
 * PostgreSQL's migration lock: a transaction-level advisory lock (`pg_advisory_xact_lock`'s
 * kind), held by a transaction left open on a dedicated connection for the whole run.
 *
 * Why a transaction and not a session lock: behind a transaction-pooling PgBouncer, a session
 * lock is taken on whichever server connection ran the statement, is re-entrant there (another
 * process routed to that connection "gets" it too), cannot be released from another one, and
 * stays held by the idle pooled connection after the process exits. A transaction is pinned to
 * one server connection from `begin` to its end, which frees the lock: on `commit`, on the
 * client's disconnect (PgBouncer closes or rolls back a server connection left in a
 * transaction) or when the process dies. Directly connected, it behaves as a session lock would.
 *
 * Waiting polls `pg_try_advisory_xact_lock` in a short transaction on a short-lived connection,
 * never inside one long statement: a waiting statement keeps a snapshot open, and `CREATE INDEX
 * CONCURRENTLY` run by the lock holder waits for every older snapshot. Between polls a waiter
 * holds no server connection. The holder's transaction holds no snapshot either (it is idle
 * in a READ COMMITTED transaction that read nothing) and no table lock.
 */
import { PostgresAdapter, type Kysely } from 'kysely'
import { AuthDbError, ServerStoppedAnsweringError } from '../../errors.js'
import { DEFAULT_ANSWER_TIMEOUT_MS, watchServer, type ServerWatch } from './server-watch.js'
import { DEFAULT_LOCK_TIMEOUT_MS, MigrationLockTimeoutError, POLL_INTERVAL_MS, sleep, type MigrationLockOptions } from '../migration-lock.js'
import type { DedicatedClient, PostgresSessions } from './sessions.js'

/** `hashtext` would do on PostgreSQL, but a literal keeps the lock visible in `pg_locks`. */
const PG_LOCK_KEY = 4_871_903_240_013_511n

/** The lock's connection died during the run: another process may have migrated meanwhile. */
export class MigrationLockLostError extends AuthDbError {
  override name = 'MigrationLockLostError'
}

export class PostgresLockingAdapter extends PostgresAdapter {
  readonly #timeoutMs: number
  readonly #answerTimeoutMs: number
  readonly #sessions: PostgresSessions | undefined
  /** The open lock transaction of each run, by the connection Kysely's Migrator runs on, its heartbeat and its host. */
  readonly #held = new WeakMap<Kysely<any>, { client: DedicatedClient; watch: ServerWatch; address: string }>()

  constructor(options: MigrationLockOptions = {}, sessions?: PostgresSessions) {
    super()
    this.#timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS
    this.#answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS
    this.#sessions = sessions
  }

  /** How this database's connections relate to server sessions (undefined for an offline Kysely). */
  get sessions(): PostgresSessions | undefined {
    return this.#sessions
  }

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    const sessions = this.#sessions
    if (!sessions) throw new AuthDbError('this Kysely instance cannot take the migration lock: open it with connectDatabase()')
    const deadline = Date.now() + this.#timeoutMs
    for (;;) {
      // A connection per try, closed while waiting: in session pooling each open client holds a
      // server connection, and waiters holding two each (the Migrator's and this one) could
      // fill the pool so that nobody, the holder included, gets one more.
      const client = await sessions.open()
      try {
        await sessions.learnFrom(client)
        await client.query('begin')
        // The lock lives as long as this transaction: a server-wide idle_in_transaction_session_timeout
        // would end it mid-run.
        await client.query('set local idle_in_transaction_session_timeout = 0')
        const [row] = await client.query<{ locked: boolean }>(`select pg_try_advisory_xact_lock(${PG_LOCK_KEY}) as locked`)
        if (row?.locked) {
          // Held for the run: a server that stops answering ends it (see server-watch.ts).
          const watch = watchServer(client, this.#answerTimeoutMs, () => sessions.servers.sever())
          this.#held.set(db, { client, watch, address: sessions.servers.currentAddress() })
          return
        }
      } catch (error) {
        await client.end()
        throw error
      }
      await client.end()
      if (Date.now() >= deadline) throw new MigrationLockTimeoutError(this.#timeoutMs)
      await sleep(POLL_INTERVAL_MS)
    }
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    // Kysely's Migrator calls this also when acquiring failed: then nothing is held.
    const held = this.#held.get(db)
    if (!held) return
    this.#held.delete(db)
    const { client, watch, address } = held
    let lost = client.lost
    if (!lost) {
      // Still watched: a server that stops answering now would otherwise hang the commit.
      try {
        await client.query('commit')
      } catch {
        lost = true
      }
    }
    watch.stop()
    await client.end()
    if (!lost) return
    const rerun = 'the run stopped there; run the same command again: it finishes the job'
    const silent = watch.silentForMs
    if (silent !== undefined) {
      throw new ServerStoppedAnsweringError(
        `the database server ${address} stopped answering during the run (no answer for ${Math.round(silent / 1000)} s: it crashed, failed over, or is frozen or cut off); ${rerun}${this.#onAnotherHost()}`,
      )
    }
    const now = await this.#whereNow(address)
    if (now !== 'same primary') {
      throw new ServerStoppedAnsweringError(`the database server ${address} went away during the run (${now}); ${rerun}${this.#onAnotherHost()}`)
    }
    throw new MigrationLockLostError(
      'the connection holding the migration lock was lost during the run, so another process may have migrated at the same time; ' +
        'run migrate:status and db:verify, then migrate:latest again',
    )
  }

  /** With several hosts in the URL, the rerun goes to whichever is the primary then. */
  #onAnotherHost(): string {
    return this.#sessions?.servers.multiHost ? ' (on whichever host of DATABASE_URL is the primary then)' : ''
  }

  /**
   * After the lock's connection was lost: whether its server is still the primary (only the
   * connection was ended, e.g. by an administrator), or what became of it. One connection
   * attempt, bounded by the connect timeout.
   */
  async #whereNow(address: string): Promise<string> {
    const sessions = this.#sessions!
    let probe: DedicatedClient
    try {
      probe = await sessions.open()
    } catch {
      return sessions.servers.multiHost ? 'no host of DATABASE_URL accepts a connection as primary now' : 'it does not accept connections now'
    }
    try {
      const now = sessions.servers.currentAddress()
      if (now !== address) return `${now} is the primary now: a failover`
      const [row] = await probe.query<{ standby: boolean }>('select pg_is_in_recovery() as standby')
      return row?.standby ? 'it is a standby now: a failover' : 'same primary'
    } catch {
      return 'it does not answer now'
    } finally {
      await probe.end()
    }
  }
}