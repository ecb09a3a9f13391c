/** Whether a PostgreSQL server is a hot standby, and how far its replay is behind what it received. */
import { sql, type Kysely } from 'kysely'
import type { ReplicationState } from '../engine.js'
import { PostgresLockingAdapter } from './migration-lock.js'

/**
 * One query, or none when the connections already open say their server is not a standby
 * (`in_hot_standby`, reported at startup): a check-only boot on a primary stays one query.
 */
export async function postgresReplication(db: Kysely<any>): Promise<ReplicationState> {
  const adapter = db.getExecutor().adapter
  const servers = adapter instanceof PostgresLockingAdapter ? adapter.sessions?.servers : undefined
  const address = servers?.currentAddress()
  const where = address !== undefined ? { address } : {}
  if (servers?.reportedStandby() === false) return { standby: false, ...where }
  const { rows } = await sql<{ standby: boolean; behind: string | null; age_ms: string | null; paused: boolean | null }>`
    select pg_is_in_recovery() as standby,
      case when pg_is_in_recovery() then pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) end as behind,
      case when pg_is_in_recovery() then round(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000) end as age_ms,
      case when pg_is_in_recovery() then pg_is_wal_replay_paused() end as paused`.execute(db)
  const row = rows[0]!
  if (!row.standby) return { standby: false, ...where }
  return {
    standby: true,
    ...where,
    replayBehindBytes: row.behind === null ? null : Math.max(0, Number(row.behind)),
    lastReplayAgeMs: row.age_ms === null ? null : Math.max(0, Number(row.age_ms)),
    paused: row.paused === true,
  }
}
