/**
 * `docs/schema.md`, written from a migrated database: the model read through the catalog
 * queries of `src/ddl/introspect.ts`, and its rendering as Markdown with a Mermaid ER diagram.
 *
 * A development tool, not part of the package: it lives in `scripts/` (not `src/`, so it is
 * neither built into `dist/` nor shipped), `scripts/docs-schema.ts` runs it, and
 * `test/schema-doc.test.ts` renders it again on every database to catch a stale document.
 *
 * Generated parts are wrapped in `<!-- begin generated: <id> -->` / `<!-- end generated: <id> -->`
 * markers, so that each database's part can be compared on its own.
 */
import type { Kysely } from 'kysely'
import { BOOKKEEPING_TABLES } from '../src/model/bookkeeping-tables.js'
import {
  listColumnDefaults,
  listColumns,
  listForeignKeys,
  listIndexes,
  listTables,
  tableStorage,
  type ColumnInfo,
  type ForeignKeyInfo,
  type IndexInfo,
} from '../src/ddl/introspect.js'

/** Tables that record migrations rather than hold data: listed apart, left out of the diagram. */

export interface ColumnDoc extends ColumnInfo {
  readonly default: string | null
  readonly generated: string | null
}

export interface TableDoc {
  readonly name: string
  readonly columns: readonly ColumnDoc[]
  readonly primaryKey: readonly string[]
  readonly indexes: readonly IndexInfo[]
  readonly foreignKeys: readonly ForeignKeyInfo[]
  /** MySQL only. */
  readonly storage: { readonly engine: string; readonly collation: string } | undefined
}

export interface SchemaModel {
  readonly tables: readonly TableDoc[]
  readonly bookkeeping: readonly TableDoc[]
}

/** Reads every table of the current schema (or database) through the catalog. */
export async function readSchema(db: Kysely<any>): Promise<SchemaModel> {
  const tables: TableDoc[] = []
  for (const name of await listTables(db)) {
    const defaults = new Map((await listColumnDefaults(db, name)).map((d) => [d.name, d]))
    const columns = (await listColumns(db, name)).map((column) => ({
      ...column,
      default: defaults.get(column.name)?.default ?? null,
      generated: defaults.get(column.name)?.generated ?? null,
    }))
    const indexes = (await listIndexes(db, name)).sort((a, b) => Number(b.primary) - Number(a.primary) || a.name.localeCompare(b.name))
    tables.push({
      name,
      columns,
      primaryKey: indexes.find((index) => index.primary)?.columns ?? [],
      indexes,
      foreignKeys: (await listForeignKeys(db, name)).sort((a, b) => a.name.localeCompare(b.name)),
      storage: await tableStorage(db, name),
    })
  }
  return {
    tables: tables.filter((t) => !BOOKKEEPING_TABLES.includes(t.name)),
    bookkeeping: tables.filter((t) => BOOKKEEPING_TABLES.includes(t.name)),
  }
}

/** The sections of the document, by marker id. */
export type SectionId = 'diagram' | 'postgres' | 'mysql'

export interface DocumentInput {
  /** The PostgreSQL model (from PGlite or a server): the PostgreSQL section and the diagram. */
  readonly postgres: SchemaModel
  readonly mysql: SchemaModel
  /** The MySQL-family server the MySQL section was read from: `MariaDB` or `MySQL`. */
  readonly mysqlServer: MysqlFamily
}

export type MysqlFamily = 'MariaDB' | 'MySQL'

/** The family of a MySQL-protocol server, from its `version()`. */
export function mysqlFamily(version: string): MysqlFamily {
  return /mariadb/i.test(version) ? 'MariaDB' : 'MySQL'
}

/** The whole of `docs/schema.md`. */
export function renderDocument(input: DocumentInput): string {
  return [
    '# Database schema',
    '',
    '<!-- Written by `npm run docs:schema` from freshly migrated databases: do not edit by hand.',
    '     `test/schema-doc.test.ts` fails when it no longer matches the migrations. -->',
    '',
    "Every table, column, key, foreign key and index that the migrations create, read back from each",
    "engine's catalog after `migrateToLatest` on an empty database. Better Auth's tables keep Better",
    "Auth's default names (singular, camelCase columns); Artorizer's keep snake_case. On an existing",
    'database, a legacy `artwork_jobs` keeps its own columns and `upload_history` (when it exists)',
    'gains the same `user_id` column, index and foreign key as `artwork_jobs`; neither shows here.',
    '',
    '## Relationships',
    '',
    renderSection('diagram', input.postgres, input.mysqlServer),
    '',
    '## PostgreSQL',
    '',
    renderSection('postgres', input.postgres, input.mysqlServer),
    '',
    '## MySQL / MariaDB',
    '',
    renderSection('mysql', input.mysql, input.mysqlServer),
    '',
  ].join('\n')
}

/** The text between a section's markers, or undefined when the document has no such section. */
export function extractSection(document: string, id: SectionId): string | undefined {
  const begin = beginMarker(id)
  const start = document.indexOf(begin)
  const end = document.indexOf(endMarker(id))
  if (start < 0 || end < start) return undefined
  return document.slice(start, end + endMarker(id).length)
}

/** One section with its markers, as {@link extractSection} returns it. */
export function renderSection(id: SectionId, model: SchemaModel, mysqlServer: MysqlFamily): string {
  switch (id) {
    case 'diagram':
      return section(id, renderDiagram(model))
    case 'postgres':
      return section(id, renderDialect(model, POSTGRES_NOTE))
    case 'mysql':
      return section(id, renderDialect(model, mysqlNote(mysqlServer)))
  }
}

const POSTGRES_NOTE = 'Read from PGlite (embedded PostgreSQL); a PostgreSQL server gives the same (the test checks it on the server it is given).'

/** Which MySQL-family server the document's MySQL section was read from. */
export function documentedMysqlFamily(document: string): MysqlFamily | undefined {
  return /Read from (MariaDB|MySQL)\b/.exec(extractSection(document, 'mysql') ?? '')?.[1] as MysqlFamily | undefined
}

function mysqlNote(server: MysqlFamily): string {
  const other = server === 'MariaDB' ? 'MySQL 8 prints `bigint` without `(20)` and string defaults without quotes' : 'MariaDB prints `bigint(20)` and quotes string defaults'
  return `Read from ${server}; the migrations create the same schema on MySQL 8.0/8.4 and MariaDB, but ${other}.`
}

function beginMarker(id: SectionId): string {
  return `<!-- begin generated: ${id} -->`
}

function endMarker(id: SectionId): string {
  return `<!-- end generated: ${id} -->`
}

function section(id: SectionId, body: string): string {
  return [beginMarker(id), body, endMarker(id)].join('\n')
}

/** Mermaid's ER diagram: entities with their columns and keys, one line per foreign key. */
function renderDiagram(model: SchemaModel): string {
  const lines = ['```mermaid', 'erDiagram']
  for (const table of model.tables) {
    lines.push(`  ${table.name} {`)
    for (const column of table.columns) {
      const keys = columnKeys(table, column.name)
      // Mermaid types are one word: `timestamp with time zone` becomes `timestamp_with_time_zone`.
      lines.push(`    ${column.type.replace(/\s+/g, '_')} ${column.name}${keys.length > 0 ? ` ${keys.join(', ')}` : ''}`)
    }
    lines.push('  }')
  }
  for (const table of model.tables) {
    for (const fk of table.foreignKeys) {
      const nullable = fk.columns.some((name) => table.columns.find((c) => c.name === name)?.nullable)
      // Parent side: exactly one (`||`) when the key column is NOT NULL, else zero or one (`|o`).
      const parent = nullable ? '|o' : '||'
      lines.push(`  ${fk.referencedTable} ${parent}--o{ ${table.name} : "${fk.columns.join(', ')} (ON DELETE ${fk.onDelete})"`)
    }
  }
  lines.push('```')
  return lines.join('\n')
}

function columnKeys(table: TableDoc, column: string): string[] {
  const keys: string[] = []
  if (table.primaryKey.includes(column)) keys.push('PK')
  if (table.foreignKeys.some((fk) => fk.columns.includes(column))) keys.push('FK')
  if (table.indexes.some((i) => i.unique && !i.primary && i.columns.length === 1 && i.columns[0] === column)) keys.push('UK')
  return keys
}

/** One engine's tables in detail, then its bookkeeping tables. */
function renderDialect(model: SchemaModel, note: string): string {
  const lines = [note, '']
  for (const table of model.tables) lines.push(...renderTable(table, 3))
  lines.push(
    '### Bookkeeping tables',
    '',
    "Migration state, not data: Kysely's migration table and lock (created by Kysely's `Migrator`, so on MySQL",
    "in the database's default character set), the record of what each migration created (so that `down`",
    'removes exactly that), and the checksum of the SQL each applied migration ran (to report drift).',
    '',
  )
  for (const table of model.bookkeeping) lines.push(...renderTable(table, 4))
  return lines.join('\n').trimEnd()
}

function renderTable(table: TableDoc, level: number): string[] {
  const heading = '#'.repeat(level)
  const mysql = table.storage !== undefined
  const lines = [`${heading} \`${table.name}\``, '']
  if (table.storage) lines.push(`${table.storage.engine}, default collation \`${table.storage.collation}\``, '')

  lines.push(
    mysql ? '| column | type | collation | null | default | key |' : '| column | type | null | default | key |',
    mysql ? '| --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- | --- |',
  )
  for (const column of table.columns) {
    const cells = [code(column.name), code(column.type)]
    // A collation is shown only where it differs from the table's.
    if (mysql) cells.push(column.collation && column.collation !== table.storage?.collation ? code(column.collation) : '')
    cells.push(column.nullable ? 'yes' : 'no', column.generated ?? (column.default === null ? '' : code(column.default)), columnKeys(table, column.name).join(', '))
    lines.push(`| ${cells.join(' | ')} |`)
  }
  lines.push('')

  if (table.indexes.length > 0) {
    lines.push('| index | columns | kind |', '| --- | --- | --- |')
    for (const index of table.indexes) {
      const kind = index.primary ? 'primary key' : index.unique ? 'unique' : 'index'
      lines.push(`| ${code(index.name)} | ${index.columns.map(code).join(', ')} | ${kind} |`)
    }
    lines.push('')
  }
  if (table.foreignKeys.length > 0) {
    lines.push('| foreign key | columns | references | on delete |', '| --- | --- | --- | --- |')
    for (const fk of table.foreignKeys) {
      const references = `${code(fk.referencedTable)} (${fk.referencedColumns.map(code).join(', ')})`
      lines.push(`| ${code(fk.name)} | ${fk.columns.map(code).join(', ')} | ${references} | ${fk.onDelete} |`)
    }
    lines.push('')
  }
  return lines
}

/** Inline code, safe inside a table cell. */
function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``
}
