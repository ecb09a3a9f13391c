/**
 * MySQL's and MariaDB's catalog, read from `information_schema` for the current database.
 * Every column is aliased: MySQL 8 labels `information_schema` columns in upper case otherwise.
 */
import { sql } from 'kysely'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../../model/catalog-info.js'
import type { CatalogReader, ColumnDefaultInfo } from '../engine.js'
import { mysqlIndexBuildProgress } from './index-progress.js'

export const mysqlCatalog: CatalogReader = {
  async tableExists(db, table) {
    const { rows } = await sql`select 1 as found from information_schema.tables
            where table_schema = database() and table_name = ${table} and table_type = 'BASE TABLE'`.execute(db)
    return rows.length > 0
  },

  async viewExists(db, view) {
    const { rows } = await sql`select 1 as found from information_schema.views where table_schema = database() and table_name = ${view}`.execute(db)
    return rows.length > 0
  },

  async listTables(db) {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = database() and table_type = 'BASE TABLE'`.execute(db)
    return rows.map((r) => r.name).sort()
  },

  async listColumns(db, table) {
    const { rows } = await sql<{ name: string; type: string; base: string; nullable: string; charset: string | null; collation: string | null }>`
      select column_name as name, column_type as type, data_type as base, is_nullable as nullable,
             character_set_name as charset, collation_name as collation
      from information_schema.columns
      where table_schema = database() and table_name = ${table}
      order by ordinal_position`.execute(db)
    return rows.map(
      (r): ColumnInfo => ({
        name: r.name,
        type: String(r.type).toLowerCase(),
        baseType: String(r.base).toLowerCase(),
        nullable: r.nullable === 'YES',
        charset: r.charset,
        collation: r.collation,
      }),
    )
  },

  async listIndexes(db, table) {
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
  },

  async listForeignKeys(db, table) {
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
  },

  /**
   * MySQL and MariaDB drop a table or column under a view without a word, leaving the view
   * broken; MariaDB has no `VIEW_TABLE_USAGE`, so the views are found in their stored
   * definitions, which name every table as `db`.`table` (and, for a column, `column` after it).
   */
  async listViewsUsing(db, table, column) {
    const escape = (name: string) => `\`${name.replace(/`/g, '``')}\``.replace(/[\\%_]/g, (c) => `\\${c}`)
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.views
      where table_schema = database()
        and view_definition like concat('%', ${'`'}, replace(database(), ${'`'}, ${'``'}), ${'`.'}, ${escape(table)}, '%')
        ${column === undefined ? sql`` : sql`and view_definition like ${`%${escape(column)}%`}`}`.execute(db)
    return rows.map((r) => r.name).sort()
  },

  async listReferencingTables(db, table) {
    const { rows } = await sql<{ table: string }>`
      select distinct table_name as ${sql.ref('table')} from information_schema.key_column_usage
      where table_schema = database() and referenced_table_schema = database() and referenced_table_name = ${table}`.execute(db)
    return rows.map((r) => r.table)
  },

  async listColumnDefaults(db, table) {
    const { rows } = await sql<{ name: string; value: string | null; extra: string | null }>`
      select column_name as name, column_default as value, extra as extra
      from information_schema.columns
      where table_schema = database() and table_name = ${table}
      order by ordinal_position`.execute(db)
    return rows.map(
      (r): ColumnDefaultInfo => ({
        name: r.name,
        // MariaDB prints "no default" on a nullable column as the word NULL.
        default: r.value === null || r.value === 'NULL' ? null : r.value,
        generated: /auto_increment/i.test(r.extra ?? '') ? 'auto_increment' : null,
      }),
    )
  },

  async tableStorage(db, table) {
    const { rows } = await sql<{ engine: string; collation: string }>`
    select engine as engine, table_collation as collation from information_schema.tables
    where table_schema = database() and table_name = ${table}`.execute(db)
    return rows[0]
  },

  async serverVersion(db) {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(db)
    return rows[0]?.version ?? ''
  },

  async sessionId(db) {
    const { rows } = await sql<{ id: number }>`select connection_id() as id`.execute(db)
    return rows[0] ? Number(rows[0].id) : undefined
  },

  indexBuildProgress: mysqlIndexBuildProgress,
}
