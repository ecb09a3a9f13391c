/**
 * The steps of a plan, and what each does: the statements its engine recipe sends (recorded,
 * not run, for `migrate:sql` and checksums) and the snapshot it leaves, so that later steps
 * plan against the schema the earlier ones make.
 */
import type { DdlRunner } from '../engines/ddl-runner.js'
import type { ColumnSpec, ColumnTypeChange, EmptyColumnRetypeSpec, Engine, ForeignKeySpec, IndexSpec, TableRenameSpec } from '../engines/engine.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'
import type { ColumnKind, TableModel } from '../model/migration-schema.js'
import type { Finding } from '../model/findings.js'
import type { CatalogSnapshot, TableSnapshot } from './catalog-snapshot.js'
import { createTableBuilder } from './create-table.js'

/**
 * What one step does; the engine's recipe says how. `restore`: the object is one an earlier
 * migration (or the application) made, made again by this one (ids of another type): not
 * recorded in the ledger as this migration's, so that its `down` does not remove it.
 */
export type StepAction =
  | {
      readonly kind: 'createTable'
      readonly table: TableModel
      /** The exact types of columns that copy another column's (`sameAs`), read when planned. */
      readonly sameAs?: Readonly<Record<string, ColumnInfo>>
    }
  | { readonly kind: 'addColumn'; readonly column: ColumnSpec; readonly info: ColumnInfo; readonly restore?: true }
  | { readonly kind: 'changeColumnType'; readonly change: ColumnTypeChange; readonly info: ColumnInfo }
  | { readonly kind: 'createIndex'; readonly index: IndexSpec; readonly rebuild: boolean; readonly restore?: true }
  | { readonly kind: 'addForeignKey'; readonly foreignKey: ForeignKeySpec; readonly restore?: true }
  | { readonly kind: 'validateForeignKey'; readonly foreignKey: ForeignKeySpec; readonly name: string }
  | { readonly kind: 'renameTable'; readonly rename: TableRenameSpec }
  | { readonly kind: 'dropView'; readonly view: string }
  | { readonly kind: 'dropForeignKey'; readonly table: string; readonly name: string }
  /** A column of an empty table given another type (ids of another type); `info`: as it reads back. */
  | { readonly kind: 'retypeColumn'; readonly retype: EmptyColumnRetypeSpec; readonly info: ColumnInfo }
  /**
   * A nullable column that holds only NULLs, in a table with rows, made again in another type:
   * its indexes dropped, the column dropped and added (metadata only); the indexes are built
   * again online by the steps that follow.
   */
  | { readonly kind: 'remakeColumn'; readonly column: ColumnSpec; readonly info: ColumnInfo; readonly indexes: readonly string[] }

export interface PlannedStep {
  readonly migration: string
  readonly action: StepAction
  /** The statements the step runs, parameters written in. */
  readonly statements: readonly string[]
  /** The same without the guards (lock waits, transactions around a statement): what the checksum covers. */
  readonly schemaStatements: readonly string[]
}

export interface MigrationPlan {
  readonly migration: string
  /** Why the migration cannot run as the database is; it changes nothing while any is blocking. */
  readonly findings: readonly Finding[]
  readonly steps: readonly PlannedStep[]
}

/** Sends a step's statements through `r`: the recipe, without the looks (the planner looked). */
export async function recordStep(r: DdlRunner, engine: Engine, action: StepAction): Promise<void> {
  switch (action.kind) {
    case 'createTable':
      return r.run(createTableBuilder(r.db, engine, action.table, action.sameAs).compile())
    case 'addColumn':
      return engine.ddl.addNullableColumn(r, action.column)
    case 'changeColumnType':
      return engine.ddl.changeColumnType(r, action.change)
    case 'createIndex':
      if (action.rebuild) await engine.ddl.dropIndex(r, action.index.table, action.index.name)
      return engine.ddl.createIndex(r, action.index)
    case 'addForeignKey':
      return engine.ddl.addForeignKey(r, action.foreignKey)
    case 'validateForeignKey':
      return engine.ddl.validateForeignKey(r, action.foreignKey.table, action.name)
    case 'renameTable':
      return engine.ddl.renameTable(r, action.rename)
    case 'dropView':
      return engine.ddl.dropView(r, action.view)
    case 'dropForeignKey':
      return engine.ddl.dropForeignKey(r, action.table, action.name)
    case 'retypeColumn':
      return engine.ddl.retypeEmptyColumn(r, action.retype)
    case 'remakeColumn':
      for (const index of action.indexes) await engine.ddl.dropIndex(r, action.column.table, index)
      await engine.ddl.dropColumn(r, action.column.table, action.column.column)
      return engine.ddl.addNullableColumn(r, action.column)
  }
}

/** The snapshot as `action` leaves it. */
export function applyStep(catalog: CatalogSnapshot, action: StepAction, engine: Engine): CatalogSnapshot {
  const table = (name: string): TableSnapshot => catalog.table(name)!
  switch (action.kind) {
    case 'renameTable':
      return catalog.renamed(action.rename.from, action.rename.to, action.rename.columns)
    case 'dropView':
      return catalog
    case 'dropForeignKey': {
      const t = table(action.table)
      return catalog.with({ ...t, foreignKeys: t.foreignKeys.filter((fk) => fk.name !== action.name) })
    }
    case 'retypeColumn': {
      const t = table(action.retype.table)
      return catalog.with({ ...t, columns: t.columns.map((c) => (c.name === action.retype.column ? action.info : c)) })
    }
    case 'remakeColumn': {
      const t = table(action.column.table)
      const columns = [...t.columns.filter((c) => c.name !== action.column.column), action.info]
      return catalog.with({ ...t, columns, indexes: t.indexes.filter((i) => !action.indexes.includes(i.name)) })
    }
    case 'createTable': {
      const model = action.table
      return catalog.with({
        name: model.name,
        columns: model.columns.map((c) => action.sameAs?.[c.name] ?? engine.catalogColumn(c.name, c.type as ColumnKind, c.nullable && !c.primaryKey)),
        indexes: (model.uniques ?? []).map((u) => ({ name: u.name, columns: [...u.columns], unique: true, primary: false, valid: true, partial: false })),
        foreignKeys: [],
        hasRows: false,
        storageEngine: null,
        planned: true,
        created: true,
      })
    }
    case 'addColumn': {
      const t = table(action.column.table)
      return catalog.with({ ...t, columns: [...t.columns, action.info] })
    }
    case 'changeColumnType': {
      const t = table(action.change.table)
      return catalog.with({ ...t, columns: t.columns.map((c) => (c.name === action.change.column ? action.info : c)) })
    }
    case 'createIndex': {
      const t = table(action.index.table)
      const index: IndexInfo = { name: action.index.name, columns: [...action.index.columns], unique: action.index.unique === true, primary: false, valid: true, partial: false }
      return catalog.with({ ...t, indexes: [...t.indexes.filter((i) => i.name !== index.name), index] })
    }
    case 'addForeignKey':
    case 'validateForeignKey': {
      const t = table(action.foreignKey.table)
      const spec = action.foreignKey
      const fk: ForeignKeyInfo = {
        name: action.kind === 'validateForeignKey' ? action.name : spec.name,
        columns: [spec.column],
        referencedTable: spec.referencedTable,
        referencedColumns: [spec.referencedColumn],
        onDelete: 'CASCADE',
        validated: true,
      }
      return catalog.with({ ...t, foreignKeys: [...t.foreignKeys.filter((f) => f.name !== fk.name), fk] })
    }
  }
}
