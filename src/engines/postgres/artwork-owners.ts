/**
 * PostgreSQL (and PGlite): a batch of artwork owners in one `UPDATE … FROM unnest(…)`.
 *
 * The batch travels as two array parameters (job ids, user ids), so the statement has two
 * bind parameters whatever the batch size, and PostgreSQL parses and plans it once per batch.
 * The join is on `job_id`, which PostgreSQL compares byte for byte (its collations here are
 * deterministic), so it matches exactly the rows the caller read; joining on `id` would need
 * the legacy table's id type spelled in a cast.
 */
import { sql, type Kysely } from 'kysely'
import type { ArtworkOwnerChange, ArtworkOwnerWriter } from '../engine.js'

export const postgresArtworkOwners: ArtworkOwnerWriter = {
  async setOwners(db: Kysely<any>, changes: readonly ArtworkOwnerChange[]): Promise<void> {
    if (changes.length === 0) return
    // One entry per job: a job's rows all get the same owner.
    const byJob = new Map(changes.map((c) => [c.jobId, c.userId]))
    await sql`update artwork_jobs as a set user_id = v.user_id
      from unnest(${[...byJob.keys()]}::text[], ${[...byJob.values()]}::text[]) as v(job_id, user_id)
      where a.job_id = v.job_id and a.user_id is distinct from v.user_id`.execute(db)
  },
}
