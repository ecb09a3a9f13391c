/** Whether statements sent on one of `db`'s connections share one server session (see `./sessions.ts`). */
import type { Kysely } from 'kysely'
import { PostgresLockingAdapter } from './migration-lock.js'

/**
 * True directly connected; false through a pooler (or when unsure). A Kysely with no database
 * behind it (`migrate:sql`'s) plans for a direct connection.
 */
export async function sessionIsPinned(db: Kysely<any>): Promise<boolean> {
  const adapter = db.getExecutor().adapter
  const sessions = adapter instanceof PostgresLockingAdapter ? adapter.sessions : undefined
  return sessions ? sessions.pinned() : true
}
