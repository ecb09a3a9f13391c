/**
 * Read-only questions about the live schema, answered from the catalog of each engine
 * (`pg_catalog` on PostgreSQL, `information_schema` on MySQL/MariaDB) for the current schema
 * or database only. Kysely's own introspector lists tables and columns but not indexes or
 * foreign keys, which adoption and `down` need.
 */
import { sql, type Kysely } from 'kysely'
import { sqlDialectOfDb } from './dialect.js'
import { currentPlan } from './plan.js'

export interface ColumnInfo {
  readonly name: string
  /** The full type as the server prints it: `text`, `varchar(255)`, `timestamp with time zone`. */
  readonly type: string
  /** The base type name in lower case: `text`, `varchar`, `timestamptz`, `datetime`. */
  readonly baseType: string
  readonly nullable: boolean
  /** MySQL only: the column's character set and collation, when it has them. */
  readonly charset: string | null
  readonly collation: string | null
}

export interface IndexInfo {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  readonly primary: boolean
  /** False for a PostgreSQL index left INVALID by an interrupted concurrent build. */
  readonly valid: boolean
  /** A partial, expression or prefix index: it cannot stand in for a plain one. */
  readonly partial: boolean
}

export interface ForeignKeyInfo {
  readonly name: string
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  /** `CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION` or `SET DEFAULT`. */
  readonly onDelete: string
  /** False for a PostgreSQL constraint added `NOT VALID` and not validated yet. */
  readonly validated: boolean
}

export async function tableExists(db: Kysely<any>, table: string): Promise<boolean> {
  if (currentPlan()?.createdTable(table)) return true
  const query =
    sqlDialectOfDb(db) === 'mysql'
      ? sql`select 1 as found from information_schema.tables where table_schema = database() and table_name = ${table}`
      : sql`select 1 as found from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relname = ${table} and c.relkind in ('r', 'p')`
  const { rows } = await query.execute(db)
  return rows.length > 0
}

async function liveListColumns(db: Kysely<any>, table: string): Promise<ColumnInfo[]> {
  if (sqlDialectOfDb(db) === 'mysql') {
    const { rows } = await sql<{ name: string; type: string; base: string; nullable: string; charset: string | null; collation: string | null }>`
      select column_name as name, column_type as type, data_type as base, is_nullable as nullable,
             character_set_name as charset, collation_name as collation
      from information_schema.columns
      where table_schema = database() and table_name = ${table}
      order by ordinal_position`.execute(db)
    return rows.map((r) => ({
      name: r.name,
      type: String(r.type).toLowerCase(),
      baseType: String(r.base).toLowerCase(),
      nullable: r.nullable === 'YES',
      charset: r.charset,
      collation: r.collation,
    }))
  }
  const { rows } = await sql<{ name: string; type: string; base: string; nullable: boolean }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, t.typname as base,
           not a.attnotnull as nullable
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    where n.nspname = current_schema() and c.relname = ${table} and a.attnum > 0 and not a.attisdropped
    order by a.attnum`.execute(db)
  return rows.map((r) => ({ name: r.name, type: r.type, baseType: r.base, nullable: r.nullable, charset: null, collation: null }))
}

/** The columns of a table, in order (plus those a plan being made would add). */
export async function listColumns(db: Kysely<any>, table: string): Promise<ColumnInfo[]> {
  return [...(await liveListColumns(db, table)), ...(currentPlan()?.columnsOf(table) ?? [])]
}

/** The indexes of a table (plus those a plan being made would create). */
export async function listIndexes(db: Kysely<any>, table: string): Promise<IndexInfo[]> {
  return [...(await liveListIndexes(db, table)), ...(currentPlan()?.indexesOf(table) ?? [])]
}

/** The foreign keys of a table (plus those a plan being made would add). */
export async function listForeignKeys(db: Kysely<any>, table: string): Promise<ForeignKeyInfo[]> {
  return [...(await liveListForeignKeys(db, table)), ...(currentPlan()?.foreignKeysOf(table) ?? [])]
}

export async function findColumn(db: Kysely<any>, table: string, column: string): Promise<ColumnInfo | undefined> {
  return (await listColumns(db, table)).find((c) => c.name === column)
}

async function liveListIndexes(db: Kysely<any>, table: string): Promise<IndexInfo[]> {
  if (sqlDialectOfDb(db) === 'mysql') {
    const { rows } = await sql<{ name: string; column: string | null; nonUnique: number | string; subPart: number | null }>`
      select index_name as name, column_name as ${sql.ref('column')}, non_unique as nonUnique, sub_part as subPart
      from information_schema.statistics
      where table_schema = database() and table_name = ${table}
      order by index_name, seq_in_index`.execute(db)
    const byName = new Map<string, { -readonly [K in keyof IndexInfo]: IndexInfo[K] } & { columns: string[] }>()
    for (const row of rows) {
      const index = byName.get(row.name) ?? {
        name: row.name,
        columns: [],
        unique: Number(row.nonUnique) === 0,
        primary: row.name === 'PRIMARY',
        valid: true,
        partial: false,
      }
      if (row.column === null || row.subPart !== null) index.partial = true
      if (row.column !== null) index.columns.push(row.column)
      byName.set(row.name, index)
    }
    return [...byName.values()]
  }
  const { rows } = await sql<{ name: string; columns: string[] | string; unique: boolean; primary: boolean; valid: boolean; partial: boolean }>`
    select i.relname as name, ix.indisunique as unique, ix.indisprimary as primary, ix.indisvalid as valid,
           (ix.indpred is not null or ix.indexprs is not null) as partial,
           coalesce((select json_agg(a.attname order by k.ord)
                     from unnest(ix.indkey) with ordinality k(attnum, ord)
                     join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum), '[]'::json) as columns
    from pg_index ix
    join pg_class t on t.oid = ix.indrelid
    join pg_class i on i.oid = ix.indexrelid
    join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = current_schema() and t.relname = ${table}`.execute(db)
  return rows.map((r) => ({ ...r, columns: parseJsonArray(r.columns) }))
}

async function liveListForeignKeys(db: Kysely<any>, table: string): Promise<ForeignKeyInfo[]> {
  if (sqlDialectOfDb(db) === 'mysql') {
    const { rows } = await sql<{ name: string; column: string; refTable: string; refColumn: string; onDelete: string }>`
      select k.constraint_name as name, k.column_name as ${sql.ref('column')},
             k.referenced_table_name as refTable, k.referenced_column_name as refColumn, r.delete_rule as onDelete
      from information_schema.key_column_usage k
      join information_schema.referential_constraints r
        on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name and r.table_name = k.table_name
      where k.table_schema = database() and k.table_name = ${table} and k.referenced_table_name is not null
      order by k.constraint_name, k.ordinal_position`.execute(db)
    const byName = new Map<string, ForeignKeyInfo & { columns: string[]; referencedColumns: string[] }>()
    for (const row of rows) {
      const fk = byName.get(row.name) ?? {
        name: row.name,
        columns: [],
        referencedTable: row.refTable,
        referencedColumns: [],
        onDelete: row.onDelete,
        validated: true,
      }
      fk.columns.push(row.column)
      fk.referencedColumns.push(row.refColumn)
      byName.set(row.name, fk)
    }
    return [...byName.values()]
  }
  const { rows } = await sql<{ name: string; columns: string[] | string; refTable: string; refColumns: string[] | string; action: string; validated: boolean }>`
    select con.conname as name, rt.relname as "refTable", con.confdeltype as action, con.convalidated as validated,
           (select json_agg(a.attname order by k.ord) from unnest(con.conkey) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) as columns,
           (select json_agg(a.attname order by k.ord) from unnest(con.confkey) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum) as "refColumns"
    from pg_constraint con
    join pg_class t on t.oid = con.conrelid
    join pg_namespace n on n.oid = t.relnamespace
    join pg_class rt on rt.oid = con.confrelid
    where con.contype = 'f' and n.nspname = current_schema() and t.relname = ${table}`.execute(db)
  return rows.map((r) => ({
    name: r.name,
    columns: parseJsonArray(r.columns),
    referencedTable: r.refTable,
    referencedColumns: parseJsonArray(r.refColumns),
    onDelete: PG_DELETE_ACTIONS[r.action] ?? r.action,
    validated: r.validated,
  }))
}

/** Whether a table has at least one row (reads one row, never counts). */
export async function tableHasRows(db: Kysely<any>, table: string): Promise<boolean> {
  if (currentPlan()?.createdTable(table)) return false
  const rows = await db.selectFrom(table).select(sql`1`.as('present')).limit(1).execute()
  return rows.length > 0
}

const PG_DELETE_ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
}

function parseJsonArray(value: string[] | string | null): string[] {
  if (value === null) return []
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : value
}

/**
 * The foreign keys of other tables (or this one) that reference `table`: a column they point at
 * cannot change type on MySQL without changing theirs in the same breath.
 */
export async function listReferencingForeignKeys(db: Kysely<any>, table: string): Promise<(ForeignKeyInfo & { readonly table: string })[]> {
  if (sqlDialectOfDb(db) === 'mysql') {
    const { rows } = await sql<{ table: string }>`
      select distinct table_name as ${sql.ref('table')} from information_schema.key_column_usage
      where table_schema = database() and referenced_table_schema = database() and referenced_table_name = ${table}`.execute(db)
    return listForeignKeysOf(db, rows.map((r) => r.table), table)
  }
  const { rows } = await sql<{ table: string }>`
    select distinct t.relname as "table" from pg_constraint con
    join pg_class t on t.oid = con.conrelid
    join pg_class rt on rt.oid = con.confrelid
    join pg_namespace n on n.oid = rt.relnamespace
    where con.contype = 'f' and n.nspname = current_schema() and rt.relname = ${table}`.execute(db)
  return listForeignKeysOf(db, rows.map((r) => r.table), table)
}

async function listForeignKeysOf(db: Kysely<any>, tables: readonly string[], referencedTable: string): Promise<(ForeignKeyInfo & { readonly table: string })[]> {
  const found: (ForeignKeyInfo & { table: string })[] = []
  for (const table of tables) {
    for (const fk of await listForeignKeys(db, table)) if (fk.referencedTable === referencedTable) found.push({ ...fk, table })
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

/** MySQL only: a table's storage engine (`InnoDB`, `MyISAM`...); null on PostgreSQL. */
export async function tableEngine(db: Kysely<any>, table: string): Promise<string | null> {
  return (await tableStorage(db, table))?.engine ?? null
}

/** The tables (not views) of the current schema or database, by name. */
export async function listTables(db: Kysely<any>): Promise<string[]> {
  const query =
    sqlDialectOfDb(db) === 'mysql'
      ? sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = database() and table_type = 'BASE TABLE'`
      : sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = current_schema() and c.relkind in ('r', 'p')`
  return (await query.execute(db)).rows.map((r) => r.name).sort()
}

/** What a column gets when an insert leaves it out. */
export interface ColumnDefaultInfo {
  readonly name: string
  /**
   * The default as SQL, as the server prints it (`CURRENT_TIMESTAMP`, `'pending'::text`,
   * `current_timestamp(3)`), or null when there is none. MariaDB quotes string literals;
   * MySQL 8 prints them bare.
   */
  readonly default: string | null
  /** How the server generates the value: `identity (by default)`, `identity (always)` or `auto_increment`. */
  readonly generated: string | null
}

/**
 * Each column's default, in column order. Separate from {@link listColumns} so that
 * `ColumnInfo`, which the migrations compare and copy, stays as it is.
 */
export async function listColumnDefaults(db: Kysely<any>, table: string): Promise<ColumnDefaultInfo[]> {
  if (sqlDialectOfDb(db) === 'mysql') {
    const { rows } = await sql<{ name: string; value: string | null; extra: string | null }>`
      select column_name as name, column_default as value, extra as extra
      from information_schema.columns
      where table_schema = database() and table_name = ${table}
      order by ordinal_position`.execute(db)
    return rows.map((r) => ({
      name: r.name,
      // MariaDB prints "no default" on a nullable column as the word NULL.
      default: r.value === null || r.value === 'NULL' ? null : r.value,
      generated: /auto_increment/i.test(r.extra ?? '') ? 'auto_increment' : null,
    }))
  }
  const { rows } = await sql<{ name: string; value: string | null; identity: string }>`
    select a.attname as name, pg_get_expr(d.adbin, d.adrelid) as value, a.attidentity as identity
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = current_schema() and c.relname = ${table} and a.attnum > 0 and not a.attisdropped
    order by a.attnum`.execute(db)
  return rows.map((r) => ({
    name: r.name,
    default: r.value,
    generated: r.identity === 'd' ? 'identity (by default)' : r.identity === 'a' ? 'identity (always)' : null,
  }))
}

/**
 * MySQL only: a table's storage engine and default collation (undefined on PostgreSQL). Every
 * column is aliased: MySQL 8 labels `information_schema` columns in upper case otherwise.
 */
export async function tableStorage(db: Kysely<any>, table: string): Promise<{ engine: string; collation: string } | undefined> {
  if (sqlDialectOfDb(db) !== 'mysql') return undefined
  const { rows } = await sql<{ engine: string; collation: string }>`
    select engine as engine, table_collation as collation from information_schema.tables
    where table_schema = database() and table_name = ${table}`.execute(db)
  return rows[0]
}

/** The server's version string, e.g. `15.8` or `10.11.6-MariaDB-0+deb12u1` (PGlite reports its PostgreSQL). */
export async function serverVersion(db: Kysely<any>): Promise<string> {
  const query =
    sqlDialectOfDb(db) === 'mysql' ? sql<{ version: string }>`select version() as version` : sql<{ version: string }>`show server_version`
  const { rows } = await query.execute(db)
  const row = rows[0] as Record<string, string> | undefined
  return row?.version ?? row?.server_version ?? ''
}
