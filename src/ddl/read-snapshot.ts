/**
 * Reading a {@link CatalogSnapshot} from a live database: the tables a plan is about,
 * introspected once, and the data questions (duplicates, orphans, lengths) sent to it on demand.
 */
import type { Kysely } from 'kysely'
import { engineOf } from '../engines/index.js'
import { CatalogSnapshot, type DataProbe, type TableSnapshot } from '../planner/catalog-snapshot.js'
import { createdTables } from './ledger.js'
import { findDuplicate, findOrphan, findValue, listReferencingForeignKeys, longestValue, tableHasRows } from './introspect.js'

/** Reads `tables` (those that exist) from `db`'s catalog, and which of them this module created. */
export async function readCatalogSnapshot(db: Kysely<any>, tables: Iterable<string>): Promise<CatalogSnapshot> {
  const engine = await engineOf(db).forServer(db)
  const read = new Map<string, TableSnapshot>()
  const created = await tablesCreatedByModule(db)
  for (const name of new Set(tables)) {
    if (!(await engine.catalog.tableExists(db, name))) continue
    read.set(name, {
      created: created.has(name),
      name,
      columns: await engine.catalog.listColumns(db, name),
      indexes: await engine.catalog.listIndexes(db, name),
      foreignKeys: await engine.catalog.listForeignKeys(db, name),
      hasRows: await tableHasRows(db, name),
      storageEngine: (await engine.catalog.tableStorage(db, name))?.engine ?? null,
      planned: false,
    })
  }
  return CatalogSnapshot.of(engine, read, liveProbe(db), db)
}

async function tablesCreatedByModule(db: Kysely<any>): Promise<ReadonlySet<string>> {
  return new Set(await createdTables(db))
}

function liveProbe(db: Kysely<any>): DataProbe {
  return {
    duplicate: (table, columns) => findDuplicate(db, table, columns),
    orphan: (table, column, referencedTable, referencedColumn) => findOrphan(db, table, column, referencedTable, referencedColumn),
    anyValue: (table, column) => findValue(db, table, column),
    longest: (table, column) => longestValue(db, table, column),
    referencingForeignKeys: (table) => listReferencingForeignKeys(db, table),
  }
}
