/**
 * The plan: from a migration's schema data and a catalog snapshot, the steps that will run,
 * each with its SQL, and the findings that would stop it.
 *
 * Modelled on Better Auth's `getMigrations` (introspect once, one plan object that both
 * compiles and runs): `--dry-run` and `migrate:sql` print a plan's steps; `up` executes them.
 * A step's SQL is recorded by running its engine recipe through a recording runner, and
 * executing the step runs the same recipe for real, so the two cannot disagree. Executing a
 * step still looks at the live catalog first (see `online-ddl.ts`), so that a rerun after a
 * crash resumes where the last run stopped.
 *
 * A migration's plan is made against the snapshot as earlier steps leave it: each step's effect
 * is applied to the snapshot (`applyStep`), which is how 0002 sees the `user.id` that 0001 will
 * create. Nothing is remembered anywhere else.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import type { ColumnSpec, ColumnTypeChange, Engine, IndexSpec } from '../engines/engine.js'
import { CatalogSnapshot } from './catalog-snapshot.js'
import type { ColumnInfo } from '../model/catalog-info.js'
import {
  INDEXABLE_STRING_LENGTH,
  boundedStringType,
  canReference,
  canWidenLosslessly,
  describeColumnType,
  hasCatalogType,
  isUnboundedString,
  sameType,
  sameTypeAs,
  valueFamily,
} from '../model/type-rules.js'
import { recordingRunner } from '../engines/ddl-runner.js'
import { applyStep, recordStep, type MigrationPlan, type PlannedStep, type StepAction } from './steps.js'
import { adoptStrict, type AdoptionContext } from './adoption.js'
import { decideIndex, findEquivalentForeignKey, foreignKeySpec, servesAs } from './existing-objects.js'
import { blockingFindings, finding, type Finding } from '../model/findings.js'
import type { ColumnKindChangeModel, ColumnModel, ColumnRef, ForeignKeyModel, IndexModel, MigrationSchema } from '../model/migration-schema.js'
import { idColumn, idKind, shapeRenames, type IdStrategy } from '../model/auth-shape.js'
import type { IdMaking } from '../engines/engine.js'

/** A migration as the planner sees it: its name and its schema data. */
export interface PlannableMigration {
  readonly name: string
  readonly schema: MigrationSchema
}

/** Every table a migration's schema names, to read into a snapshot. */
export function tablesOf(schemas: readonly MigrationSchema[]): string[] {
  const names = new Set<string>()
  for (const schema of schemas) {
    for (const table of schema.tables) names.add(table.name)
    for (const added of schema.columns) names.add(added.table)
    for (const change of schema.kindChanges) names.add(change.table)
    for (const index of schema.indexes) names.add(index.table)
    for (const fk of schema.foreignKeys) names.add(fk.table).add(fk.references.table)
    for (const rename of schema.authShape ? shapeRenames(schema.authShape.from, schema.authShape.to).tables : []) names.add(rename.from).add(rename.to)
    for (const key of schema.authShape?.ids?.tables ?? []) names.add(key.table)
    for (const reference of schema.authShape?.ids?.references ?? []) names.add(reference.table)
  }
  return [...names]
}

/**
 * Plans `migrations` in order against `snapshot`, each against the snapshot the earlier ones
 * leave. `compileDb` compiles the statements: the live database, or {@link offlineDb}.
 */
export async function planMigrations(
  snapshot: CatalogSnapshot,
  migrations: readonly PlannableMigration[],
  compileDb: Kysely<any>,
): Promise<MigrationPlan[]> {
  const plans: MigrationPlan[] = []
  const targets = new Map<string, ColumnModel>()
  let catalog = snapshot
  for (const migration of migrations) {
    for (const table of migration.schema.tables) for (const column of table.columns) targets.set(`${table.name}.${column.name}`, column)
    const planner = new Planner(migration.name, migration.schema, catalog, compileDb, targets)
    const plan = await planner.plan()
    plans.push(plan)
    catalog = planner.catalog
  }
  return plans
}

/** Throws {@link SchemaConflictError} with every blocking finding of `plans`, in order. */
export function assertNoBlockingFindings(plans: readonly MigrationPlan[]): void {
  const blocking = plans.flatMap((plan) => blockingFindings(plan.findings))
  if (blocking.length > 0) throw new SchemaConflictError(blocking.map((f) => f.message), blocking)
}


class Planner {
  readonly findings: Finding[] = []
  readonly steps: PlannedStep[] = []
  catalog: CatalogSnapshot
  readonly #migration: string
  readonly #schema: MigrationSchema
  readonly #engine: Engine
  readonly #compileDb: Kysely<any>
  /** Target columns of every table created so far in the chain, for `sameAs` and references (ids given another type update it). */
  readonly #targets: Map<string, ColumnModel>
  /** Columns a finding is already about: later checks of the same column are skipped. */
  readonly #reported = new Set<string>()
  /** Tables this migration's own steps create: empty and unseen, so their indexes are built plainly. */
  readonly #createdHere = new Set<string>()
  /** What the adoption rules (`adoption.ts`) see of this planner. */
  readonly #adoption: AdoptionContext = {
    engine: () => this.#engine,
    catalog: () => this.catalog,
    report: (found) => this.#report(found),
    record: (found) => this.findings.push(found),
  }

  constructor(migration: string, schema: MigrationSchema, catalog: CatalogSnapshot, compileDb: Kysely<any>, targets: Map<string, ColumnModel>) {
    this.#migration = migration
    this.#schema = schema
    this.catalog = catalog
    this.#engine = catalog.engine
    this.#compileDb = compileDb
    this.#targets = targets
  }

  async plan(): Promise<MigrationPlan> {
    await this.#planShapeChange()
    await this.#planIdChange()
    const before = this.catalog
    const toAdd: { table: string; column: ColumnModel }[] = []
    const toWiden: ColumnTypeChange[] = []

    // Findings first, all against the database as it is before this migration.
    for (const table of this.#schema.tables) {
      const live = before.table(table.name)
      if (live && !live.planned && table.adoption === 'strict') await adoptStrict(this.#adoption, table, live, toAdd, toWiden)
    }
    for (const added of this.#schema.columns) this.#checkAddedColumn(added.table, added.column)
    const toRetype = this.#schema.kindChanges.flatMap((change) => this.#checkKindChange(change))
    for (const index of this.#schema.indexes) await this.#checkIndex(index, toWiden)
    for (const fk of this.#schema.foreignKeys) await this.#checkForeignKey(fk)
    if (blockingFindings(this.findings).length > 0) return { migration: this.#migration, findings: this.findings, steps: [] }

    // Then the steps, each applied to the snapshot as it is planned.
    for (const table of this.#schema.tables) {
      if (this.catalog.table(table.name)) continue
      const copies = table.columns.filter((c) => typeof c.type !== 'string')
      if (copies.length === 0) {
        await this.#step({ kind: 'createTable', table })
        this.#createdHere.add(table.name)
        continue
      }
      const sameAs: Record<string, ColumnInfo> = {}
      for (const column of copies) {
        const info = this.#resolveColumn(table.name, column)
        if (info) sameAs[column.name] = { ...info, name: column.name, nullable: column.nullable }
      }
      if (Object.keys(sameAs).length === copies.length) {
        await this.#step({ kind: 'createTable', table, sameAs })
        this.#createdHere.add(table.name)
      }
    }
    for (const { table, column } of toAdd) await this.#addColumn(table, column)
    for (const added of this.#schema.columns) {
      if (!this.catalog.table(added.table)) continue
      if (!this.catalog.column(added.table, added.column.name)) await this.#addColumn(added.table, added.column)
    }
    for (const change of toWiden) {
      const current = this.catalog.column(change.table, change.column)!
      await this.#step({ kind: 'changeColumnType', change, info: { ...current, ...this.#typeInfoOf(change, current) } })
    }
    for (const { change, target } of toRetype) {
      await this.#step({ kind: 'changeColumnType', change: { table: change.table, column: change.column, type: this.#engine.columnTypes[change.to], nullable: change.nullable }, info: target })
    }
    for (const index of this.#schema.indexes) {
      const table = this.catalog.table(index.table)
      if (!table) continue
      if (index.ifColumnsExist && !index.columns.every((c) => table.columns.some((column) => column.name === c))) continue
      const decision = decideIndex(table.indexes, index)
      if (decision === 'create' || decision === 'rebuild') {
        const spec: IndexSpec = { table: index.table, name: index.name, columns: index.columns, unique: index.unique === true }
        const onNewTable = this.#createdHere.has(index.table)
        await this.#step({ kind: 'createIndex', index: onNewTable ? { ...spec, onNewTable } : spec, rebuild: decision === 'rebuild' })
      }
    }
    for (const model of this.#schema.foreignKeys) {
      const table = this.catalog.table(model.table)
      if (!table) continue
      const spec = foreignKeySpec(model)
      const existing = findEquivalentForeignKey(table.foreignKeys, spec)
      if (!existing) await this.#step({ kind: 'addForeignKey', foreignKey: spec })
      else if (!existing.validated) await this.#step({ kind: 'validateForeignKey', foreignKey: spec, name: existing.name })
    }
    return { migration: this.#migration, findings: this.findings, steps: this.steps }
  }

  /**
   * The core tables moved to a new shape (`authShape`), after the views an earlier move left
   * are dropped (`dropViews`): each table renamed with its columns in one step, with a view
   * under its old names when asked. A table already moved (a rerun) is left as it is.
   */
  async #planShapeChange(): Promise<void> {
    for (const view of this.#schema.dropViews ?? []) await this.#step({ kind: 'dropView', view })
    const change = this.#schema.authShape
    if (!change) return
    for (const move of shapeRenames(change.from, change.to).tables) {
      const old = move.from !== move.to ? this.catalog.table(move.from) : undefined
      const current = this.catalog.table(move.to)
      if (old && current) {
        this.findings.push(finding('rename-target-exists', { table: move.to }, `"${move.from}" cannot be renamed "${move.to}": a table of that name exists`, `rename or drop the other "${move.to}" first`))
        continue
      }
      const table = old ?? current
      if (!table) {
        this.findings.push(finding('rename-source-missing', { table: move.from }, `"${move.from}" does not exist, so it cannot be renamed "${move.to}"`, 'run the migrations that create it first, or restore it from a backup'))
        continue
      }
      const renamed = (name: string): string => move.columns.find((c) => c.from === name)?.to ?? name
      const columns = table.columns.filter((c) => renamed(c.name) !== c.name && !table.columns.some((other) => other.name === renamed(c.name))).map((c) => ({ from: c.name, to: renamed(c.name) }))
      // Every column of the table (a plugin's too), each under its name before the move.
      const oldName = (name: string): string => move.columns.find((c) => c.to === name)?.from ?? name
      const view = change.views && move.from !== move.to ? { name: move.from, columns: table.columns.map((c) => ({ column: renamed(c.name), as: oldName(renamed(c.name)) })) } : undefined
      await this.#step({ kind: 'renameTable', rename: { from: table.name, to: move.to, columns, ...(view ? { view } : {}) } })
    }
  }

  /**
   * Ids of another type (`authShape.ids`), after the renames: refused while a table whose ids
   * change holds rows, a column that references one holds a value, or a foreign key the
   * migration does not know references one. Then the keys to those ids are dropped, every id
   * and empty table's reference retyped in place, a reference in a table with rows (all NULL)
   * made again with its indexes rebuilt online, and the keys added back. What already has the
   * new type (a rerun) is left as it is.
   */
  async #planIdChange(): Promise<void> {
    const change = this.#schema.authShape
    const ids = change?.ids
    if (!change || !ids || change.from.ids === change.to.ids) return
    const kind = idKind(change.to.ids)
    const stale = (table: string, column: string): boolean => {
      const live = this.catalog.column(table, column)
      return live !== undefined && !hasCatalogType(live, this.#engine.catalogTypes[kind])
    }
    const keyTables = new Set(ids.tables.map((key) => key.table))
    // A reference whose table exists; its column may be missing only after a crash between
    // dropping and adding it again (it is added then).
    const references = ids.references.filter((ref) => this.catalog.table(ref.table))
    const way = `keep advanced.database.generateId as the rows were made (${change.from.ids === 'string' ? 'a function, or unset' : `'${change.from.ids}'`}), or start from a new database`
    for (const key of ids.tables) {
      const table = this.catalog.table(key.table)
      if (table && !table.planned && table.hasRows && stale(key.table, key.column)) {
        this.findings.push(finding('id-change-rows', { table: key.table }, `"${key.table}" holds rows, so its ids cannot become ${change.to.ids} ids (an id cannot be converted, only made anew)`, way))
      }
      if (!table || table.planned) continue
      for (const fk of await this.catalog.data(key.table).referencingForeignKeys(key.table)) {
        const [column] = fk.columns
        if (fk.referencedTable !== key.table || ids.references.some((ref) => ref.table === fk.table && ref.column === column)) continue
        this.findings.push(
          finding('id-change-unknown-reference', { table: fk.table, column }, `"${fk.table}"."${column}" references "${key.table}" through "${fk.name}", which no migration gives the new id type`, 'drop that foreign key in a migration of your own first, and add it back after'),
        )
      }
    }
    for (const ref of references) {
      const table = this.catalog.table(ref.table)!
      if (table.planned || !table.hasRows || !stale(ref.table, ref.column)) continue
      const value = await this.catalog.data(ref.table).anyValue(ref.table, ref.column)
      if (value !== undefined) {
        this.findings.push(finding('id-change-rows', { table: ref.table, column: ref.column }, `"${ref.table}"."${ref.column}" holds ids (e.g. ${value}), so they cannot become ${change.to.ids} ids`, way))
      }
    }
    if (blockingFindings(this.findings).length > 0) return

    const anyStale = ids.tables.some((key) => stale(key.table, key.column)) || references.some((ref) => stale(ref.table, ref.column))
    if (anyStale) {
      for (const ref of references) {
        for (const fk of this.catalog.table(ref.table)!.foreignKeys) {
          if (fk.columns.length === 1 && fk.columns[0] === ref.column && keyTables.has(fk.referencedTable)) await this.#step({ kind: 'dropForeignKey', table: ref.table, name: fk.name })
        }
      }
    }
    const type = this.#engine.columnTypes[kind]
    for (const key of ids.tables) {
      if (!stale(key.table, key.column)) continue
      const retype = { table: key.table, column: key.column, type, nullable: false, madeBefore: idMaking(change.from.ids), made: idMaking(change.to.ids) }
      await this.#step({ kind: 'retypeColumn', retype, info: this.#engine.catalogColumn(key.column, kind, false) })
    }
    for (const ref of references) {
      const table = this.catalog.table(ref.table)!
      const live = this.catalog.column(ref.table, ref.column)
      const nullable = live?.nullable ?? ref.nullable
      const info = this.#engine.catalogColumn(ref.column, kind, nullable)
      // The indexes over it: the migrations' (also after a crash that had dropped them), and any other it had.
      const indexes = new Map((ref.indexes ?? []).map((index) => [index.name, { table: ref.table, name: index.name, columns: index.columns, unique: index.unique === true }]))
      if (!live) {
        await this.#step({ kind: 'addColumn', column: { table: ref.table, column: ref.column, type, ...(nullable ? {} : { notNull: true }) }, info, restore: true })
      } else if (stale(ref.table, ref.column) && (table.planned || !table.hasRows)) {
        await this.#step({ kind: 'retypeColumn', retype: { table: ref.table, column: ref.column, type, nullable, madeBefore: 'none', made: 'none' }, info })
      } else if (stale(ref.table, ref.column)) {
        const dropped = table.indexes.filter((i) => !i.primary && i.columns.includes(ref.column))
        for (const index of dropped) if (!indexes.has(index.name)) indexes.set(index.name, { table: ref.table, name: index.name, columns: index.columns, unique: index.unique })
        await this.#step({ kind: 'remakeColumn', column: { table: ref.table, column: ref.column, type }, info, indexes: dropped.map((i) => i.name) })
      }
      for (const spec of indexes.values()) {
        if (decideIndex(this.catalog.table(ref.table)!.indexes, spec) === 'create') await this.#step({ kind: 'createIndex', index: spec, rebuild: false, restore: true })
      }
    }
    for (const ref of references) {
      const linked = this.catalog.table(ref.table)!.foreignKeys.some((fk) => fk.columns.length === 1 && fk.columns[0] === ref.column && fk.referencedTable === ref.references.table)
      const foreignKey = { table: ref.table, name: ref.foreignKey, column: ref.column, referencedTable: ref.references.table, referencedColumn: ref.references.column }
      if (!linked) await this.#step({ kind: 'addForeignKey', foreignKey, restore: true })
    }
    for (const key of ids.tables) this.#targets.set(`${key.table}.${key.column}`, idColumn(key.column, change.to.ids))
  }

  /** The type an existing column is widened to, as the catalog will read it back. */
  #typeInfoOf(change: ColumnTypeChange, current: ColumnInfo): Partial<ColumnInfo> {
    const text = typeof change.type === 'string' ? change.type : sql`${change.type}`.compile(this.#compileDb).sql
    const type = text.split(' ')[0]!.toLowerCase()
    return { type, baseType: type.split('(')[0]!, charset: current.charset, collation: current.collation }
  }

  async #addColumn(table: string, column: ColumnModel): Promise<void> {
    const info = this.#resolveColumn(table, column)
    if (!info) return
    const type = typeof column.type === 'string' ? this.#engine.columnTypes[column.type] : sameTypeAs(info)
    const spec: ColumnSpec = { table, column: column.name, type, ...(column.nullable ? {} : { notNull: true }), ...defaultSql(column, this.#engine) }
    await this.#step({ kind: 'addColumn', column: spec, info: { ...info, name: column.name, nullable: column.nullable } })
  }

  /** How `column` will read back from the catalog: its kind's type, or the type it copies. */
  #resolveColumn(table: string, column: ColumnModel): ColumnInfo | undefined {
    if (typeof column.type === 'string') return this.#engine.catalogColumn(column.name, column.type, column.nullable)
    const source = this.#referencedColumn(column.type.sameAs)
    if (!source) {
      this.findings.push(
        finding('reference-missing', { table, column: column.name }, `table "${column.type.sameAs.table}" has no column "${column.type.sameAs.column}"`, 'run the migration that creates it first'),
      )
      return undefined
    }
    return source
  }

  /**
   * The column `ref` points at: the live one when its kind of value is what the module's own
   * target holds (a `user.id` of integers, which 0001 refuses, says nothing about what a
   * `user_id` should be), else the target as the module would create it.
   */
  #referencedColumn(ref: ColumnRef): ColumnInfo | undefined {
    const live = this.catalog.column(ref.table, ref.column)
    const target = this.#targets.get(`${ref.table}.${ref.column}`)
    const targetInfo = target && typeof target.type === 'string' ? this.#engine.catalogColumn(ref.column, target.type, target.nullable) : undefined
    if (live && (!targetInfo || valueFamily(live) === valueFamily(targetInfo))) return live
    return targetInfo ?? live
  }

  async #step(action: StepAction): Promise<void> {
    const statements: string[] = []
    const schemaStatements: string[] = []
    await recordStep(recordingRunner(this.#compileDb, statements, this.catalog.liveDb, schemaStatements), this.#engine, action)
    this.steps.push({ migration: this.#migration, action, statements, schemaStatements })
    this.catalog = applyStep(this.catalog, action, this.#engine)
  }

  /**
   * A column to give another kind: only in a table this module created (an adopted one keeps its
   * column), only when it is not of that type already, and only when no value can change or
   * become equal to another (`canWidenLosslessly`: as wide, a character set that holds every
   * character, a binary collation). Returns the change to make, with the column as it will read back.
   */
  #checkKindChange(change: ColumnKindChangeModel): { change: ColumnKindChangeModel; target: ColumnInfo }[] {
    const table = this.catalog.table(change.table)
    const column = this.catalog.column(change.table, change.column)
    if (!table || !column || !(table.planned || table.created)) return []
    const target = { ...this.#engine.catalogColumn(change.column, change.to, column.nullable), name: change.column }
    if (hasCatalogType(column, this.#engine.catalogTypes[change.to])) return []
    if (!canWidenLosslessly(column, target)) {
      this.#report(
        finding(
          'column-kind-change-lossy',
          { table: change.table, column: change.column },
          `"${change.table}"."${change.column}" is ${describeColumnType(column)}, which cannot become ${describeColumnType(target)} without changing values`,
          `give it that type yourself, or rename the table`,
        ),
      )
      return []
    }
    return [{ change, target }]
  }

  /**
   * A column added to a table that may exist: one already there must have exactly the type it
   * copies, and a required one without a default cannot be added to a table that holds rows.
   */
  #checkAddedColumn(table: string, model: ColumnModel): void {
    const existing = this.catalog.column(table, model.name)
    const live = this.catalog.table(table)
    if (!existing && live && !live.planned && live.hasRows && !model.nullable && !model.default) {
      this.#report(
        finding(
          'required-column-missing',
          { table, column: model.name },
          `"${table}" has rows, so the required column "${model.name}" (no default) cannot be added: they would have no value`,
          'give the field a defaultValue, or make it optional (required: false), fill it, and make it required in a later migration',
        ),
      )
      return
    }
    if (!existing || typeof model.type === 'string') return
    const source = this.#referencedColumn(model.type.sameAs)
    if (!source || sameType(existing, source)) return
    const { table: refTable, column: refColumn } = model.type.sameAs
    this.#report(
      finding(
        'column-type-differs',
        { table, column: model.name },
        `"${table}"."${model.name}" exists as ${describeColumnType(existing)} but ${refTable}.${refColumn} is ${describeColumnType(source)}`,
        `rename the old column (or give it ${refTable}.${refColumn}'s exact type)`,
      ),
    )
  }

  /**
   * An index over existing rows: a unique one needs no duplicates, and (MySQL) an unbounded
   * string column becomes `varchar(255)` first when every value fits.
   */
  async #checkIndex(index: IndexModel, toWiden: ColumnTypeChange[]): Promise<void> {
    const table = this.catalog.table(index.table)
    if (!table) return
    if (table.indexes.some((existing) => existing.name === index.name || servesAs(existing, index))) return
    const data = this.catalog.data(index.table)
    if (index.unique && !table.planned && index.columns.every((c) => table.columns.some((column) => column.name === c))) {
      const duplicate = await data.duplicate(index.table, index.columns)
      if (duplicate !== undefined) {
        this.findings.push(
          finding('unique-duplicates', { table: index.table, column: index.columns.join(', ') }, `"${index.table}"."${index.columns.join('", "')}" holds duplicates (e.g. ${duplicate}), so it cannot be made unique`, 'remove them'),
        )
      }
    }
    if (!this.#engine.indexNeedsBoundedString) return
    for (const name of index.columns) {
      const column = table.columns.find((c) => c.name === name)
      if (!column || !isUnboundedString(column)) continue
      const longest = await data.longest(index.table, name)
      if (longest > INDEXABLE_STRING_LENGTH) {
        this.#report(
          finding(
            'value-too-long-for-index',
            { table: index.table, column: name },
            `"${index.table}"."${name}" is ${column.type} and holds a value of ${longest} characters, so it cannot become varchar(${INDEXABLE_STRING_LENGTH}) for index ${index.name}`,
            'shorten or remove that value',
          ),
        )
      } else if (!toWiden.some((change) => change.table === index.table && change.column === name)) {
        toWiden.push({ table: index.table, column: name, type: boundedStringType(column), nullable: column.nullable })
      }
    }
  }

  /**
   * A foreign key over rows that exist: the table's engine must enforce it, an equivalent key
   * must cascade, the columns must match, and no value may lack its referenced row.
   */
  async #checkForeignKey(model: ForeignKeyModel): Promise<void> {
    const table = this.catalog.table(model.table)
    if (!table || table.planned) return
    const spec = foreignKeySpec(model)
    if (table.storageEngine !== null && table.storageEngine.toLowerCase() !== 'innodb') {
      this.findings.push(
        finding('storage-engine', { table: model.table }, `"${model.table}" uses the ${table.storageEngine} engine, which ignores foreign keys`, `convert it with ALTER TABLE ${model.table} ENGINE=InnoDB`),
      )
    }
    const column = table.columns.find((c) => c.name === model.column)
    // The live referenced column where there is one: a key over a column of another family is
    // refused by the migration that owns that column, not here.
    const referenced = this.catalog.column(model.references.table, model.references.column) ?? this.#referencedColumn(model.references)
    if (!column || !referenced || this.#reported.has(`${model.table}.${model.column}`)) return
    if (valueFamily(column) !== 'string' || valueFamily(referenced) !== 'string') return
    const where = { table: model.table, column: model.column }
    const { table: refTable, column: refColumn } = model.references
    const strict = this.#schema.tables.some((t) => t.name === model.table && t.adoption === 'strict')
    const equivalent = findEquivalentForeignKey(table.foreignKeys, spec)
    if (equivalent) {
      if (equivalent.onDelete !== 'CASCADE') {
        const problem = `"${model.table}"."${model.column}" references "${refTable}" through "${equivalent.name}" with ON DELETE ${equivalent.onDelete}`
        this.findings.push(
          strict
            ? finding('foreign-key-on-delete', where, problem, `Better Auth deletes a ${refTable}'s ${model.table}s with them, so recreate that key with ON DELETE CASCADE`)
            : finding('foreign-key-on-delete', where, problem, 'recreate it with ON DELETE CASCADE'),
        )
      }
      return
    }
    if (!canReference(column, referenced)) {
      this.findings.push(
        finding(
          'foreign-key-type',
          where,
          `"${model.table}"."${model.column}" is ${describeColumnType(column)} but ${refTable}.${refColumn} is ${describeColumnType(referenced)}; a foreign key needs both alike`,
          `change "${model.column}" to ${refTable}.${refColumn}'s type`,
        ),
      )
      return
    }
    const parent = this.catalog.table(refTable)
    // A referenced table that does not exist yet (or that the plan creates) is empty: every value is an orphan.
    const orphan =
      parent && !parent.planned
        ? await this.catalog.data(model.table).orphan(model.table, model.column, refTable, refColumn)
        : await this.catalog.data(model.table).anyValue(model.table, model.column)
    if (orphan === undefined) return
    const required = this.#targets.get(`${model.table}.${model.column}`)?.nullable === false
    this.findings.push(
      required
        ? finding('foreign-key-orphans', where, `"${model.table}"."${model.column}" holds ${refTable} ids that no ${refTable} has (e.g. ${orphan})`, `delete those ${model.table} rows`)
        : finding('foreign-key-orphans', where, `"${model.table}"."${model.column}" holds ids that no ${refTable} has (e.g. ${orphan})`, 'set them to NULL or fix them, then run again'),
    )
  }

  #report(found: Finding): void {
    this.findings.push(found)
    if (found.column) this.#reported.add(`${found.table}.${found.column}`)
  }
}

/** How the database makes ids under `ids`. */
function idMaking(ids: IdStrategy): IdMaking {
  return ids === 'uuid' ? 'randomUuid' : ids === 'serial' ? 'generated' : 'none'
}

/** The `default` of a column added to an existing table, as SQL; nothing when it has none. */
function defaultSql(column: ColumnModel, engine: Engine): { default?: RawBuilder<unknown> } {
  if (!column.default) return {}
  if ('now' in column.default) return { default: engine.columnTypes.now }
  if ('randomUuid' in column.default) return engine.columnTypes.randomUuid ? { default: engine.columnTypes.randomUuid } : {}
  return { default: sql.lit(column.default.literal) }
}
