/**
 * The schema the migrations lead to, as `db:verify` checks it: the fold of every migration's
 * schema data (`foldSchemas`), not a second copy of it, plus an overlay of severities.
 *
 * Better Auth's tables are held to it strictly. `artwork_jobs` may be a legacy table the module
 * adopted and never reshapes: there only what the module adds (`user_id`, its index and key) is
 * strict, and a legacy column of another type is a warning: that is the overlay below.
 */
import { MIGRATION_NAMES, schemasOf } from '../migrations/index.js'
import { foldSchemas, type ColumnKind, type FoldedSchema } from '../schema/model.js'

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

export interface ExpectedForeignKey {
  readonly table: string
  readonly name: string
  readonly column: string
  readonly referencedTable: string
  readonly referencedColumn: string
  readonly onDelete: 'CASCADE'
}

/** A legacy column the module reads: it must exist, but its type is the table's own business. */
const LEGACY_READ = { typeSeverity: 'warn', missingSeverity: 'fail' } as const
/** A legacy column the module never reads. */
const LEGACY = { typeSeverity: 'warn', missingSeverity: 'warn' } as const

/** How differences in a legacy table's own columns are reported, by table and column. */
const COLUMN_SEVERITIES: Readonly<Record<string, Readonly<Record<string, Pick<ExpectedColumn, 'typeSeverity' | 'missingSeverity'>>>>> = {
  artwork_jobs: {
    // artworks:link finds artworks by job_id and updates them by id.
    id: LEGACY_READ,
    job_id: LEGACY_READ,
    original_url: LEGACY,
    protected_url: LEGACY,
    status: LEGACY,
    // Without created_at, 0003 skips artwork_jobs_user_id_created_at_idx: both are warnings.
    created_at: LEGACY,
  },
}

/** Indexes a legacy table may lack. */
const INDEX_SEVERITIES: Readonly<Record<string, Pick<ExpectedIndex, 'severity' | 'note'>>> = {
  artwork_jobs_job_id_uidx: { severity: 'warn', note: 'a legacy artwork_jobs keeps its own keys; without it artworks:link scans the table' },
}

/** The expected schema of `folded` (by default, every migration of this version). */
export function expectedSchema(folded: FoldedSchema = foldSchemas(schemasOf(MIGRATION_NAMES))): {
  tables: ExpectedTable[]
  indexes: ExpectedIndex[]
  foreignKeys: ExpectedForeignKey[]
} {
  return {
    tables: folded.tables.map((table) => ({
      name: table.name,
      ...(table.optional ? { optional: true } : {}),
      columns: table.columns.map((column) => ({
        name: column.name,
        kind: column.type,
        nullable: column.nullable,
        ...COLUMN_SEVERITIES[table.name]?.[column.name],
      })),
    })),
    indexes: folded.indexes.map((index) => ({
      table: index.table,
      name: index.name,
      columns: index.columns,
      ...(index.unique ? { unique: true } : {}),
      ...INDEX_SEVERITIES[index.name],
    })),
    foreignKeys: folded.foreignKeys.map((fk) => ({
      table: fk.table,
      name: fk.name,
      column: fk.column,
      referencedTable: fk.references.table,
      referencedColumn: fk.references.column,
      onDelete: 'CASCADE' as const,
    })),
  }
}

const expected = expectedSchema()
export const EXPECTED_TABLES: readonly ExpectedTable[] = expected.tables
export const EXPECTED_INDEXES: readonly ExpectedIndex[] = expected.indexes
export const EXPECTED_FOREIGN_KEYS: readonly ExpectedForeignKey[] = expected.foreignKeys
