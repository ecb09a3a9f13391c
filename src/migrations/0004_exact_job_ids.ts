/**
 * `artwork_jobs.job_id` compares byte for byte on every engine, as PostgreSQL compares it.
 *
 * 0002 created `job_id` as `varchar(255)` in the table's `utf8mb4_unicode_ci` on MySQL/MariaDB:
 * under its unique key `JOB-4`, `job-2 ` and `jöb-3` collided with `job-4`, `job-2` and `job-3`,
 * which PostgreSQL keeps apart. This gives it the `exactString` kind: MySQL 8's
 * `utf8mb4_0900_bin`, MariaDB's `utf8mb4_nopad_bin` (binary, trailing spaces count; plain
 * `utf8mb4_bin` pads). Converting to a binary collation only makes values more distinct, so it
 * can create no duplicate and changes no value (checked by the planner, run in strict mode).
 *
 * Only where this module created `artwork_jobs` (its ledger says so). An adopted legacy table is
 * the application's and keeps its collation (`db:verify` warns; `artworks:link` matches job ids
 * exactly either way). On PostgreSQL and PGlite `text` already compares bytes: nothing to do.
 *
 * On MySQL/MariaDB a collation change of an indexed column cannot be made in place: the table
 * is copied (`ALGORITHM=COPY, LOCK=SHARED`), reads go on, writes to `artwork_jobs` wait for it.
 *
 * `down` gives it the table's collation back, where it is still of the new type; if values that
 * are distinct now would collide there, it stops without a change and names one.
 */
import type { Kysely } from 'kysely'
import { defineSchema } from '../model/migration-schema.js'
import { undoKindChanges } from '../ddl/apply.js'

const MIGRATION = '0004_exact_job_ids'

export const schema = defineSchema({
  kindChanges: [{ table: 'artwork_jobs', column: 'job_id', from: 'indexedString', to: 'exactString', nullable: false, createdTablesOnly: true }],
})

export async function down(db: Kysely<any>): Promise<void> {
  await undoKindChanges(db, MIGRATION, schema.kindChanges)
}
