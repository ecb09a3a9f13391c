/** A comparable picture of the live schema: every table's columns, indexes and foreign keys. */
import type { Kysely } from 'kysely'
import { listColumns, listForeignKeys, listIndexes, listTables } from '../../src/ddl/introspect.js'

export { listTables }

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
