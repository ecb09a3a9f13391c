/**
 * The schema as data: what a migration makes, stated once.
 *
 * Every migration exports its target as a frozen {@link MigrationSchema}. Its `up` hands that
 * data to the planner (`plan.ts`), which compares it with the catalog and returns the steps to
 * run; `db:verify` checks the live database against the fold of every applied migration's data
 * ({@link foldSchemas}); `migrate:sql` and `--dry-run` print the planned steps. Nothing else
 * restates a table.
 *
 * Column kinds are engine-neutral names; each engine (`src/engines/<name>/column-types.ts`)
 * says which SQL type a kind is.
 */

import { idColumn, shapeRenames, type AuthShape } from './auth-shape.js'

/**
 * The kinds of column this module creates. `exactString` is an indexed string compared byte for
 * byte on every engine, as PostgreSQL compares `text`: no case or accent folding, and trailing
 * spaces count (MySQL 8's `utf8mb4_0900_bin`, MariaDB's `utf8mb4_nopad_bin`; `utf8mb4_bin` pads).
 * `integer` and `json` came with the migrations that Better Auth's options generate
 * (`migrate:make --auth`): a plugin's number fields, and its `json`, `string[]` and `number[]`
 * fields (Better Auth's Kysely adapter writes arrays as JSON). `uuid` came with Better Auth's
 * `generateId: 'uuid'` (PostgreSQL's `uuid`; a 36-character string on MySQL, as Better Auth's own).
 */
export type ColumnKind = 'key' | 'indexedString' | 'exactString' | 'text' | 'shortString' | 'boolean' | 'timestamp' | 'bigint' | 'integer' | 'json' | 'uuid'

/** A column of another table, by name. */
export interface ColumnRef {
  readonly table: string
  readonly column: string
}

/** A column's type: a kind, or exactly the type (and MySQL collation) of another column. */
export type ColumnType = ColumnKind | { readonly sameAs: ColumnRef }

/**
 * What a column gets when an insert leaves it out: the current time, a literal, or a random uuid
 * (where the engine makes one: PostgreSQL's `gen_random_uuid()`, which Better Auth's
 * `generateId: 'uuid'` leaves ids to; on MySQL Better Auth makes them itself, so no default).
 */
export type ColumnDefault = { readonly now: true } | { readonly literal: string | boolean | number } | { readonly randomUuid: true }

export interface ColumnModel {
  readonly name: string
  readonly type: ColumnType
  readonly nullable: boolean
  readonly default?: ColumnDefault
  /** The table's primary key (one column). */
  readonly primaryKey?: boolean
  /** A `bigint` or `integer` key that the database generates on insert (identity / auto_increment). */
  readonly generated?: boolean
  /**
   * Key columns of adopted tables only: the fewest characters an existing column must hold
   * (Better Auth's ids are 32 characters; its verification ids up to 43, hence 255 there).
   */
  readonly minLength?: number
}

/**
 * How a table that already exists is treated.
 * - `strict`: a Better Auth table. Missing optional columns are added, key columns too narrow
 *   are widened when that is lossless, and anything Better Auth could not work with refuses the
 *   migration before any change.
 * - `legacy`: the application's own table (a legacy `artwork_jobs`). Kept exactly as it is:
 *   only what later entries of the schema add (a column, an index, a key) changes it.
 */
export type Adoption = 'strict' | 'legacy'

export interface TableModel {
  readonly name: string
  /** In creation order; the column marked `primaryKey` is the key. */
  readonly columns: readonly ColumnModel[]
  /** Unique constraints declared with the table, created with it. */
  readonly uniques?: readonly { readonly name: string; readonly columns: readonly string[] }[]
  readonly adoption: Adoption
}

/**
 * A column added to a table that may already exist and be large. Nullable, or NOT NULL with a
 * `default` (a metadata-only change on PostgreSQL 11+, MySQL 8 and MariaDB 10.3+). A NOT NULL
 * column without a default is added only to an empty table: the plan refuses, before any change,
 * a table that holds rows (they would have no value).
 */
export interface AddedColumnModel {
  readonly table: string
  readonly column: ColumnModel
  /** Added only where the table exists (a table the module does not create, `upload_history`). */
  readonly ifTableExists?: boolean
}

export interface IndexModel {
  readonly table: string
  readonly name: string
  readonly columns: readonly string[]
  readonly unique?: boolean
  /** Built only where the table exists. */
  readonly ifTableExists?: boolean
  /** Built only where every column exists (a legacy table may lack one); otherwise skipped. */
  readonly ifColumnsExist?: boolean
}

export interface ForeignKeyModel {
  readonly table: string
  readonly name: string
  readonly column: string
  readonly references: ColumnRef
  readonly onDelete: 'cascade'
  /** Added only where the table exists. */
  readonly ifTableExists?: boolean
}

/**
 * A column of a table that an earlier migration made, given another kind: a fix forward of what
 * that column compares or holds. Only ever lossless (every value keeps its exact content, and
 * no two values become equal), checked by the planner before any change.
 */
export interface ColumnKindChangeModel {
  readonly table: string
  readonly column: string
  /** The kind it had; `down` gives it back. */
  readonly from: ColumnKind
  readonly to: ColumnKind
  readonly nullable: boolean
  /**
   * Changed only where this module created the table (its ledger says so). An adopted `legacy`
   * table is the application's: it keeps its column as it is (`db:verify` warns).
   */
  readonly createdTablesOnly: true
}

/**
 * Better Auth's core tables moved from one shape to another (`migrate:make --auth` after the
 * options renamed a table or a column): renamed in place, every row, key and index kept. With
 * `views`, each renamed table also stays readable and writable under its old name and old
 * column names (a view) while old and new replicas run side by side; a later generated
 * migration drops those views (`dropViews`).
 */
export interface AuthShapeChangeModel {
  readonly from: AuthShape
  readonly to: AuthShape
  readonly views: boolean
  /** With ids of another type (`from.ids` → `to.ids`): what holds them, retyped after the renames. */
  readonly ids?: IdChangeModel
}

/**
 * Ids of another type (`generateId` changed): every table whose id Better Auth makes and every
 * column that holds one of those ids, by their names after the change. Generated only while
 * those tables are empty (the planner refuses otherwise): an id cannot be converted, only made
 * anew. A referencing column of a table with rows (`artwork_jobs.user_id`, all NULL then) is
 * dropped and added again in the new type, metadata only, and its indexes rebuilt online.
 */
export interface IdChangeModel {
  /** The id column of each table whose ids Better Auth makes (the core tables and the plugins'). */
  readonly tables: readonly ColumnRef[]
  readonly references: readonly IdReferenceModel[]
}

/** A column that holds ids of another table, and its foreign key. */
export interface IdReferenceModel {
  readonly table: string
  readonly column: string
  readonly nullable: boolean
  readonly foreignKey: string
  readonly references: ColumnRef
  /** Only where the table exists (`upload_history`). */
  readonly ifTableExists?: boolean
  /**
   * The indexes over the column that the migrations make: built again when the column is made
   * again, and after a crash that dropped them (a run resumed finds them missing).
   */
  readonly indexes?: readonly { readonly name: string; readonly columns: readonly string[]; readonly unique?: boolean }[]
}

/** Everything one migration makes, in the order it makes it. */
export interface MigrationSchema {
  /** The core tables renamed, before anything else (see {@link AuthShapeChangeModel}). */
  readonly authShape?: AuthShapeChangeModel
  /** Views under old names that an earlier `authShape` change left for a rolling deploy, dropped first. */
  readonly dropViews?: readonly string[]
  readonly tables: readonly TableModel[]
  readonly columns: readonly AddedColumnModel[]
  /** Columns given another kind, after the columns are added and before the indexes. */
  readonly kindChanges: readonly ColumnKindChangeModel[]
  readonly indexes: readonly IndexModel[]
  readonly foreignKeys: readonly ForeignKeyModel[]
}

/** Freezes a migration's schema deeply: released data never changes, not even by accident. */
export function defineSchema(schema: Partial<MigrationSchema>): MigrationSchema {
  return deepFreeze({ tables: [], columns: [], kindChanges: [], indexes: [], foreignKeys: [], ...schema })
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** A table of the folded schema: its columns from every migration, and whether it may be absent. */
export interface FoldedTable {
  readonly name: string
  readonly columns: readonly ColumnModel[]
  readonly adoption: Adoption
  /** Made by no migration, only changed where it exists (`upload_history`). */
  readonly optional: boolean
}

/** The schema that a sequence of migrations leads to. */
export interface FoldedSchema {
  readonly tables: readonly FoldedTable[]
  readonly indexes: readonly IndexModel[]
  readonly foreignKeys: readonly ForeignKeyModel[]
}

/**
 * The end state of `schemas` applied in order: tables with every column added to them,
 * unique constraints listed as unique indexes, then indexes and foreign keys.
 */
export function foldSchemas(schemas: readonly MigrationSchema[]): FoldedSchema {
  const tables = new Map<string, { name: string; columns: ColumnModel[]; adoption: Adoption; optional: boolean }>()
  const indexes: IndexModel[] = []
  const foreignKeys: ForeignKeyModel[] = []
  for (const schema of schemas) {
    if (schema.authShape) {
      const renames = shapeRenames(schema.authShape.from, schema.authShape.to)
      for (const [name, table] of [...tables]) {
        const renamed = renames.table(name)
        tables.delete(name)
        tables.set(renamed, { ...table, name: renamed, columns: table.columns.map((c) => ({ ...c, name: renames.column(name, c.name) })) })
      }
      const renamedIndexes = indexes.map((i) => ({ ...i, table: renames.table(i.table), columns: i.columns.map((c) => renames.column(i.table, c)) }))
      indexes.splice(0, indexes.length, ...renamedIndexes)
      const keys = foreignKeys.map((fk) => ({
        ...fk,
        table: renames.table(fk.table),
        column: renames.column(fk.table, fk.column),
        references: { table: renames.table(fk.references.table), column: renames.column(fk.references.table, fk.references.column) },
      }))
      foreignKeys.splice(0, foreignKeys.length, ...keys)
      const ids = schema.authShape.ids
      const retype = (ref: ColumnRef, column: (c: ColumnModel) => ColumnModel): void => {
        const table = tables.get(ref.table)
        if (table) table.columns = table.columns.map((c) => (c.name === ref.column ? column(c) : c))
      }
      for (const key of ids?.tables ?? []) retype(key, (c) => idColumn(c.name, schema.authShape!.to.ids))
      for (const reference of ids?.references ?? []) retype(reference, (c) => ({ ...c, type: { sameAs: reference.references } }))
    }
    for (const table of schema.tables) {
      tables.set(table.name, { name: table.name, columns: [...table.columns], adoption: table.adoption, optional: false })
      for (const unique of table.uniques ?? []) indexes.push({ table: table.name, name: unique.name, columns: unique.columns, unique: true })
    }
    for (const added of schema.columns) {
      const table = tables.get(added.table) ?? { name: added.table, columns: [], adoption: 'legacy' as const, optional: added.ifTableExists === true }
      table.columns.push(added.column)
      tables.set(added.table, table)
    }
    for (const change of schema.kindChanges) {
      const table = tables.get(change.table)
      const index = table?.columns.findIndex((c) => c.name === change.column) ?? -1
      if (table && index >= 0) table.columns[index] = { ...table.columns[index]!, type: change.to }
    }
    indexes.push(...schema.indexes)
    foreignKeys.push(...schema.foreignKeys)
  }
  return { tables: [...tables.values()], indexes, foreignKeys }
}
