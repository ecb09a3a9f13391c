/**
 * The guard in front of `migrate:down`: what undoing migrations would delete.
 *
 * `down` removes what the ledger (`artorizer_schema_objects`) says a migration created, and
 * nothing else. Some of that holds data nobody can rebuild: Better Auth's users, their sessions
 * and accounts (password hashes, OAuth links), and the `user_id` columns that say whose artwork
 * is whose. {@link dataLostByDown} counts those rows before anything is dropped, and
 * `migrateDown` refuses while the count is not zero unless it is forced.
 *
 * The count is taken before Kysely's Migrator takes its lock, so a row written between the
 * count and the drop is not reported: `migrate:down` is an operator's command, run while the
 * service is stopped, not something replicas race on.
 */
import { sql, type Kysely } from 'kysely'
import { AuthDbError } from '../errors.js'
import { MIGRATION_NAMES } from '../migrations/index.js'
import { createdBy } from '../ddl/ledger.js'
import { currentAuthShape } from '../ddl/auth-shape-record.js'
import type { AuthModel } from '../model/auth-shape.js'
import { engineOf } from '../engines/index.js'
import { findColumn, listReferencingForeignKeys, tableExists } from '../ddl/introspect.js'

/** Tables whose rows are people's accounts (Better Auth's models; their tables are named as the options say): dropping them signs everyone out for good. */
export const PROTECTED_TABLES: readonly string[] = ['user', 'session', 'account']
/** Columns that tie data to its owner; dropping one leaves artworks without owners. */
export const OWNER_COLUMNS: readonly { readonly table: string; readonly column: string }[] = [
  { table: 'artwork_jobs', column: 'user_id' },
  { table: 'upload_history', column: 'user_id' },
]

/** Rows that undoing `migration` would delete, or unlink from their owner (`column`). */
export interface DataLoss {
  readonly migration: string
  readonly table: string
  /** Set when the column is dropped, not the table: `rows` counts its non-NULL values. */
  readonly column?: string
  readonly rows: number
}

/**
 * What undoing `migrations` (newest first, as `down` would) would delete: rows of the tables
 * in {@link PROTECTED_TABLES} and non-NULL values of the columns in {@link OWNER_COLUMNS} that
 * those migrations created, and of every table and column that the application's own
 * migrations created (Better Auth's plugin tables: members, two-factor secrets, passkeys, API
 * keys; a plugin's fields on `user`). Empty when nothing of value would be lost.
 */
export async function dataLostByDown(db: Kysely<any>, migrations: readonly string[]): Promise<DataLoss[]> {
  const losses: DataLoss[] = []
  // Under the names the application's options gave them (the ledger follows renames too).
  const shape = await currentAuthShape(db)
  const protectedTables = PROTECTED_TABLES.map((model) => shape.tables[model as AuthModel])
  for (const migration of migrations) {
    // The module's verification tokens and indexes are rebuilt at will; the application's data is not.
    const application = !MIGRATION_NAMES.includes(migration)
    for (const entry of await createdBy(db, migration)) {
      if (entry.kind === 'table' && (application || protectedTables.includes(entry.table)) && (await tableExists(db, entry.table))) {
        const rows = await countRows(db, entry.table)
        if (rows > 0) losses.push({ migration, table: entry.table, rows })
      }
      if (
        entry.kind === 'column' &&
        (application || OWNER_COLUMNS.some((c) => c.table === entry.table && c.column === entry.name)) &&
        (await findColumn(db, entry.table, entry.name))
      ) {
        const rows = await countRows(db, entry.table, entry.name)
        if (rows > 0) losses.push({ migration, table: entry.table, column: entry.name, rows })
      }
    }
  }
  return losses
}

/** `down` was asked to delete {@link DataLoss | data} and was not forced. */
export class DataLossError extends AuthDbError {
  override name = 'DataLossError'
  constructor(readonly losses: readonly DataLoss[]) {
    super(`migrate:down would delete ${losses.map(describeLoss).join(', ')} and changed nothing; back them up, then run it again with --force (kysely-ctl: ARTORIZER_FORCE_DOWN=1; code: force: true)`)
  }
}

export function describeLoss(loss: DataLoss): string {
  const rows = loss.rows === 1 ? 'row' : 'rows'
  const owner = OWNER_COLUMNS.some((c) => c.table === loss.table && c.column === loss.column)
  const what = loss.column
    ? `${loss.table}.${loss.column} (${loss.rows} ${owner ? `linked ${rows}` : `${rows} with a value`})`
    : `${loss.table} (${loss.rows} ${rows})`
  return `${what} from ${loss.migration}`
}

async function countRows(db: Kysely<any>, table: string, nonNullColumn?: string): Promise<number> {
  let query = db.selectFrom(table).select(sql<number | string>`count(*)`.as('n'))
  if (nonNullColumn) query = query.where(nonNullColumn, 'is not', null)
  const row = (await query.executeTakeFirstOrThrow()) as { n: number | string }
  return Number(row.n)
}

/** Something the module does not own that uses what a `down` would drop. */
export interface DownBlocker {
  /** What would be dropped: `user`, or `artwork_jobs.user_id`. */
  readonly dropped: string
  /** What uses it, e.g. `foreign key member.userId → user (member_userId_fkey)` or `view user_emails`. */
  readonly dependent: string
}

/**
 * What stands in the way of undoing `migrations` (newest first): foreign keys from tables that
 * the `down` keeps to tables it drops (Better Auth plugins' tables referencing `user`), and views
 * over the tables or columns it drops. PostgreSQL refuses such a drop midway (after the other
 * objects are gone); MySQL leaves a broken view. So `down` refuses before its first change,
 * forced or not: `--force` accepts losing rows, not breaking someone else's objects.
 */
export async function findDownBlockers(db: Kysely<any>, migrations: readonly string[]): Promise<DownBlocker[]> {
  const entries = (await Promise.all(migrations.map((m) => createdBy(db, m)))).flat()
  const droppedTables = new Set(entries.filter((e) => e.kind === 'table').map((e) => e.table))
  const droppedForeignKeys = new Set(entries.filter((e) => e.kind === 'foreign_key').map((e) => `${e.table}.${e.name}`))
  const catalog = engineOf(db).catalog
  const blockers: DownBlocker[] = []
  for (const table of droppedTables) {
    if (!(await tableExists(db, table))) continue
    for (const fk of await listReferencingForeignKeys(db, table)) {
      if (droppedTables.has(fk.table) || droppedForeignKeys.has(`${fk.table}.${fk.name}`)) continue
      blockers.push({ dropped: table, dependent: `foreign key ${fk.table}.${fk.columns.join(', ')} → ${table} (${fk.name})` })
    }
    for (const view of await catalog.listViewsUsing(db, table)) blockers.push({ dropped: table, dependent: `view ${view}` })
  }
  for (const entry of entries) {
    if (entry.kind !== 'column' || droppedTables.has(entry.table) || !(await findColumn(db, entry.table, entry.name))) continue
    for (const view of await catalog.listViewsUsing(db, entry.table, entry.name)) blockers.push({ dropped: `${entry.table}.${entry.name}`, dependent: `view ${view}` })
  }
  return blockers
}

/** `down` would drop what {@link DownBlocker | objects it does not own} use; nothing was changed. */
export class DownBlockedError extends AuthDbError {
  override name = 'DownBlockedError'
  constructor(readonly blockers: readonly DownBlocker[]) {
    const byDropped = new Map<string, string[]>()
    for (const b of blockers) byDropped.set(b.dropped, [...(byDropped.get(b.dropped) ?? []), b.dependent])
    const uses = [...byDropped].map(([dropped, dependents]) => `${dropped} is used by ${dependents.join(' and ')}`).join('; ')
    super(`migrate:down would drop objects that others depend on and changed nothing: ${uses}. They are not this module's: drop them (or their foreign keys) first, or keep this migration`)
  }
}
