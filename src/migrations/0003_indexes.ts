/**
 * Indexes for the queries Better Auth and router-backend run most: an OAuth account by
 * provider and account id, a verification by identifier, and a user's artworks newest first.
 * Built online (see `schema/online-ddl.ts`), since `artwork_jobs` may hold millions of rows.
 * Indexes that keys need (`user.email`, `session.token`, the `userId` columns) come with their
 * keys in 0001 and 0002.
 *
 * Better Auth's own MySQL tables have `account.accountId` and `providerId` as `text`, which
 * MySQL cannot index whole: such a column becomes `varchar(255)` (same character set and
 * collation) first, when every value fits; otherwise the run stops before any change.
 */
import type { Kysely } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import { INDEXABLE_STRING_LENGTH, boundedStringType, needsBoundForIndex } from '../schema/column-types.js'
import { sqlDialectOfDb } from '../schema/dialect.js'
import { findColumn, listIndexes, longestValue, tableExists, type ColumnInfo } from '../schema/introspect.js'
import { changeColumnType, ensureIndex, servesAs, undoCreations, type IndexSpec } from '../schema/online-ddl.js'

const MIGRATION = '0003_indexes'

const INDEXES: readonly IndexSpec[] = [
  { table: 'account', name: 'account_providerId_accountId_idx', columns: ['providerId', 'accountId'] },
  { table: 'verification', name: 'verification_identifier_idx', columns: ['identifier'] },
  { table: 'artwork_jobs', name: 'artwork_jobs_user_id_created_at_idx', columns: ['user_id', 'created_at'] },
]

export async function up(db: Kysely<any>): Promise<void> {
  const { problems, toBound } = await plan(db)
  if (problems.length > 0) throw new SchemaConflictError(problems)
  for (const column of toBound) {
    await changeColumnType(db, { table: column.table, column: column.name, type: boundedStringType(column), nullable: column.nullable })
  }
  for (const index of INDEXES) {
    // A legacy artwork_jobs without created_at keeps only its user_id index; db:verify reports it.
    const columnsExist = await Promise.all(index.columns.map((c) => findColumn(db, index.table, c)))
    if (columnsExist.every(Boolean)) await ensureIndex(db, MIGRATION, index)
  }
}

/** Removes the indexes `up` created; a column it bounded to `varchar(255)` stays so. */
export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION)
}

/** Every reason an index cannot be built on the existing tables; reads only. */
export async function check(db: Kysely<any>): Promise<string[]> {
  return (await plan(db)).problems
}

/**
 * The unbounded string columns that must become `varchar(255)` before their index can be
 * built, and the ones that cannot because a value is longer. Tables that do not exist yet are
 * created by earlier migrations in the target shape, and need nothing.
 */
async function plan(db: Kysely<any>): Promise<{ problems: string[]; toBound: (ColumnInfo & { table: string })[] }> {
  const dialect = sqlDialectOfDb(db)
  const problems: string[] = []
  const toBound: (ColumnInfo & { table: string })[] = []
  for (const index of INDEXES) {
    if (!(await tableExists(db, index.table))) continue
    if ((await listIndexes(db, index.table)).some((existing) => existing.name === index.name || servesAs(existing, index))) continue
    for (const name of index.columns) {
      const column = await findColumn(db, index.table, name)
      if (!column || !needsBoundForIndex(dialect, column)) continue
      const longest = await longestValue(db, index.table, name)
      if (longest > INDEXABLE_STRING_LENGTH) {
        problems.push(
          `"${index.table}"."${name}" is ${column.type} and holds a value of ${longest} characters, so it cannot become varchar(${INDEXABLE_STRING_LENGTH}) for index ${index.name}: shorten or remove that value`,
        )
      } else toBound.push({ ...column, table: index.table })
    }
  }
  return { problems, toBound }
}
