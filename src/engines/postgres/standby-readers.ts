/**
 * Sparing the readers of hot standbys from a strong-lock step.
 *
 * A statement that takes ACCESS EXCLUSIVE on a table (`ADD COLUMN`, `DROP COLUMN`, `DROP TABLE`,
 * a type change) logs that lock, and every hot standby replays it: the replay waits for the
 * standby's own readers of the table (up to `max_standby_streaming_delay`, 30 s by default, then
 * cancels them), and meanwhile every new reader of the table on the standby queues behind the
 * replayed lock. The short `lock_timeout` tries protect the primary's writers, not the standbys'
 * readers: a 60 s report on a standby made a 40 ms point read there wait 30 s.
 *
 * With a multi-host `DATABASE_URL` the module knows the standbys. Before each try of such a step
 * it asks each of them whether a session holds a lock on the table (a query running on it, or a
 * transaction that read it and is still open); if one does, the try counts as failed (the table is
 * busy) and is retried after the usual growing pause, within `DDL_LOCK_RETRY_BUDGET_MS`. The
 * replay then finds no reader to wait for, and holds the lock only as long as the primary did.
 * A reader that starts on the standby between the look and the replay still waits behind it.
 * A standby that cannot be reached is not waited for.
 */
import { sql, type Kysely } from 'kysely'
import { AuthDbError } from '../../errors.js'
import { PostgresLockingAdapter } from './migration-lock.js'

/** A standby's session holds the table: the try is put off, as for a lock timeout on the primary. */
export class StandbyReaderBusy extends AuthDbError {
  override name = 'StandbyReaderBusy'
}

/**
 * Rejects with {@link StandbyReaderBusy} when a standby of a multi-host URL has a session holding
 * `table`. Nothing to ask (one host, or a Kysely not opened by `connectDatabase`): resolves.
 */
export async function assertNoStandbyReaders(db: Kysely<any>, table: string): Promise<void> {
  const adapter = db.getExecutor().adapter
  const servers = adapter instanceof PostgresLockingAdapter ? adapter.sessions?.servers : undefined
  if (!servers?.multiHost) return
  const database = ((await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!).name
  for (const standby of await servers.standbys()) {
    const { rows } = await standby.client.query<{ n: number }>(
      `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
        where d.datname = $1 and l.relation = (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relname = $2 and n.nspname = any (current_schemas(false)) limit 1)
        and l.pid <> pg_backend_pid() and l.mode <> 'AccessExclusiveLock'`,
      [database, table],
    )
    if ((rows[0]?.n ?? 0) > 0) {
      throw new StandbyReaderBusy(`a session on the standby ${standby.address} holds ${table} (a query or an open transaction reading it)`)
    }
  }
}
