/** A comparable picture of the live schema: every table's columns, indexes and foreign keys. */
import { sql, type Kysely } from 'kysely'
import { listColumns, listForeignKeys, listIndexes } from '../../src/schema/introspect.js'
import { sqlDialectOfDb } from '../../src/schema/dialect.js'

export async function listTables(db: Kysely<any>): Promise<string[]> {
  const query =
    sqlDialectOfDb(db) === 'mysql'
      ? sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'`
      : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`
  return (await query.execute(db)).rows.map((r) => r.name).sort()
}

export async function snapshotSchema(db: Kysely<any>): Promise<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = {}
  for (const table of await listTables(db)) {
    snapshot[table] = {
      columns: await listColumns(db, table),
      indexes: (await listIndexes(db, table)).sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: (await listForeignKeys(db, table)).sort((a, b) => a.name.localeCompare(b.name)),
    }
  }
  return snapshot
}
