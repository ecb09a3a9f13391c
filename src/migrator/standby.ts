/**
 * Standbys, as the migration API meets them: a command that changes the schema refuses one
 * before any change, and a check reports one with how far its replay is behind, so that a
 * replica's boot can tell a standby that has not replayed the primary's migrations yet from a
 * database nobody migrated. See docs/standbys.md.
 */
import type { Kysely } from 'kysely'
import { MigrationFailedError, StandbyError } from '../errors.js'
import { engineOf } from '../engines/index.js'
import type { ReplicationState } from '../engines/engine.js'

export type { ReplicationState } from '../engines/engine.js'

/** Whether the server behind `db` is a standby, and how far behind its replay is (one query). */
export function replicationState(db: Kysely<any>): Promise<ReplicationState> {
  return engineOf(db).replication(db)
}

/**
 * Rejects, before any change, when `db`'s server is a standby: with a {@link MigrationFailedError}
 * whose cause is a {@link StandbyError}, the class the migration API documents.
 */
export async function assertPrimary(db: Kysely<any>): Promise<void> {
  try {
    await refuseStandby(db, 'schema changes')
  } catch (error) {
    throw new MigrationFailedError(undefined, error)
  }
}

/** Rejects with a {@link StandbyError} when `db`'s server is a standby: `what` (writes, schema changes) needs the primary. */
export async function refuseStandby(db: Kysely<any>, what: string): Promise<void> {
  const state = await replicationState(db)
  if (!state.standby) return
  throw new StandbyError(
    `${describeStandby(state)}; ${what} run on the primary only, and nothing was changed. ` +
      'Point DATABASE_URL at the primary, or list every host with target_session_attrs=read-write (docs/standbys.md)',
  )
}

/** "127.0.0.1:5433 is a standby (a read-only hot standby replaying its primary); its replay is 2.1 MB behind ...". */
export function describeStandby(state: Extract<ReplicationState, { standby: true }>): string {
  const replay = state.paused
    ? 'its replay is paused (pg_wal_replay_resume() resumes it)'
    : state.replayBehindBytes === null
      ? 'it is not streaming from a primary'
      : state.replayBehindBytes > 0
        ? `its replay is ${formatBytes(state.replayBehindBytes)} behind the WAL it has received`
        : 'it has replayed all the WAL it received'
  const age = state.lastReplayAgeMs === null ? '' : `; the last transaction it replayed committed ${formatAge(state.lastReplayAgeMs)} ago on the primary`
  return `${state.address ?? 'the server'} is a standby (a read-only hot standby replaying its primary); ${replay}${age}`
}

/** Whether a standby is known to be behind: WAL received and not replayed yet, and replay not paused. */
export function isReplaying(state: ReplicationState): boolean {
  return state.standby && !state.paused && (state.replayBehindBytes ?? 0) > 0
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function formatAge(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.round(ms / 60_000)} min`
}
