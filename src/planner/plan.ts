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
import { DummyDriver, Kysely, PostgresIntrospector, sql, type CreateTableBuilder, type RawBuilder } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import type { ColumnSpec, ColumnTypeChange, Engine, ForeignKeySpec, IndexSpec } from '../engines/engine.js'
import { CatalogSnapshot, type TableSnapshot } from './catalog-snapshot.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'
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
  KIND_FAMILIES,
} from '../model/type-rules.js'
import { recordingRunner } from '../engines/ddl-runner.js'
import { blockingFindings, finding, type Finding } from '../model/findings.js'
import type { ColumnKind, ColumnKindChangeModel, ColumnModel, ColumnRef, ForeignKeyModel, IndexModel, MigrationSchema, TableModel } from '../model/migration-schema.js'

/** What one step does; the engine's recipe says how. */
export type StepAction =
  | {
      readonly kind: 'createTable'
      readonly table: TableModel
      /** The exact types of columns that copy another column's (`sameAs`), read when planned. */
      readonly sameAs?: Readonly<Record<string, ColumnInfo>>
    }
  | { readonly kind: 'addColumn'; readonly column: ColumnSpec; readonly info: ColumnInfo }
  | { readonly kind: 'changeColumnType'; readonly change: ColumnTypeChange; readonly info: ColumnInfo }
  | { readonly kind: 'createIndex'; readonly index: IndexSpec; readonly rebuild: boolean }
  | { readonly kind: 'addForeignKey'; readonly foreignKey: ForeignKeySpec }
  | { readonly kind: 'validateForeignKey'; readonly foreignKey: ForeignKeySpec; readonly name: string }

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

/** A Kysely that compiles `engine`'s SQL with no database behind it (`migrate:sql`). */
export function offlineDb(engine: Engine): Kysely<any> {
  return new Kysely<any>({
    dialect: {
      createAdapter: () => engine.createAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => engine.createQueryCompiler(),
    },
  })
}

/**
 * Builds `table`'s `create table` in the engine's types: the one statement both the plan and
 * the step compile. A generated key is not marked NOT NULL: its primary key implies it.
 */
export function createTableBuilder(
  db: Kysely<any>,
  engine: Engine,
  table: TableModel,
  sameAs: Readonly<Record<string, ColumnInfo>> = {},
): CreateTableBuilder<string, string> {
  const types = engine.columnTypes
  let builder = db.schema.createTable(table.name).ifNotExists()
  for (const column of table.columns) {
    const copied = sameAs[column.name]
    if (typeof column.type !== 'string' && !copied) throw new Error(`${table.name}.${column.name}: the type it copies was not resolved`)
    const type = typeof column.type === 'string' ? types[column.type] : sameTypeAs(copied!)
    builder = builder.addColumn(column.name, type, (col) => {
      if (column.primaryKey) col = col.primaryKey()
      if (column.generated) col = types.generated(col)
      else if (!column.nullable) col = col.notNull()
      if (column.default && 'now' in column.default) col = col.defaultTo(types.now)
      else if (column.default && typeof column.default.literal === 'boolean') col = col.defaultTo(sql.lit(column.default.literal))
      else if (column.default) col = col.defaultTo(column.default.literal)
      return col
    })
  }
  for (const unique of table.uniques ?? []) builder = builder.addUniqueConstraint(unique.name, [...unique.columns] as never[])
  return types.tableOptions(builder)
}


/** Better Auth's generated ids are 32 characters (its own MySQL type is `varchar(36)`). */
const KEY_MIN_LENGTH = 32

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

class Planner {
  readonly findings: Finding[] = []
  readonly steps: PlannedStep[] = []
  catalog: CatalogSnapshot
  readonly #migration: string
  readonly #schema: MigrationSchema
  readonly #engine: Engine
  readonly #compileDb: Kysely<any>
  /** Target columns of every table created so far in the chain, for `sameAs` and references. */
  readonly #targets: ReadonlyMap<string, ColumnModel>
  /** Columns a finding is already about: later checks of the same column are skipped. */
  readonly #reported = new Set<string>()
  /** Tables this migration's own steps create: empty and unseen, so their indexes are built plainly. */
  readonly #createdHere = new Set<string>()

  constructor(migration: string, schema: MigrationSchema, catalog: CatalogSnapshot, compileDb: Kysely<any>, targets: ReadonlyMap<string, ColumnModel>) {
    this.#migration = migration
    this.#schema = schema
    this.catalog = catalog
    this.#engine = catalog.engine
    this.#compileDb = compileDb
    this.#targets = targets
  }

  async plan(): Promise<MigrationPlan> {
    const before = this.catalog
    const toAdd: { table: string; column: ColumnModel }[] = []
    const toWiden: ColumnTypeChange[] = []

    // Findings first, all against the database as it is before this migration.
    for (const table of this.#schema.tables) {
      const live = before.table(table.name)
      if (live && !live.planned && table.adoption === 'strict') await this.#adoptStrict(table, live, toAdd, toWiden)
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
   * A Better Auth table that already exists. Accepted as they are: Better Auth's own types
   * (`varchar(36)` ids, `timestamp(3)`, `text` strings), other names for its keys
   * (`user_email_key`, `account_ibfk_1`), and columns that are nullable where the target is
   * not. Fixed: missing optional columns, key columns too narrow (widened when no foreign key
   * involves them). Refused, with what to do: anything else that Better Auth could not work with.
   */
  async #adoptStrict(table: TableModel, live: TableSnapshot, toAdd: { table: string; column: ColumnModel }[], toWiden: ColumnTypeChange[]): Promise<void> {
    const name = table.name
    for (const model of table.columns) {
      const where = { table: name, column: model.name }
      const column = live.columns.find((c) => c.name === model.name)
      if (typeof model.type !== 'string') continue
      if (!column) {
        if (model.nullable) toAdd.push({ table: name, column: model })
        else if (live.hasRows) this.#report(finding('required-column-missing', where, `"${name}" has rows but no required column "${model.name}"`, 'add it and fill it, or rename the table'))
        else this.#report(finding('required-column-missing-empty', where, `"${name}" has no required column "${model.name}"`, 'the table is empty, so drop it and run again'))
        continue
      }
      const expected = KIND_FAMILIES[model.type]
      if (valueFamily(column) !== expected) {
        this.#report(
          model.type === 'key'
            ? finding('column-type-family', where, `"${name}"."${model.name}" is ${column.type}, but Better Auth writes string ids`, 'rename the table, or migrate its ids to strings')
            : finding('column-type-family', where, `"${name}"."${model.name}" is ${column.type}, but Better Auth stores a ${expected} there`, "change the column's type, or rename the table"),
        )
        continue
      }
      if (model.nullable && !column.nullable) {
        this.#report(finding('column-not-nullable', where, `"${name}"."${model.name}" is NOT NULL, but Better Auth leaves it empty`, 'make the column nullable'))
      }
      if (model.type === 'key') {
        const length = /\((\d+)\)/.exec(column.type)
        const minLength = model.minLength ?? KEY_MIN_LENGTH
        if (length && Number(length[1]) < minLength) {
          const bound = await this.#boundByForeignKey(live, model.name)
          const target = { ...this.#engine.catalogColumn(model.name, 'key', column.nullable), name: model.name }
          if (!bound && canWidenLosslessly(column, target)) {
            toWiden.push({ table: name, column: model.name, type: this.#engine.columnTypes.key, nullable: model.nullable })
          } else {
            this.#report(
              finding(
                'key-too-narrow',
                where,
                `"${name}"."${model.name}" is ${describeColumnType(column)}, narrower than the ${minLength} characters Better Auth's ids there need` +
                  (bound ? `, and ${bound}` : ''),
                `widen it to ${this.#engine.catalogTypes.key.type} yourself`,
              ),
            )
          }
        }
      }
    }
    const key = table.columns.find((c) => c.primaryKey)?.name
    const primary = live.indexes.find((index) => index.primary)
    if (key && live.columns.some((c) => c.name === key) && primary?.columns.join() !== key) {
      this.findings.push(
        finding('primary-key', { table: name }, `"${name}" has ${primary ? `primary key (${primary.columns.join(', ')})` : 'no primary key'}, not (${key})`, `make "${key}" its primary key`),
      )
    }
  }

  /** Why `table.column` must keep its type (a foreign key uses it), if it must. */
  async #boundByForeignKey(live: TableSnapshot, column: string): Promise<string | undefined> {
    // user.id is what every userId and user_id copies, keys or not: it is never changed here.
    if (live.name === 'user' && column === 'id') return 'every user reference copies its type'
    const outgoing = live.foreignKeys.find((fk) => fk.columns.includes(column))
    if (outgoing) return `foreign key "${outgoing.name}" uses it`
    const incoming = (await this.catalog.data(live.name).referencingForeignKeys(live.name)).find((fk) => fk.referencedColumns.includes(column))
    return incoming ? `foreign key "${incoming.name}" uses it` : undefined
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

/** Sends a step's statements through `r`: the recipe, without the looks (the planner looked). */
export async function recordStep(r: import('../engines/ddl-runner.js').DdlRunner, engine: Engine, action: StepAction): Promise<void> {
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
  }
}

/** The snapshot as `action` leaves it. */
export function applyStep(catalog: CatalogSnapshot, action: StepAction, engine: Engine): CatalogSnapshot {
  const table = (name: string): TableSnapshot => catalog.table(name)!
  switch (action.kind) {
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

/** The `default` of a column added to an existing table, as SQL; nothing when it has none. */
function defaultSql(column: ColumnModel, engine: Engine): { default?: RawBuilder<unknown> } {
  if (!column.default) return {}
  if ('now' in column.default) return { default: engine.columnTypes.now }
  return { default: sql.lit(column.default.literal) }
}
