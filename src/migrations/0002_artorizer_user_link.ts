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
import { columnTypes, describeColumnType, plannedKeyColumn, sameType, sameTypeAs, valueFamily } from '../schema/column-types.js'
import { sqlDialectOfDb } from '../schema/dialect.js'
import { findColumn, findOrphan, listForeignKeys, tableEngine, tableExists, tableHasRows, type ColumnInfo } from '../schema/introspect.js'
import {
  ensureForeignKey,
  ensureIndex,
  ensureNullableColumn,
  ensureTable,
  findEquivalentForeignKey,
  undoCreations,
  type ForeignKeySpec,
} from '../schema/online-ddl.js'

const MIGRATION = '0002_artorizer_user_link'

/** The tables that hold a user's artwork data; the first is created when missing. */
const LINKED_TABLES = ['artwork_jobs', 'upload_history'] as const

export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(sqlDialectOfDb(db))
  const userId = await findColumn(db, 'user', 'id')
  if (!userId) throw new SchemaConflictError(['table "user" has no column "id"; run migration 0001_better_auth first'])
  const problems = await findProblems(db, userId)
  if (problems.length > 0) throw new SchemaConflictError(problems)
  const linked = await linkedTables(db)

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
    await ensureForeignKey(db, MIGRATION, foreignKeyOf(table))
  }
}

function foreignKeyOf(table: string): ForeignKeySpec {
  return { table, name: `${table}_user_id_fk`, column: 'user_id', referencedTable: 'user', referencedColumn: 'id' }
}

export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION, async (table, conn) => !(await tableHasRows(conn, table)))
}

/**
 * Every reason the artwork tables cannot be linked to users; empty when they can. Reads only,
 * and works before 0001 has run: `user.id` is then the type 0001 will create.
 */
export async function check(db: Kysely<any>): Promise<string[]> {
  const userId = await findColumn(db, 'user', 'id')
  // A user.id that 0001 refuses (integer ids) says nothing about what user_id should be.
  const adoptable = userId && valueFamily(userId) === 'string'
  return findProblems(db, adoptable ? userId : plannedKeyColumn(sqlDialectOfDb(db)))
}

/** `artwork_jobs` always (it is created when missing), `upload_history` when it exists. */
async function linkedTables(db: Kysely<any>): Promise<string[]> {
  const linked: string[] = []
  for (const table of LINKED_TABLES) {
    if (table === 'artwork_jobs' || (await tableExists(db, table))) linked.push(table)
  }
  return linked
}

/**
 * Legacy tables keep any id type, extra columns and defaults; what they need is a `user_id`
 * that can reference `user.id`: absent (it is added), or already exactly `user.id`'s type with
 * no orphan values, and a storage engine that enforces foreign keys.
 */
async function findProblems(db: Kysely<any>, userId: ColumnInfo): Promise<string[]> {
  const problems: string[] = []
  const userExists = await tableExists(db, 'user')
  for (const table of await linkedTables(db)) {
    if (!(await tableExists(db, table))) continue
    const engine = await tableEngine(db, table)
    if (engine !== null && engine.toLowerCase() !== 'innodb') {
      problems.push(`"${table}" uses the ${engine} engine, which ignores foreign keys: convert it with ALTER TABLE ${table} ENGINE=InnoDB`)
    }
    const existing = await findColumn(db, table, 'user_id')
    if (!existing) continue
    if (!sameType(existing, userId)) {
      problems.push(
        `"${table}"."user_id" exists as ${describeColumnType(existing)} but user.id is ${describeColumnType(userId)}: rename the old column (or give it user.id's exact type)`,
      )
      continue
    }
    const spec = foreignKeyOf(table)
    const equivalent = findEquivalentForeignKey(await listForeignKeys(db, table), spec)
    if (equivalent && equivalent.onDelete !== 'CASCADE') {
      problems.push(`"${table}"."user_id" references "user" through "${equivalent.name}" with ON DELETE ${equivalent.onDelete}: recreate it with ON DELETE CASCADE`)
    } else if (!equivalent) {
      // Without a user table (0001 creates it empty), every non-NULL value is an orphan.
      const orphan = userExists
        ? await findOrphan(db, table, 'user_id', 'user', 'id')
        : (await db.selectFrom(table).select('user_id').where('user_id', 'is not', null).limit(1).executeTakeFirst())?.user_id
      if (orphan !== undefined) {
        problems.push(`"${table}"."user_id" holds ids that no user has (e.g. ${String(orphan)}): set them to NULL or fix them, then run again`)
      }
    }
  }
  return problems
}
