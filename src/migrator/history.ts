/**
 * What Kysely's migration table (`kysely_migration`) records: which migrations are applied and
 * when, read without the lock, and which of them a `down` would undo.
 */
import { sql, type Kysely } from 'kysely'
import { engineOf } from '../engines/index.js'
import { rereadWhenAborted } from '../engines/aborted-reads.js'

/** Kysely's default table names, so `kysely migrate:list` (kysely-ctl) sees the same state. */
export const MIGRATION_TABLE = 'kysely_migration'
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock'

/** Where `migrateDown` should stop. */
export type DownTarget = { readonly steps: 1 } | { readonly to: string } | { readonly all: true }

/** The applied migrations that `target` would undo, newest first, as Kysely's Migrator picks them. */
export async function migrationsUndoneBy(db: Kysely<any>, target: DownTarget): Promise<string[]> {
  // Newest first by when they ran (then by name), as Kysely's Migrator undoes them.
  const applied = [...(await appliedMigrations(db)).entries()]
    .sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || a.localeCompare(b))
    .map(([name]) => name)
    .reverse()
  if ('steps' in target) return applied.slice(0, target.steps)
  if ('all' in target) return applied
  // Those that ran after `to` (applied is newest first), as Kysely's `migrateTo` picks them.
  const at = applied.indexOf(target.to)
  return at === -1 ? applied.filter((name) => name > target.to) : applied.slice(0, at)
}

/** The applied migrations by name, with when each was applied. */
export async function appliedMigrations(db: Kysely<any>): Promise<Map<string, Date>> {
  try {
    // Without the lock: another Galera node's migration may abort it (see rereadWhenAborted).
    const { rows } = await rereadWhenAborted(db, () => sql<{ name: string; timestamp: string }>`select name, timestamp from ${sql.table(MIGRATION_TABLE)}`.execute(db))
    return new Map(rows.map((row) => [row.name, new Date(row.timestamp)]))
  } catch (error) {
    if (engineOf(db).errors.isMissingTable(error)) return new Map()
    throw error
  }
}
