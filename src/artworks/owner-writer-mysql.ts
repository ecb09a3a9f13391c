/**
 * MySQL 8 and MariaDB: a batch of artwork owners in one multi-table `UPDATE … JOIN`.
 *
 * The batch is read with one `SELECT … WHERE job_id IN (…)` (by the `job_id` index) and written
 * with one statement. The batch's values are a derived table of `SELECT ?, ?, ? UNION ALL SELECT ?, ?, ? …`: MySQL
 * 8's `VALUES ROW(…)` does not parse on MariaDB and MariaDB's bare `VALUES (…)` not on MySQL, and
 * a temporary staging table costs more statements per batch (and is refused under some
 * replication setups). The join is on the primary key `id` as the caller read it, not on
 * `job_id`: under a `_ci` collation `job_id = 'JOB-1'` would also match `job-1`. `STRAIGHT_JOIN`
 * makes the server read the derived table first and look each row up by primary key, so only
 * the batch's rows are touched and locked; `<=>` (NULL-safe equality) writes a row only while it
 * still has the owner read.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { ArtworkOwnerChange, ArtworkOwnerRow, ArtworkOwnerWriter } from './owner-writer.js'

export const mysqlArtworkOwners: ArtworkOwnerWriter = {
  async readOwners(db: Kysely<any>, jobIds: readonly string[], lock: boolean): Promise<ArtworkOwnerRow[]> {
    if (jobIds.length === 0) return []
    const read = db.selectFrom('artwork_jobs').select(['id as row', 'job_id', 'user_id']).where('job_id', 'in', [...jobIds])
    return (await (lock ? read.forUpdate() : read).execute()) as ArtworkOwnerRow[]
  },

  async setOwners(db: Kysely<any>, changes: readonly ArtworkOwnerChange[]): Promise<number> {
    if (changes.length === 0) return 0
    const rows: RawBuilder<unknown>[] = changes.map((c, i) =>
      i === 0 ? sql`select ${c.row} as id, ${c.from} as from_user_id, ${c.userId} as user_id` : sql`select ${c.row}, ${c.from}, ${c.userId}`,
    )
    const result = await sql`update (${sql.join(rows, sql` union all `)}) as v
      straight_join artwork_jobs as a on a.id = v.id
      set a.user_id = v.user_id
      where a.user_id <=> v.from_user_id`.execute(db)
    return Number(result.numAffectedRows ?? 0n)
  },
}
