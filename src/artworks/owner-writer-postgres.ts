/**
 * PostgreSQL (and PGlite): a batch of artwork owners read with one `SELECT … = any($1)` and
 * written with one `UPDATE … FROM unnest(…)`.
 *
 * The batch travels as array parameters, so each statement has a handful of bind parameters
 * whatever the batch size. The write finds each row by the `ctid` the read returned: a TID scan,
 * one heap lookup and no index probe per row (measured in `npm run bench`'s link part, the index
 * probe was the difference from a staging-table join). A row moved since the read (updated by
 * someone else, so at a new `ctid`) is not found there, and the `job_id` and owner checks make
 * sure a slot reused by another row is not written either: the caller then sees fewer rows
 * written than asked and redoes the batch locked. Under `FOR UPDATE` a row cannot move.
 */
import { sql, type Kysely } from 'kysely'
import type { ArtworkOwnerChange, ArtworkOwnerRow, ArtworkOwnerWriter } from './owner-writer.js'

/** For a `user_id` of `userIdType` (a type the catalog named: `text`, `uuid`, `integer`). */
export const postgresArtworkOwners = (userIdType: string): ArtworkOwnerWriter => ({
  async readOwners(db: Kysely<any>, jobIds: readonly string[], lock: boolean): Promise<ArtworkOwnerRow[]> {
    if (jobIds.length === 0) return []
    const { rows } = await sql<ArtworkOwnerRow>`select ctid::text as "row", job_id, user_id::text as user_id from artwork_jobs
      where job_id = any(${[...jobIds]}::text[])${lock ? sql` for update` : sql``}`.execute(db)
    return rows
  },

  async setOwners(db: Kysely<any>, changes: readonly ArtworkOwnerChange[]): Promise<number> {
    if (changes.length === 0) return 0
    const result = await sql`update artwork_jobs as a set user_id = v.user_id::${sql.raw(quoteType(userIdType))}
      from unnest(${changes.map((c) => String(c.row))}::tid[], ${changes.map((c) => c.jobId)}::text[],
                  ${changes.map((c) => c.from)}::text[], ${changes.map((c) => c.userId)}::text[])
        as v("row", job_id, from_user_id, user_id)
      where a.ctid = v."row" and a.job_id = v.job_id and a.user_id::text is not distinct from v.from_user_id`.execute(db)
    return Number(result.numAffectedRows ?? 0n)
  },
})

/** The catalog's type name, kept to what a type name is made of (it is written into the SQL). */
function quoteType(type: string): string {
  if (!/^[a-z][a-z0-9 _()]*$/i.test(type)) throw new Error(`unexpected type of artwork_jobs.user_id: ${type}`)
  return type
}
