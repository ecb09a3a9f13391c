/**
 * Running the migrations: the functions that the CLI and router-backend's boot code share.
 *
 * Kysely's `Migrator` does the work. Around it this module adds what a service that migrates at
 * every boot needs: a cheap check first (one query, no lock) so an up-to-date database costs one
 * round trip, errors that are thrown instead of returned, and a check-only mode.
 */
import { Migrator, NO_MIGRATIONS, sql, type Kysely, type MigrationResult, type MigrationResultSet } from 'kysely'
import { MigrationFailedError, PendingMigrationsError, UsageError } from './errors.js'
import { migrationProvider, migrations } from './migrations/index.js'
import { withDdlProgress, type DdlProgressReporter } from './schema/ddl-progress.js'

/** Kysely's default table names, so `kysely migrate:list` (kysely-ctl) sees the same state. */
export const MIGRATION_TABLE = 'kysely_migration'
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock'

/** The names of every migration this version of the module has, in order. */
export const migrationNames: readonly string[] = Object.keys(migrations).sort()

/**
 * A Kysely `Migrator` over this module's migrations. Transactions are off: PostgreSQL cannot
 * build an index `CONCURRENTLY` inside one, and MySQL commits DDL on its own anyway. Instead
 * every migration is written to be resumable (each step looks before it acts), and the steps
 * that must be atomic open their own transactions.
 */
export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    disableTransactions: true,
  })
}

/** One migration's outcome in a run. */
export interface MigrationStep {
  readonly name: string
  readonly direction: 'Up' | 'Down'
}

export interface MigrateOptions {
  /** Only check: reject with {@link PendingMigrationsError} when anything is pending, run nothing. */
  readonly checkOnly?: boolean
  /**
   * Told when long index builds start and end, e.g. `createTerminalProgress(db, process.stdout)`
   * to draw them on a terminal. Nothing is reported (or queried for it) when unset.
   */
  readonly progress?: DdlProgressReporter
}

/**
 * Brings the database to the latest migration. Resolves with the migrations that ran (none when
 * the database was up to date); rejects with {@link MigrationFailedError} naming the migration
 * that failed. Safe to call from every replica at once: one runs, the others wait for the lock
 * and then find nothing left to do.
 */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<MigrationStep[]> {
  const pending = await pendingMigrations(db)
  if (pending.length === 0) return []
  if (options.checkOnly) throw new PendingMigrationsError(pending)
  return unwrap(await withDdlProgress(options.progress, () => createMigrator(db).migrateToLatest()))
}

/** Where `migrateDown` should stop. */
export type DownTarget = { readonly steps: 1 } | { readonly to: string } | { readonly all: true }

/**
 * Undoes migrations: the last one by default, every one after `to`, or all of them. Resolves with
 * what was undone (none when nothing was applied).
 */
export async function migrateDown(db: Kysely<any>, target: DownTarget = { steps: 1 }): Promise<MigrationStep[]> {
  const migrator = createMigrator(db)
  if ('steps' in target) return unwrap(await migrator.migrateDown())
  if ('all' in target) return unwrap(await migrator.migrateTo(NO_MIGRATIONS))
  if (!migrationNames.includes(target.to)) {
    throw new UsageError(`there is no migration named "${target.to}"; known: ${migrationNames.join(', ')}`)
  }
  return unwrap(await migrator.migrateTo(target.to))
}

export interface MigrationState {
  readonly name: string
  /** When it was applied; undefined while pending. */
  readonly executedAt: Date | undefined
}

/** Every migration this module knows, with when it was applied. */
export async function migrationStatus(db: Kysely<any>): Promise<MigrationState[]> {
  const applied = await appliedMigrations(db)
  return migrationNames.map((name) => ({ name, executedAt: applied.get(name) }))
}

/**
 * The migrations not applied yet, read in one query without the lock. A database that has never
 * been migrated has no migration table: everything is pending.
 */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const applied = await appliedMigrations(db)
  return migrationNames.filter((name) => !applied.has(name))
}

async function appliedMigrations(db: Kysely<any>): Promise<Map<string, Date>> {
  try {
    const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from ${sql.table(MIGRATION_TABLE)}`.execute(db)
    return new Map(rows.map((row) => [row.name, new Date(row.timestamp)]))
  } catch (error) {
    if (isMissingTable(error)) return new Map()
    throw error
  }
}

function isMissingTable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === '42P01' || code === 'ER_NO_SUCH_TABLE'
}

/** Kysely's Migrator returns its errors; turn them into a rejection that names the migration. */
function unwrap({ error, results = [] }: MigrationResultSet): MigrationStep[] {
  if (error !== undefined) {
    const failed = results.find((result: MigrationResult) => result.status === 'Error')
    throw new MigrationFailedError(failed?.migrationName, error)
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => ({ name: result.migrationName, direction: result.direction }))
}
