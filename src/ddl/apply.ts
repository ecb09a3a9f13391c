/**
 * Running a planned step: look at the live catalog, record in the ledger what is about to be
 * created, then let the engine's recipe (`src/engines/<name>/online-ddl.ts`) act. Every
 * executor is idempotent (it looks before it acts) and records before it creates, so a run can
 * be resumed after a crash between any two statements.
 */
import type { Kysely } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import type { ColumnSpec, ColumnTypeChange, EmptyColumnRetypeSpec, ForeignKeySpec, IndexSpec, TableRenameSpec } from '../engines/engine.js'
import { engineOf } from '../engines/index.js'
import { executingRunner, type DdlRunner } from '../engines/ddl-runner.js'
import { findColumn, findValue, listForeignKeys, listIndexes, tableExists } from './introspect.js'
import { describeError } from '../errors.js'
import { describeCatalogType, hasCatalogType } from '../model/type-rules.js'
import { createdBy, createdTables, forgetCreation, recordCreation, renameInLedger, type LedgerEntry } from './ledger.js'
import type { ColumnInfo } from '../model/catalog-info.js'
import type { ColumnKindChangeModel, TableModel } from '../model/migration-schema.js'
import { createTableBuilder } from '../planner/create-table.js'
import { decideIndex, findSameLink } from '../planner/existing-objects.js'
import { type PlannedStep } from '../planner/steps.js'

/** `created`: made now; `present`: already there by that name; `adopted`: an equivalent exists. */
export type EnsureResult = 'created' | 'present' | 'adopted'

/** Runs one planned step, looking at the live catalog first. */
export async function executeStep(db: Kysely<any>, step: PlannedStep): Promise<void> {
  const { action, migration } = step
  switch (action.kind) {
    case 'createTable':
      await ensureTable(db, migration, action.table, action.sameAs)
      return
    case 'addColumn':
      await ensureNullableColumn(db, action.restore ? null : migration, action.column)
      return
    case 'changeColumnType':
      await changeColumnType(db, action.change)
      return
    case 'createIndex':
      await ensureIndex(db, action.restore ? null : migration, action.index)
      return
    case 'addForeignKey':
      await ensureForeignKey(db, action.restore ? null : migration, action.foreignKey)
      return
    case 'validateForeignKey':
      await ensureForeignKey(db, migration, action.foreignKey)
      return
    case 'renameTable':
      await ensureRenamed(db, action.rename)
      return
    case 'dropView':
      await onOneConnection(db, (r) => engineOf(db).ddl.dropView(r, action.view))
      return
    case 'dropForeignKey':
      await onOneConnection(db, (r) => engineOf(db).ddl.dropForeignKey(r, action.table, action.name))
      return
    case 'retypeColumn':
      await retypeEmptyColumn(db, action.retype, action.info)
      return
    case 'remakeColumn':
      await remakeNullColumn(db, action.column, action.info, action.indexes)
      return
  }
}

/**
 * Gives a column of an empty table another type (ids of another type), unless it has it already
 * (a rerun). The recipe checks the table empty again under its lock. Not in the ledger: the
 * column stays the object of the migration that made it.
 */
export async function retypeEmptyColumn(db: Kysely<any>, spec: EmptyColumnRetypeSpec, target: ColumnInfo): Promise<void> {
  const live = await findColumn(db, spec.table, spec.column)
  if (!live || isOfType(live, target)) return
  await onOneConnection(db, (r) => engineOf(db).ddl.retypeEmptyColumn(r, spec))
}

/**
 * Makes a nullable column that holds only NULLs again in another type, in a table with rows:
 * its indexes dropped, the column dropped and added (metadata only on PostgreSQL, MySQL 8.0.29+
 * and MariaDB 10.4+), where a type change would rewrite the table under its strongest lock. The
 * indexes are built again online by the steps after it. Resumable: a column already of the new
 * type is left alone, a missing one (a crash after the drop) is added. Not in the ledger: the
 * column stays the object of the migration that made it.
 */
export async function remakeNullColumn(db: Kysely<any>, spec: ColumnSpec, target: ColumnInfo, indexes: readonly string[]): Promise<void> {
  const engine = engineOf(db)
  await onOneConnection(db, async (r) => {
    const live = await findColumn(r.db, spec.table, spec.column)
    if (live && isOfType(live, target)) return
    if (live) {
      const value = await findValue(r.db, spec.table, spec.column)
      if (value !== undefined) {
        throw new SchemaConflictError([`"${spec.table}"."${spec.column}" holds ids now (e.g. ${value}), so it cannot be given another type; keep advanced.database.generateId as they were made`])
      }
      for (const index of indexes) await engine.ddl.dropIndex(r, spec.table, index)
      await engine.ddl.dropColumn(r, spec.table, spec.column)
    }
    await engine.ddl.addNullableColumn(r, spec)
  })
}

/**
 * Moves a core table to its new names, doing what is left of `spec` (a rerun after a crash
 * between MySQL's statements finds part of it done), then follows it in the ledger.
 */
export async function ensureRenamed(db: Kysely<any>, spec: TableRenameSpec): Promise<void> {
  const engine = engineOf(db)
  await onOneConnection(db, async (r) => {
    const moving = spec.from !== spec.to && (await engine.catalog.tableExists(r.db, spec.from))
    const at = moving ? spec.from : spec.to
    if (!moving && !(await engine.catalog.tableExists(r.db, spec.to))) {
      throw new SchemaConflictError([`"${spec.from}" does not exist, so it cannot be renamed "${spec.to}"; restore it from a backup, or run the migrations that create it first`])
    }
    const live = await listColumnNames(r.db, at)
    const columns = spec.columns.filter((c) => live.has(c.from) && !live.has(c.to))
    // The old name is free once the table moves; on a rerun, the view may be there already.
    const view = spec.view && (moving || !((await engine.catalog.viewExists(r.db, spec.view.name)) || (await engine.catalog.tableExists(r.db, spec.view.name)))) ? spec.view : undefined
    if (!moving && columns.length === 0 && !view) return
    await engine.ddl.renameTable(r, { from: at, to: spec.to, columns, ...(view ? { view } : {}) })
  })
  await renameInLedger(db, spec.from, spec.to, spec.columns)
}

async function listColumnNames(db: Kysely<any>, table: string): Promise<Set<string>> {
  return new Set((await engineOf(db).catalog.listColumns(db, table)).map((c) => c.name))
}

/**
 * Creates a table if it does not exist yet, recording it as this migration's. An existing table
 * is left exactly as it is (`present`): adopting it is the planner's job.
 */
export async function ensureTable(
  db: Kysely<any>,
  migration: string,
  table: TableModel,
  sameAs?: Readonly<Record<string, ColumnInfo>>,
): Promise<EnsureResult> {
  if (await tableExists(db, table.name)) return 'present'
  await recordCreation(db, migration, { kind: 'table', table: table.name, name: table.name })
  await createTableBuilder(db, await engineOf(db).forServer(db), table, sameAs).execute()
  return 'created'
}

/** Adds a column (nullable, or NOT NULL as the planner allowed) without rewriting or long-locking the table. */
export async function ensureNullableColumn(db: Kysely<any>, migration: string | null, spec: ColumnSpec): Promise<EnsureResult> {
  if (await findColumn(db, spec.table, spec.column)) return 'present'
  if (migration) await recordCreation(db, migration, { kind: 'column', table: spec.table, name: spec.column })
  await onOneConnection(db, (r) => engineOf(db).ddl.addNullableColumn(r, spec))
  return 'created'
}

/** Adds a named `ON DELETE CASCADE` foreign key without a long lock or a table copy. */
export async function ensureForeignKey(db: Kysely<any>, migration: string | null, spec: ForeignKeySpec): Promise<EnsureResult> {
  const engine = engineOf(db)
  return onOneConnection(db, async (r) => {
    const existing = await listForeignKeys(r.db, spec.table)
    const named = existing.find((fk) => fk.name === spec.name)
    if (named) {
      if (!named.validated) await engine.ddl.validateForeignKey(r, spec.table, spec.name)
      return 'present'
    }
    const equivalent = findSameLink(existing, spec)
    if (equivalent) {
      if (equivalent.onDelete !== 'CASCADE') {
        throw new SchemaConflictError([
          `${spec.table}.${spec.column} already references ${spec.referencedTable} through "${equivalent.name}" with ON DELETE ${equivalent.onDelete}, not CASCADE`,
        ])
      }
      if (!equivalent.validated) await engine.ddl.validateForeignKey(r, spec.table, equivalent.name)
      return 'adopted'
    }
    if (migration) await recordCreation(r.db, migration, { kind: 'foreign_key', table: spec.table, name: spec.name })
    await engine.ddl.addForeignKey(r, spec)
    return 'created'
  })
}

/**
 * Creates an index without blocking writes. An index of that name that is valid, or an
 * equivalent one under another name (same columns in order, at least as unique, not partial),
 * is kept as it is; an INVALID one (an interrupted build) is dropped and built again.
 */
export async function ensureIndex(db: Kysely<any>, migration: string | null, spec: IndexSpec): Promise<EnsureResult> {
  const engine = engineOf(db)
  return onOneConnection(db, async (r) => {
    const decision = decideIndex(await listIndexes(r.db, spec.table), spec)
    if (decision === 'present' || decision === 'adopted') return decision
    if (decision === 'rebuild') await engine.ddl.dropIndex(r, spec.table, spec.name)
    if (migration) await recordCreation(r.db, migration, { kind: 'index', table: spec.table, name: spec.name })
    const buildEnded = await r.indexBuild({ table: spec.table, index: spec.name })
    try {
      await engine.ddl.createIndex(r, spec)
    } catch (error) {
      if (spec.unique && engine.errors.isUniqueViolation(error)) {
        throw new SchemaConflictError([`${spec.table} has duplicate values in (${spec.columns.join(', ')}), so ${spec.name} cannot be unique`])
      }
      throw error
    } finally {
      buildEnded()
    }
    return 'created'
  })
}

/**
 * Gives an existing column a wider type (a longer `varchar`, a `varchar` instead of `text`).
 * Only for columns without a default or comment: MySQL's `MODIFY COLUMN` restates the type and
 * nullability and nothing else. The planner decides it is lossless (see `canWidenLosslessly`
 * and `isUnboundedString` in `column-types.ts`); as a last guard MySQL runs it in strict mode,
 * so a value that would not fit fails the statement instead of being cut.
 *
 * Not recorded in the ledger: `down` keeps the wider type, since narrowing it again could cut
 * values written since.
 */
export async function changeColumnType(db: Kysely<any>, change: ColumnTypeChange): Promise<void> {
  await onOneConnection(db, (r) => engineOf(db).ddl.changeColumnType(r, change))
}

/**
 * Removes, newest first, everything the ledger says `migration` created. A table is dropped
 * only when `dropTable` agrees (for example, only while it is empty); otherwise it is kept and
 * forgotten, so that no later `down` can drop it either. `dropTable` must query through the
 * connection it is given: the caller's may be held for the duration.
 */
export async function undoCreations(
  db: Kysely<any>,
  migration: string,
  dropTable: (table: string, conn: Kysely<any>) => Promise<boolean> = async () => true,
): Promise<LedgerEntry[]> {
  const engine = engineOf(db)
  return onOneConnection(db, async (r) => {
    const removed: LedgerEntry[] = []
    for (const entry of await createdBy(r.db, migration)) {
      if (entry.kind !== 'table' || (await dropTable(entry.table, r.db))) {
        await dropObject(r, entry)
        removed.push(entry)
      }
      await forgetCreation(r.db, entry)
    }
    return removed

    async function dropObject(r: DdlRunner, entry: LedgerEntry): Promise<void> {
      switch (entry.kind) {
        case 'table':
          return engine.ddl.dropTable(r, entry.table)
        case 'index':
          return engine.ddl.dropIndex(r, entry.table, entry.name)
        case 'foreign_key':
          return engine.ddl.dropForeignKey(r, entry.table, entry.name)
        case 'column':
          return engine.ddl.dropColumn(r, entry.table, entry.name)
      }
    }
  })
}

/**
 * Gives each column of `changes` its `from` kind back, newest first: `down` of a migration whose
 * schema has `kindChanges`. A column is changed back only where the migration could have changed
 * it (a table this module created, the column of the `to` type now); anything else is left
 * alone. Going back may make values equal that were distinct (`JOB-4` and `job-4` under a
 * case-insensitive collation): the statement then fails whole, changing nothing, and the error
 * names a value to rename or remove first.
 */
export async function undoKindChanges(db: Kysely<any>, migration: string, changes: readonly ColumnKindChangeModel[]): Promise<void> {
  const engine = await engineOf(db).forServer(db)
  const created = new Set(await createdTables(db))
  for (const change of [...changes].reverse()) {
    if (!created.has(change.table)) continue
    const column = await findColumn(db, change.table, change.column)
    if (!column || !hasCatalogType(column, engine.catalogTypes[change.to])) continue
    const back: ColumnTypeChange = { table: change.table, column: change.column, type: engine.columnTypes[change.from], nullable: change.nullable }
    try {
      await onOneConnection(db, (r) => engine.ddl.changeColumnType(r, back))
    } catch (error) {
      if (!engine.errors.isUniqueViolation(error)) throw error
      throw new SchemaConflictError([
        `${migration} cannot be undone: "${change.table}"."${change.column}" holds values that are distinct now but equal as ${describeCatalogType(engine.catalogTypes[change.from])} (${describeError(error)}); rename or remove one of each pair, then run migrate:down again`,
      ])
    }
  }
}

/** Whether `live` already reads back as `target` (int display widths aside). */
function isOfType(live: ColumnInfo, target: ColumnInfo): boolean {
  return hasCatalogType(live, { type: target.type, ...(target.charset ? { charset: target.charset } : {}), ...(target.collation ? { collation: target.collation } : {}) })
}

/** Session settings (`lock_timeout`, `foreign_key_checks`) must apply to the statements they guard. */
function onOneConnection<T>(db: Kysely<any>, work: (r: DdlRunner) => Promise<T>): Promise<T> {
  return db.connection().execute((conn) => work(executingRunner(conn)))
}
