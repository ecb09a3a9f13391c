/**
 * How `artworks:link` reads and writes the owners of artworks in bulk: one statement each per
 * batch, written for each engine in a file of its own (`owner-writer-postgres.ts`,
 * `owner-writer-mysql.ts`). Artorizer's own SQL lives here, with its feature, not in the engines.
 */
import type { Kysely } from 'kysely'
import type { SqlDialect } from '../database-url/url.js'
import { mysqlArtworkOwners } from './owner-writer-mysql.js'
import { postgresArtworkOwners } from './owner-writer-postgres.js'

/** An `artwork_jobs` row as `artworks:link` reads it. */
export interface ArtworkOwnerRow {
  /**
   * Where the row is, the engine's way, handed back to {@link ArtworkOwnerWriter.setOwners}:
   * PostgreSQL's `ctid` (a direct heap lookup, no index probe), MySQL's primary key.
   */
  readonly row: string | number
  readonly job_id: string
  readonly user_id: string | null
}

/** One artwork row whose owner a batch of `artworks:link` sets. */
export interface ArtworkOwnerChange {
  /** {@link ArtworkOwnerRow.row} as read. */
  readonly row: string | number
  readonly jobId: string
  /** The owner the caller read (null: none); the row is written only if it still has it. */
  readonly from: string | null
  readonly userId: string
}

/** How the engine reads and writes owners of artworks in bulk, one statement each per batch. */
export interface ArtworkOwnerWriter {
  /**
   * The rows of these job ids (compared as the column's collation does: the caller keeps exact
   * matches only), read `FOR UPDATE` when `lock` is set.
   */
  readOwners(db: Kysely<any>, jobIds: readonly string[], lock: boolean): Promise<ArtworkOwnerRow[]>
  /**
   * Sets `artwork_jobs.user_id` for every change in ONE set-based statement, an `UPDATE` joined
   * against the batch's values, touching (and locking) only those rows, and each only while it
   * is still the row read (same job id) with the owner read (`from`): a row changed since is
   * left as it is. Runs in the caller's transaction, after {@link readOwners} in it.
   *
   * @returns how many rows it wrote; fewer than `changes.length` means some row changed since
   *   it was read, and the caller rolls back and retries under `FOR UPDATE`.
   */
  setOwners(db: Kysely<any>, changes: readonly ArtworkOwnerChange[]): Promise<number>
}

/**
 * The writer for an engine that speaks `dialect` (PGlite speaks PostgreSQL's), for a `user_id`
 * of `userIdType` (`text`, `uuid`, `integer`: the user ids the options make), which PostgreSQL
 * needs to cast the batch's values to. Owners are read and compared as text.
 */
export function artworkOwnerWriter(dialect: SqlDialect, userIdType = 'text'): ArtworkOwnerWriter {
  return dialect === 'postgres' ? postgresArtworkOwners(userIdType) : mysqlArtworkOwners
}
