/**
 * The comparison of a live schema (a catalog snapshot, read once) with its target: for each
 * table, column, foreign key and index the target names, the findings that say how the live
 * one differs. `db:verify` renders these findings as its checklist (`src/verify/schema-checks.ts`);
 * the codes are what tests and tools match on.
 *
 * Adoption (`plan.ts`) asks a different question of the same snapshot, "can the migration run
 * here": it also reads the rows (duplicates, orphans) and refuses with blocking findings of the
 * same shape. This asks "does the database match what the migrations make".
 */
import { sql, type Kysely } from 'kysely'
import type { Engine, ForeignKeySpec } from '../engines/engine.js'
import type { CatalogSnapshot } from './catalog-snapshot.js'
import type { ColumnInfo } from '../model/catalog-info.js'
import { describeCatalogType, hasCatalogType, sameType, sameTypeAs } from '../model/type-rules.js'
import { finding, type Finding } from '../model/findings.js'
import type { ColumnKind } from '../model/migration-schema.js'
import { servesAs } from './existing-objects.js'
import { howToRun } from '../invocation.js'

/** How much a difference matters: `fail` makes `db:verify` exit non-zero, `warn` does not. */
export type Severity = 'fail' | 'warn'

export interface ExpectedColumn {
  readonly name: string
  /** The column's kind; or `sameAs`: exactly the type (and MySQL collation) of another column. */
  readonly kind: ColumnKind | { readonly sameAs: { readonly table: string; readonly column: string } }
  readonly nullable: boolean
  /** How a different type or nullability is reported (default `fail`). */
  readonly typeSeverity?: Severity
  /** How a missing column is reported (default `fail`). */
  readonly missingSeverity?: Severity
}

export interface ExpectedTable {
  readonly name: string
  /** Checked only when it exists (`upload_history`). */
  readonly optional?: boolean
  readonly columns: readonly ExpectedColumn[]
}

export interface ExpectedIndex {
  readonly table: string
  readonly name: string
  readonly columns: readonly string[]
  readonly unique?: boolean
  /**
   * How a missing index is reported (default `fail`; an index over a column that is missing is
   * reported as that column is).
   */
  readonly severity?: Severity
  /** Why the index may legitimately be missing (printed with a warning). */
  readonly note?: string
}

/** A foreign key as an engine recipe adds it, and the delete rule the catalog must read back. */
export interface ExpectedForeignKey extends ForeignKeySpec {
  readonly onDelete: 'CASCADE'
}

/** The schema the migrations lead to, with how much each difference matters. */
export interface ExpectedSchema {
  readonly tables: readonly ExpectedTable[]
  readonly indexes: readonly ExpectedIndex[]
  readonly foreignKeys: readonly ExpectedForeignKey[]
}

/** One object of the target compared with the live catalog. */
export interface Comparison {
  readonly kind: 'table' | 'columns' | 'foreign-key' | 'index'
  readonly table: string
  /** What was compared, as a checklist names it: `session.userId → user.id`. */
  readonly subject: string
  /** How the live object differs; none when it matches. */
  readonly findings: readonly Finding[]
  /** A match worth a word: `as verification_lookup`. */
  readonly note?: string
}

export interface CompareOptions {
  /** Compiles the SQL that fixes suggest. */
  readonly db: Kysely<any>
  /** Whether migrations are pending (then applying them fixes anything missing). */
  readonly pending: boolean
}

/** Compares every object of `target` with `snapshot`, tables first, then columns, foreign keys, indexes. */
export function compareSchema(snapshot: CatalogSnapshot, target: ExpectedSchema, options: CompareOptions): Comparison[] {
  const compare = new SchemaComparison(snapshot, target, options)
  return [
    ...target.tables.map((table) => compare.table(table)),
    ...target.tables.flatMap((table) => compare.columns(table)),
    ...target.foreignKeys.flatMap((fk) => compare.foreignKey(fk)),
    ...target.indexes.flatMap((index) => compare.index(index)),
  ]
}

class SchemaComparison {
  readonly #snapshot: CatalogSnapshot
  readonly #target: ExpectedSchema
  readonly #options: CompareOptions
  readonly #engine: Engine

  constructor(snapshot: CatalogSnapshot, target: ExpectedSchema, options: CompareOptions) {
    this.#snapshot = snapshot
    this.#target = target
    this.#options = options
    this.#engine = snapshot.engine
  }

  /** The fix while migrations are pending: applying them makes anything missing. */
  #applyPending(): string {
    return `run ${howToRun('migrate:latest')}`
  }

  /** The fix for something the migrations make that is missing; `sql` recreates it. */
  #restore(sql: string): string {
    return this.#options.pending ? this.#applyPending() : `the migrations are applied, so it was removed since; recreate it: ${sql}`
  }

  table(table: ExpectedTable): Comparison {
    const base = { kind: 'table', table: table.name, subject: table.name } as const
    if (this.#snapshot.table(table.name)) return { ...base, findings: [] }
    if (table.optional) return { ...base, findings: [], note: 'not present (optional)' }
    const fix = this.#options.pending
      ? this.#applyPending()
      : `the migrations are applied, so it was dropped since: restore it from a backup, or undo and reapply the migration that creates it (${howToRun('migrate:down', '--to <name>')}, then migrate:latest)`
    return { ...base, findings: [finding('table-missing', { table: table.name }, 'missing', fix, 'fail')] }
  }

  /** A table's columns: one comparison per column that differs, or one for the table when all match. */
  columns(table: ExpectedTable): Comparison[] {
    const live = this.#snapshot.table(table.name)
    if (!live) return []
    const differing = table.columns
      .map((expected) => ({ expected, findings: this.#column(table, expected, live.columns.find((c) => c.name === expected.name)) }))
      .filter((result) => result.findings.length > 0)
    if (differing.length === 0) {
      const note = table.columns.length === 1 ? table.columns[0]!.name : `${table.columns.length} columns`
      return [{ kind: 'columns', table: table.name, subject: table.name, findings: [], note: `${note} as expected` }]
    }
    return differing.map(({ expected, findings }) => ({ kind: 'columns', table: table.name, subject: `${table.name}.${expected.name}`, findings }))
  }

  #column(table: ExpectedTable, expected: ExpectedColumn, column: ColumnInfo | undefined): Finding[] {
    const where = { table: table.name, column: expected.name }
    const typeSeverity = expected.typeSeverity ?? 'fail'
    const expectedType = this.#expectedType(expected)
    if (!column) {
      const type = typeof expected.kind === 'string' ? this.#engine.columnTypes[expected.kind] : expectedType?.source && sameTypeAs(expectedType.source)
      const add = type && this.#options.db.schema.alterTable(table.name).addColumn(expected.name, type).compile().sql
      return [finding('column-missing', where, 'missing', add ? this.#restore(add) : `add the column ${expected.name}`, expected.missingSeverity ?? 'fail')]
    }
    const findings: Finding[] = []
    if (expectedType && !expectedType.matches(column)) {
      findings.push(
        finding(
          'column-type-differs',
          where,
          `is ${describeCatalogType(column)}, expected ${expectedType.description}`,
          typeSeverity === 'warn'
            ? 'a legacy column keeps its own type; change it only if the application needs the target type'
            : `alter the column to ${expectedType.description} (see docs/migrations.md)`,
          typeSeverity,
        ),
      )
    }
    if (expected.nullable && !column.nullable) {
      findings.push(finding('column-not-nullable', where, 'is NOT NULL, but rows without a value must be allowed', 'make it nullable', typeSeverity))
    } else if (!expected.nullable && column.nullable) {
      findings.push(finding('column-nullable', where, 'is nullable, expected NOT NULL', 'fill in any NULLs, then make it NOT NULL', 'warn'))
    }
    return findings
  }

  /** The type a column must have: its kind's, or exactly the live type of the column it copies. */
  #expectedType(expected: ExpectedColumn): { description: string; matches(column: ColumnInfo): boolean; source?: ColumnInfo } | undefined {
    if (typeof expected.kind === 'string') {
      const type = this.#engine.catalogTypes[expected.kind]
      return { description: describeCatalogType(type), matches: (column) => hasCatalogType(column, type) }
    }
    const { table, column: name } = expected.kind.sameAs
    const source = this.#snapshot.column(table, name)
    if (!source) return undefined // reported as a missing table or column of its own
    return { description: `${describeCatalogType(source)} (exactly ${table}.${name}'s type)`, matches: (column) => sameType(column, source), source }
  }

  foreignKey(expected: ExpectedForeignKey): Comparison[] {
    const live = this.#snapshot.table(expected.table)
    if (!live) return []
    const base = { kind: 'foreign-key', table: expected.table, subject: `${expected.table}.${expected.column} → ${expected.referencedTable}.${expected.referencedColumn}` } as const
    const where = { table: expected.table, column: expected.column }
    const found =
      live.foreignKeys.find((fk) => fk.name === expected.name) ??
      live.foreignKeys.find(
        (fk) => fk.columns.join() === expected.column && fk.referencedTable === expected.referencedTable && fk.referencedColumns.join() === expected.referencedColumn,
      )
    const alter = this.#options.db.schema.alterTable(expected.table)
    const add = alter
      .addForeignKeyConstraint(expected.name, [expected.column], expected.referencedTable, [expected.referencedColumn], (fk) => fk.onDelete('cascade'))
      .compile().sql
    if (!found) return [{ ...base, findings: [finding('foreign-key-missing', where, `missing (${expected.name})`, this.#restore(add), 'fail')] }]
    const as = found.name === expected.name ? found.name : `as ${found.name}`
    if (found.onDelete !== expected.onDelete) {
      const drop = alter.dropConstraint(found.name).compile().sql
      const detail = `${as} deletes ${found.onDelete}, expected ON DELETE ${expected.onDelete}: deleting a user would fail or leave orphans`
      return [{ ...base, findings: [finding('foreign-key-on-delete', where, detail, `replace it: ${drop}; ${add}`, 'fail')] }]
    }
    if (!found.validated) {
      const validate = sql`alter table ${sql.table(expected.table)} validate constraint ${sql.id(found.name)}`.compile(this.#options.db).sql
      const detail = `${as} is NOT VALID: rows added before it are unchecked`
      return [{ ...base, findings: [finding('foreign-key-not-valid', where, detail, `run ${howToRun('migrate:latest')}, or ${validate}`, 'fail')] }]
    }
    return [{ ...base, findings: [], note: `ON DELETE ${found.onDelete} (${as})` }]
  }

  index(expected: ExpectedIndex): Comparison[] {
    const live = this.#snapshot.table(expected.table)
    if (!live) return []
    const base = { kind: 'index', table: expected.table, subject: `${expected.name} on ${expected.table} (${expected.columns.join(', ')})${expected.unique ? ' unique' : ''}` } as const
    const where = { table: expected.table, column: expected.columns.join(', ') }
    const named = live.indexes.find((index) => index.name === expected.name)
    const create = this.#options.db.schema.createIndex(expected.name).on(expected.table).columns([...expected.columns])
    const createSql = (expected.unique ? create.unique() : create).compile().sql
    if (named && servesAs(named, expected)) return [{ ...base, findings: [] }]
    const equivalent = live.indexes.find((index) => servesAs(index, expected))
    if (equivalent) return [{ ...base, findings: [], note: `as ${equivalent.name}` }]
    if (named) {
      const found = named.valid
        ? finding(
            'index-differs',
            where,
            `covers (${named.columns.join(', ')})${named.unique ? ' unique' : ''}${named.partial ? ', partially' : ''} instead`,
            `drop it and recreate it: ${createSql}`,
            'fail',
          )
        : finding('index-invalid', where, 'is INVALID (an interrupted concurrent build)', `run ${howToRun('migrate:latest')}, which rebuilds it`, 'fail')
      return [{ ...base, findings: [found] }]
    }
    const missingColumn = expected.columns.find((name) => !live.columns.some((c) => c.name === name))
    if (missingColumn) {
      const severity = this.#target.tables.find((t) => t.name === expected.table)?.columns.find((c) => c.name === missingColumn)?.missingSeverity ?? 'fail'
      const detail = `missing: the table has no column ${missingColumn}`
      return [{ ...base, findings: [finding('index-column-missing', where, detail, `add ${missingColumn} first, then ${createSql}`, severity)] }]
    }
    const detail = expected.note ? `missing (${expected.note})` : 'missing'
    return [{ ...base, findings: [finding('index-missing', where, detail, this.#restore(createSql), expected.severity ?? 'fail')] }]
  }
}
