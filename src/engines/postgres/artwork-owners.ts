/**
 * PostgreSQL (and PGlite): a batch of artwork owners in one `UPDATE … FROM unnest(…)`.
 *
 * The batch travels as three array parameters (job ids, owners read, new owners), so the
 * statement has three bind parameters whatever the batch size and is parsed and planned once
 * per batch. The join is on `job_id` and the owner read, which PostgreSQL compares byte for
 * byte (its collations here are deterministic), so it writes exactly the rows the caller read
 * that still have that owner; joining on `id` would need the legacy table's id type (bigint,
 * integer, uuid...) spelled in a cast.
 */
import { sql, type Kysely } from 'kysely'
import type { ArtworkOwnerChange, ArtworkOwnerWriter } from '../engine.js'

export const postgresArtworkOwners: ArtworkOwnerWriter = {
  async setOwners(db: Kysely<any>, changes: readonly ArtworkOwnerChange[]): Promise<number> {
    if (changes.length === 0) return 0
    // One entry per (job, owner read): rows of one job that had the same owner get the same write.
    const keyed = new Map(changes.map((c) => [JSON.stringify([c.jobId, c.from]), c]))
    const entries = [...keyed.values()]
    const result = await sql`update artwork_jobs as a set user_id = v.user_id
      from unnest(${entries.map((c) => c.jobId)}::text[], ${entries.map((c) => c.from)}::text[], ${entries.map((c) => c.userId)}::text[])
        as v(job_id, from_user_id, user_id)
      where a.job_id = v.job_id and a.user_id is not distinct from v.from_user_id`.execute(db)
    return Number(result.numAffectedRows ?? 0n)
  },
}
