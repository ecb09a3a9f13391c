/**
 * Links Artorizer's artworks to users.
 *
 * `artwork_jobs` is created as the seed shows it when it does not exist; an existing one is
 * kept with every row. It (and `upload_history`, when that table exists) gets a nullable
 * `user_id` of exactly `user.id`'s type, an index on it and a named `ON DELETE CASCADE` foreign
 * key to `user.id`, all added online (see `schema/online-ddl.ts`): existing rows stay unowned
 * (NULL) until `artworks:link` assigns them.
 *
 * `down` removes what `up` added. It drops `artwork_jobs` only if this migration created it and
 * it is still empty: a table that holds artworks is never dropped.
 */
import type { Kysely } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import { columnTypes, sameType, sameTypeAs } from '../schema/column-types.js'
import { sqlDialectOfDb } from '../schema/dialect.js'
import { findColumn, tableExists, tableHasRows } from '../schema/introspect.js'
import { ensureForeignKey, ensureIndex, ensureNullableColumn, ensureTable, undoCreations } from '../schema/online-ddl.js'

const MIGRATION = '0002_artorizer_user_link'

/** The tables that hold a user's artwork data; the first is created when missing. */
const LINKED_TABLES = ['artwork_jobs', 'upload_history'] as const

export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(sqlDialectOfDb(db))
  const userId = await findColumn(db, 'user', 'id')
  if (!userId) throw new SchemaConflictError(['table "user" has no column "id"; run migration 0001_better_auth first'])

  const linked: string[] = []
  for (const table of LINKED_TABLES) {
    if (table === 'artwork_jobs' || (await tableExists(db, table))) linked.push(table)
  }
  const problems: string[] = []
  for (const table of linked) {
    const existing = (await tableExists(db, table)) ? await findColumn(db, table, 'user_id') : undefined
    if (existing && !sameType(existing, userId)) {
      problems.push(`${table}.user_id exists as ${describeType(existing)} but user.id is ${describeType(userId)}; rename the old column`)
    }
  }
  if (problems.length > 0) throw new SchemaConflictError(problems)

  await ensureTable(db, MIGRATION, 'artwork_jobs', (db) =>
    types.tableOptions(
      db.schema
        .createTable('artwork_jobs')
        .ifNotExists()
        .addColumn('id', types.bigint, (col) => types.generated(col.primaryKey()))
        .addColumn('job_id', types.indexedString, (col) => col.notNull())
        .addColumn('original_url', types.text, (col) => col.notNull())
        .addColumn('protected_url', types.text)
        .addColumn('status', types.shortString, (col) => col.notNull().defaultTo('pending'))
        .addColumn('created_at', types.timestamp, (col) => col.notNull().defaultTo(types.now))
        .addUniqueConstraint('artwork_jobs_job_id_uidx', ['job_id']),
    ),
  )

  for (const table of linked) {
    await ensureNullableColumn(db, MIGRATION, { table, column: 'user_id', type: sameTypeAs(userId) })
    await ensureIndex(db, MIGRATION, { table, name: `${table}_user_id_idx`, columns: ['user_id'] })
    await ensureForeignKey(db, MIGRATION, {
      table,
      name: `${table}_user_id_fk`,
      column: 'user_id',
      referencedTable: 'user',
      referencedColumn: 'id',
    })
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION, async (table, conn) => !(await tableHasRows(conn, table)))
}

function describeType(column: { type: string; collation: string | null }): string {
  return column.collation ? `${column.type} collate ${column.collation}` : column.type
}
