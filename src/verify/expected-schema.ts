/**
 * The schema the migrations lead to, as `db:verify` checks it: the fold of every migration's
 * schema data (`foldSchemas`), not a second copy of it, plus an overlay of severities.
 *
 * Better Auth's tables are held to it strictly. `artwork_jobs` may be a legacy table the module
 * adopted and never reshapes: there only what the module adds (`user_id`, its index and key) is
 * strict, and a legacy column of another type is a warning: that is the overlay below.
 */
import { MIGRATION_NAMES, schemasOf } from '../migrations/index.js'
import type { ExpectedColumn, ExpectedIndex, ExpectedSchema } from '../planner/schema-diff.js'
import { defineSchema, foldSchemas, type AuthShapeChangeModel, type FoldedSchema } from '../model/migration-schema.js'
import { isDefaultShape, type AuthShape } from '../model/auth-shape.js'

export type { ExpectedColumn, ExpectedForeignKey, ExpectedIndex, ExpectedSchema, ExpectedTable, Severity } from '../planner/schema-diff.js'

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
export function expectedSchema(folded: FoldedSchema = foldSchemas(schemasOf(MIGRATION_NAMES))): ExpectedSchema {
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

export const EXPECTED_SCHEMA: ExpectedSchema = expectedSchema()

/**
 * What the module's migrations make with Better Auth's core tables in `base` (the shape 0001
 * made them in), then moved by `changes` (the application's renames).
 */
export function shapedExpectedSchema(base: AuthShape, changes: readonly AuthShapeChangeModel[]): ExpectedSchema {
  if (isDefaultShape(base) && changes.length === 0) return EXPECTED_SCHEMA
  return expectedSchema(foldSchemas([...schemasOf(MIGRATION_NAMES, base), ...changes.map((authShape) => defineSchema({ authShape }))]))
}
