/**
 * Read-only questions about the live schema, for the current schema or database only: each
 * asks the engine of `db` (`src/engines/<name>/catalog.ts`), plus a few data questions that
 * adoption asks (does a table have rows, a duplicate, an orphan, the longest value).
 */
import { sql, type Kysely } from 'kysely'
import { engineOf } from '../engines/index.js'
import type { ColumnDefaultInfo } from '../engines/engine.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'

export type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'
export type { ColumnDefaultInfo } from '../engines/engine.js'

export function tableExists(db: Kysely<any>, table: string): Promise<boolean> {
  return engineOf(db).catalog.tableExists(db, table)
}

/** The columns of a table, in order. */
export function listColumns(db: Kysely<any>, table: string): Promise<ColumnInfo[]> {
  return engineOf(db).catalog.listColumns(db, table)
}

/** The indexes of a table. */
export function listIndexes(db: Kysely<any>, table: string): Promise<IndexInfo[]> {
  return engineOf(db).catalog.listIndexes(db, table)
}

/** The foreign keys of a table. */
export function listForeignKeys(db: Kysely<any>, table: string): Promise<ForeignKeyInfo[]> {
  return engineOf(db).catalog.listForeignKeys(db, table)
}

export async function findColumn(db: Kysely<any>, table: string, column: string): Promise<ColumnInfo | undefined> {
  return (await listColumns(db, table)).find((c) => c.name === column)
}

/** The tables (not views) of the current schema or database, by name. */
export function listTables(db: Kysely<any>): Promise<string[]> {
  return engineOf(db).catalog.listTables(db)
}

/**
 * Each column's default, in column order. Separate from {@link listColumns} so that
 * `ColumnInfo`, which the migrations compare and copy, stays as it is.
 */
export function listColumnDefaults(db: Kysely<any>, table: string): Promise<ColumnDefaultInfo[]> {
  return engineOf(db).catalog.listColumnDefaults(db, table)
}

/** MySQL only: a table's storage engine and default collation (undefined on PostgreSQL). */
export function tableStorage(db: Kysely<any>, table: string): Promise<{ engine: string; collation: string } | undefined> {
  return engineOf(db).catalog.tableStorage(db, table)
}

/** The server's version string, e.g. `15.8` or `10.11.6-MariaDB-0+deb12u1` (PGlite reports its PostgreSQL). */
export function serverVersion(db: Kysely<any>): Promise<string> {
  return engineOf(db).catalog.serverVersion(db)
}

/** Whether a table has at least one row (reads one row, never counts). */
export async function tableHasRows(db: Kysely<any>, table: string): Promise<boolean> {
  const rows = await db.selectFrom(table).select(sql`1`.as('present')).limit(1).execute()
  return rows.length > 0
}

/**
 * The foreign keys of other tables (or this one) that reference `table`: a column they point at
 * cannot change type on MySQL without changing theirs in the same breath.
 */
export async function listReferencingForeignKeys(db: Kysely<any>, table: string): Promise<(ForeignKeyInfo & { readonly table: string })[]> {
  const found: (ForeignKeyInfo & { table: string })[] = []
  for (const referencing of await engineOf(db).catalog.listReferencingTables(db, table)) {
    for (const fk of await listForeignKeys(db, referencing)) if (fk.referencedTable === table) found.push({ ...fk, table: referencing })
  }
  return found
}

/** The length in characters of the longest value in a column (0 when the table is empty). */
export async function longestValue(db: Kysely<any>, table: string, column: string): Promise<number> {
  const { rows } = await sql<{ longest: number | string | null }>`
    select max(char_length(${sql.ref(column)})) as longest from ${sql.table(table)}`.execute(db)
  return Number(rows[0]?.longest ?? 0)
}

/** One value that occurs more than once in `columns` (NULLs aside), or undefined. */
export async function findDuplicate(db: Kysely<any>, table: string, columns: readonly string[]): Promise<string | undefined> {
  const refs = sql.join(columns.map((c) => sql.ref(c)))
  const notNull = sql.join(columns.map((c) => sql`${sql.ref(c)} is not null`), sql` and `)
  const { rows } = await sql<Record<string, unknown>>`
    select ${refs} from ${sql.table(table)} where ${notNull} group by ${refs} having count(*) > 1 limit 1`.execute(db)
  return rows[0] ? Object.values(rows[0]).map(String).join(', ') : undefined
}

/**
 * One value of `table.column` that has no match in `referencedTable.referencedColumn`, or
 * undefined: a foreign key cannot be added while one exists.
 */
export async function findOrphan(
  db: Kysely<any>,
  table: string,
  column: string,
  referencedTable: string,
  referencedColumn: string,
): Promise<string | undefined> {
  const { rows } = await sql<{ orphan: unknown }>`
    select child.${sql.ref(column)} as orphan from ${sql.table(table)} child
    left join ${sql.table(referencedTable)} parent on parent.${sql.ref(referencedColumn)} = child.${sql.ref(column)}
    where child.${sql.ref(column)} is not null and parent.${sql.ref(referencedColumn)} is null limit 1`.execute(db)
  return rows[0] ? String(rows[0].orphan) : undefined
}

/** One non-NULL value of `table.column`, or undefined. */
export async function findValue(db: Kysely<any>, table: string, column: string): Promise<string | undefined> {
  const row = await db.selectFrom(table).select(sql.ref(column).as('value')).where(column, 'is not', null).limit(1).executeTakeFirst()
  return row ? String((row as { value: unknown }).value) : undefined
}
