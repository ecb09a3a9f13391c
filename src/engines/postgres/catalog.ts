/**
 * PostgreSQL's catalog, read from `pg_catalog` for the current schema. Kysely's own
 * introspector lists tables and columns but not indexes or foreign keys, which adoption,
 * `down` and `db:verify` need.
 */
import { sql, type Kysely } from 'kysely'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../../model/catalog-info.js'
import type { CatalogReader, ColumnDefaultInfo } from '../engine.js'
import { postgresIndexBuildProgress } from './index-progress.js'
import { sessionIsPinned } from './pinned-session.js'

const DELETE_ACTIONS: Record<string, string> = {
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

export const postgresCatalog: CatalogReader = {
  /** Views and materialized views whose rules depend on the table (or the column): `drop` refuses while they exist. */
  async listViewsUsing(db, table, column) {
    const { rows } = await sql<{ name: string }>`
    select distinct v.relname as name
    from pg_depend d
    join pg_rewrite r on r.oid = d.objid
    join pg_class v on v.oid = r.ev_class
    join pg_class t on t.oid = d.refobjid
    join pg_namespace n on n.oid = t.relnamespace
    where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
      and n.nspname = current_schema() and t.relname = ${table} and v.oid <> t.oid
      ${column === undefined ? sql`` : sql`and d.refobjsubid = (select a.attnum from pg_attribute a where a.attrelid = t.oid and a.attname = ${column})`}`.execute(db)
    return rows.map((r) => r.name).sort()
  },

  async tableExists(db, table) {
    const { rows } = await sql`select 1 as found from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relname = ${table} and c.relkind in ('r', 'p')`.execute(db)
    return rows.length > 0
  },

  async viewExists(db, view) {
    const { rows } = await sql`select 1 as found from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relname = ${view} and c.relkind = 'v'`.execute(db)
    return rows.length > 0
  },

  async listTables(db) {
    const { rows } = await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = current_schema() and c.relkind in ('r', 'p')`.execute(db)
    return rows.map((r) => r.name).sort()
  },

  async listColumns(db, table) {
    const { rows } = await sql<{ name: string; type: string; base: string; nullable: boolean }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, t.typname as base,
           not a.attnotnull as nullable
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    where n.nspname = current_schema() and c.relname = ${table} and a.attnum > 0 and not a.attisdropped
    order by a.attnum`.execute(db)
    return rows.map((r): ColumnInfo => ({ name: r.name, type: r.type, baseType: r.base, nullable: r.nullable, charset: null, collation: null }))
  },

  async listIndexes(db, table) {
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
    return rows.map((r): IndexInfo => ({ ...r, columns: parseJsonArray(r.columns) }))
  },

  async listForeignKeys(db, table) {
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
    return rows.map(
      (r): ForeignKeyInfo => ({
        name: r.name,
        columns: parseJsonArray(r.columns),
        referencedTable: r.refTable,
        referencedColumns: parseJsonArray(r.refColumns),
        onDelete: DELETE_ACTIONS[r.action] ?? r.action,
        validated: r.validated,
      }),
    )
  },

  async listReferencingTables(db, table) {
    const { rows } = await sql<{ table: string }>`
    select distinct t.relname as "table" from pg_constraint con
    join pg_class t on t.oid = con.conrelid
    join pg_class rt on rt.oid = con.confrelid
    join pg_namespace n on n.oid = rt.relnamespace
    where con.contype = 'f' and n.nspname = current_schema() and rt.relname = ${table}`.execute(db)
    return rows.map((r) => r.table)
  },

  async listColumnDefaults(db, table) {
    const { rows } = await sql<{ name: string; value: string | null; identity: string }>`
    select a.attname as name, pg_get_expr(d.adbin, d.adrelid) as value, a.attidentity as identity
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = current_schema() and c.relname = ${table} and a.attnum > 0 and not a.attisdropped
    order by a.attnum`.execute(db)
    return rows.map(
      (r): ColumnDefaultInfo => ({
        name: r.name,
        default: r.value,
        generated: r.identity === 'd' ? 'identity (by default)' : r.identity === 'a' ? 'identity (always)' : null,
      }),
    )
  },

  async tableStorage() {
    return undefined
  },

  async serverVersion(db) {
    const { rows } = await sql<{ server_version: string }>`show server_version`.execute(db)
    return rows[0]?.server_version ?? ''
  },

  async sessionId(db: Kysely<any>) {
    // Through a pooler the next statement may run on another backend: no id rather than a wrong one.
    if (!(await sessionIsPinned(db))) return undefined
    const { rows } = await sql<{ id: number }>`select pg_backend_pid() as id`.execute(db)
    return rows[0] ? Number(rows[0].id) : undefined
  },

  indexBuildProgress: postgresIndexBuildProgress,
}
