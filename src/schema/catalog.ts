/**
 * A catalog snapshot: the tables a plan is about, introspected once.
 *
 * The planner (`plan.ts`) reads only this. Each planned step is applied to the snapshot
 * ({@link CatalogSnapshot.after}), so that a later step, or a later migration of the same plan,
 * sees the schema the earlier ones leave: 0002 reads the `user.id` that 0001 creates. A snapshot
 * of no database ({@link CatalogSnapshot.fresh}) plans for a fresh one (`migrate:sql`).
 *
 * Adoption also asks questions of the data (a duplicate under a future unique key, an orphan
 * under a future foreign key, the longest value). Those go to the live database, and only for
 * tables that existed when the snapshot was read: a table the plan creates is empty.
 */
import type { Kysely } from 'kysely'
import type { Engine } from '../engines/engine.js'
import { engineOf } from '../engines/index.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from './catalog-types.js'
import { createdTables } from './ledger.js'
import {
  findDuplicate,
  findOrphan,
  findValue,
  listReferencingForeignKeys,
  longestValue,
  tableHasRows,
} from './introspect.js'

export interface TableSnapshot {
  readonly name: string
  readonly columns: readonly ColumnInfo[]
  readonly indexes: readonly IndexInfo[]
  readonly foreignKeys: readonly ForeignKeyInfo[]
  readonly hasRows: boolean
  /** MySQL's storage engine (`InnoDB`, `MyISAM`); null where tables have none. */
  readonly storageEngine: string | null
  /** Made by a step of this plan: not in the database yet, and empty. */
  readonly planned: boolean
  /**
   * Created by one of this module's migrations (its ledger, `artorizer_schema_objects`, says so;
   * true for a planned table), as opposed to adopted. Absent: not known, taken as adopted.
   */
  readonly created?: boolean
}

/** Questions about the rows of tables that exist; a fresh database has none to ask about. */
export interface DataProbe {
  duplicate(table: string, columns: readonly string[]): Promise<string | undefined>
  orphan(table: string, column: string, referencedTable: string, referencedColumn: string): Promise<string | undefined>
  anyValue(table: string, column: string): Promise<string | undefined>
  longest(table: string, column: string): Promise<number>
  referencingForeignKeys(table: string): Promise<readonly (ForeignKeyInfo & { readonly table: string })[]>
}

const NO_DATA: DataProbe = {
  duplicate: async () => undefined,
  orphan: async () => undefined,
  anyValue: async () => undefined,
  longest: async () => 0,
  referencingForeignKeys: async () => [],
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

export class CatalogSnapshot {
  readonly engine: Engine
  readonly #tables: ReadonlyMap<string, TableSnapshot>
  readonly #probe: DataProbe
  /** The database it was read from; undefined for a fresh one. */
  readonly liveDb: Kysely<any> | undefined

  private constructor(engine: Engine, tables: ReadonlyMap<string, TableSnapshot>, probe: DataProbe, liveDb: Kysely<any> | undefined) {
    this.engine = engine
    this.#tables = tables
    this.#probe = probe
    this.liveDb = liveDb
  }

  /** Reads `tables` (those that exist) from `db`'s catalog, and which of them this module created. */
  static async read(db: Kysely<any>, tables: Iterable<string>): Promise<CatalogSnapshot> {
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
    return new CatalogSnapshot(engine, read, liveProbe(db), db)
  }

  /** A database with none of the tables yet. */
  static fresh(engine: Engine): CatalogSnapshot {
    return new CatalogSnapshot(engine, new Map(), NO_DATA, undefined)
  }

  table(name: string): TableSnapshot | undefined {
    return this.#tables.get(name)
  }

  column(table: string, column: string): ColumnInfo | undefined {
    return this.#tables.get(table)?.columns.find((c) => c.name === column)
  }

  /** The data questions for `table`: answered by the database, or "none" for a planned table. */
  data(table: string): DataProbe {
    const snapshot = this.#tables.get(table)
    return !snapshot || snapshot.planned ? NO_DATA : this.#probe
  }

  /** This snapshot with `table` replaced (or added, as made by the plan). */
  with(table: TableSnapshot): CatalogSnapshot {
    return new CatalogSnapshot(this.engine, new Map([...this.#tables, [table.name, table]]), this.#probe, this.liveDb)
  }
}
