/**
 * A catalog snapshot: the tables a plan is about, introspected once.
 *
 * The planner (`plan.ts`) reads only this. Each planned step is applied to the snapshot
 * ({@link CatalogSnapshot.after}), so that a later step, or a later migration of the same plan,
 * sees the schema the earlier ones leave: 0002 reads the `user.id` that 0001 creates. A snapshot
 * of no database ({@link CatalogSnapshot.fresh}) plans for a fresh one (`migrate:sql`). Pure data:
 * reading one from a database is `readCatalogSnapshot` (`ddl/read-snapshot.ts`).
 *
 * Adoption also asks questions of the data (a duplicate under a future unique key, an orphan
 * under a future foreign key, the longest value). Those go to the live database, and only for
 * tables that existed when the snapshot was read: a table the plan creates is empty.
 */
import type { Kysely } from 'kysely'
import type { Engine } from '../engines/engine.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'

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

  /** A snapshot of `tables` as read (see `ddl/read-snapshot.ts`), whose data questions go to `probe`. */
  static of(engine: Engine, tables: ReadonlyMap<string, TableSnapshot>, probe: DataProbe, liveDb: Kysely<any>): CatalogSnapshot {
    return new CatalogSnapshot(engine, tables, probe, liveDb)
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

  /**
   * This snapshot with table `from` renamed `to` and its columns renamed (old name → new), and
   * every foreign key that referenced it following it.
   */
  renamed(from: string, to: string, columns: readonly { readonly from: string; readonly to: string }[]): CatalogSnapshot {
    const column = (name: string): string => columns.find((c) => c.from === name)?.to ?? name
    const tables = new Map<string, TableSnapshot>()
    for (const [name, table] of this.#tables) {
      const moved = name === from ? { ...table, name: to, columns: table.columns.map((c) => ({ ...c, name: column(c.name) })), indexes: table.indexes.map((i) => ({ ...i, columns: i.columns.map(column) })) } : table
      const foreignKeys = moved.foreignKeys.map((fk) =>
        fk.referencedTable === from ? { ...fk, referencedTable: to, referencedColumns: fk.referencedColumns.map(column) } : name === from ? { ...fk, columns: fk.columns.map(column) } : fk,
      )
      tables.set(moved.name, { ...moved, foreignKeys })
    }
    return new CatalogSnapshot(this.engine, tables, this.#probe, this.liveDb)
  }

  /** This snapshot with `table` replaced (or added, as made by the plan). */
  with(table: TableSnapshot): CatalogSnapshot {
    return new CatalogSnapshot(this.engine, new Map([...this.#tables, [table.name, table]]), this.#probe, this.liveDb)
  }
}
