/**
 * Whether what a table already has does the job of what a migration asks for: an index under
 * another name over the same columns, a foreign key under another name over the same link.
 * Shared by the planner (adopt instead of create) and by the step executors (look before acting).
 */
import type { ForeignKeySpec, IndexSpec } from '../engines/engine.js'
import type { ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'
import type { ForeignKeyModel } from '../model/migration-schema.js'

/** Whether an existing index can stand in for `spec`: same columns in order, at least as unique, whole and valid. */
export function servesAs(index: IndexInfo, spec: { readonly columns: readonly string[]; readonly unique?: boolean }): boolean {
  return (
    index.valid &&
    !index.partial &&
    (index.unique || !spec.unique) &&
    index.columns.length === spec.columns.length &&
    index.columns.every((column, i) => column === spec.columns[i])
  )
}

/** A foreign key that already does `spec`'s job under any name: same column, same target. */
export function findEquivalentForeignKey(existing: readonly ForeignKeyInfo[], spec: ForeignKeySpec): ForeignKeyInfo | undefined {
  return existing.find((fk) => fk.name === spec.name) ?? findSameLink(existing, spec)
}

/** A foreign key over the same column to the same target column, whatever its name. */
export function findSameLink(existing: readonly ForeignKeyInfo[], spec: ForeignKeySpec): ForeignKeyInfo | undefined {
  return existing.find(
    (fk) => fk.columns.join() === spec.column && fk.referencedTable === spec.referencedTable && fk.referencedColumns.join() === spec.referencedColumn,
  )
}

/** What to do about an index: nothing (`present`, `adopted`), `create` it, or `rebuild` an INVALID one. */
export function decideIndex(indexes: readonly IndexInfo[], spec: IndexSpec): 'present' | 'adopted' | 'create' | 'rebuild' {
  const named = indexes.find((index) => index.name === spec.name)
  if (named?.valid) return 'present'
  if (named) return 'rebuild' // INVALID: an interrupted build
  return indexes.some((index) => servesAs(index, spec)) ? 'adopted' : 'create'
}

export function foreignKeySpec(model: ForeignKeyModel): ForeignKeySpec {
  return { table: model.table, name: model.name, column: model.column, referencedTable: model.references.table, referencedColumn: model.references.column }
}
