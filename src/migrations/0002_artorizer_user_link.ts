/**
 * Links Artorizer's artworks to users.
 *
 * `artwork_jobs` is created as the seed shows it when it does not exist; an existing one is
 * kept with every row (`legacy`). It (and `upload_history`, when that table exists) gets a
 * nullable `user_id` of exactly `user.id`'s type, an index on it and a named `ON DELETE
 * CASCADE` foreign key to `user.id`, all added online (see `src/engines/<name>/online-ddl.ts`):
 * existing rows stay unowned (NULL) until `artworks:link` assigns them.
 *
 * `down` removes what `up` added. It drops `artwork_jobs` only if this migration created it and
 * it is still empty: a table that holds artworks is never dropped.
 */
import type { Kysely } from 'kysely'
import { tableHasRows } from '../ddl/introspect.js'
import { defineSchema, type AddedColumnModel, type ForeignKeyModel, type IndexModel } from '../model/migration-schema.js'
import { undoCreations } from '../ddl/apply.js'

const MIGRATION = '0002_artorizer_user_link'

/** The tables that hold a user's artwork data; `upload_history` only where it exists. */
const LINKED = [
  { table: 'artwork_jobs', ifTableExists: false },
  { table: 'upload_history', ifTableExists: true },
] as const

export const schema = defineSchema({
  tables: [
    {
      name: 'artwork_jobs',
      adoption: 'legacy',
      columns: [
        { name: 'id', type: 'bigint', nullable: false, primaryKey: true, generated: true },
        { name: 'job_id', type: 'indexedString', nullable: false },
        { name: 'original_url', type: 'text', nullable: false },
        { name: 'protected_url', type: 'text', nullable: true },
        { name: 'status', type: 'shortString', nullable: false, default: { literal: 'pending' } },
        { name: 'created_at', type: 'timestamp', nullable: false, default: { now: true } },
      ],
      uniques: [{ name: 'artwork_jobs_job_id_uidx', columns: ['job_id'] }],
    },
  ],
  columns: LINKED.map(
    ({ table, ifTableExists }): AddedColumnModel => ({
      table,
      column: { name: 'user_id', type: { sameAs: { table: 'user', column: 'id' } }, nullable: true },
      ifTableExists,
    }),
  ),
  indexes: LINKED.map(({ table, ifTableExists }): IndexModel => ({ table, name: `${table}_user_id_idx`, columns: ['user_id'], ifTableExists })),
  foreignKeys: LINKED.map(
    ({ table, ifTableExists }): ForeignKeyModel => ({
      table,
      name: `${table}_user_id_fk`,
      column: 'user_id',
      references: { table: 'user', column: 'id' },
      onDelete: 'cascade',
      ifTableExists,
    }),
  ),
})

export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION, async (table, conn) => !(await tableHasRows(conn, table)))
}
