/**
 * Running the migrations: the functions that the CLI and router-backend's boot code share.
 *
 * Kysely's `Migrator` does the work. Around it this module adds what a service that migrates at
 * every boot needs: a cheap check first (one query, no lock) so an up-to-date database costs one
 * round trip, errors that are thrown instead of returned, and a check-only mode.
 */
import { Migrator, NO_MIGRATIONS, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResult, type MigrationResultSet } from 'kysely'
import { AuthDbError, MigrationFailedError, PendingMigrationsError, SchemaConflictError, UsageError, describeError } from './errors.js'
import { checksumMatches, forgetChecksums, migrationChecksums, recordChecksum, storedChecksums } from './migration-sql.js'
import { MIGRATION_NAMES, assertAdoptable, migrations as schemaMigrations } from './migrations/index.js'
import { engineOf } from './engines/index.js'
import { explainFor } from './db/safe-errors-driver.js'
import { DataLossError, DownBlockedError, dataLostByDown, findDownBlockers } from './down-guard.js'
import { withDdlProgress, type DdlProgressReporter } from './schema/ddl-progress.js'

/** Kysely's default table names, so `kysely migrate:list` (kysely-ctl) sees the same state. */
export const MIGRATION_TABLE = 'kysely_migration'
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock'

/** The names of every migration this version of the module has, in order. */
export const migrationNames: readonly string[] = MIGRATION_NAMES

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

/**
 * The migrations as Kysely's Migrator (and kysely-ctl, through `createMigrator`) runs them: each
 * step also keeps its checksum. `up` records it once its changes are made (before Kysely writes
 * the `kysely_migration` row), `down` forgets it once they are undone (before Kysely deletes the
 * row). Done by the step, not after a whole run, so that a run killed midway, or one driven by
 * kysely-ctl, leaves no applied migration without its checksum.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.fromEntries(
  Object.entries(schemaMigrations).map(([name, migration]) => [
    name,
    {
      up: async (db: Kysely<any>) => {
        await migration.up(db)
        await recordChecksum(db, name)
      },
      down: async (db: Kysely<any>) => {
        const blockers = await findDownBlockers(db, [name])
        if (blockers.length > 0) throw new DownBlockedError(blockers)
        try {
          await migration.down!(db)
        } catch (error) {
          throw await putBack(db, name, migration, error)
        }
        await forgetChecksums(db, [name])
      },
    } satisfies Migration,
  ]),
)

/**
 * A `down` that failed midway has removed part of what the migration made, while Kysely still
 * records it as applied. Its `up` (which looks before it acts) makes what is missing again, so
 * that the history matches the schema; the error says whether that worked.
 */
async function putBack(db: Kysely<any>, name: string, migration: Migration, error: unknown): Promise<Error> {
  try {
    await migration.up(db)
    return new AuthDbError(`undoing ${name} failed midway (${describeError(error)}); what it had removed was made again, so it is still applied and the schema matches it`, { cause: error })
  } catch (restoreError) {
    return new AuthDbError(
      `undoing ${name} failed midway (${describeError(error)}) and putting it back failed too (${describeError(restoreError)}); it is still recorded as applied: run migrate:down again to finish undoing it, or migrate:latest after a migrate:down`,
      { cause: error },
    )
  }
}

/** Hands Kysely's Migrator the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
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
  return explained(db, async () => {
    const pending = await pendingMigrations(db)
    if (pending.length === 0) return []
    if (options.checkOnly) throw new PendingMigrationsError(pending)
    // Every check of the run before its first change (and before Kysely creates its tables);
    // each migration repeats them inside the lock, in case the database changed meanwhile.
    await assertAdoptable(db, pending)
    // Each migration records its checksum as it is applied (see `migrations`).
    return unwrap(await withDdlProgress(options.progress, () => createMigrator(db).migrateToLatest()))
  })
}

/** Where `migrateDown` should stop. */
export type DownTarget = { readonly steps: 1 } | { readonly to: string } | { readonly all: true }

export interface MigrateDownOptions {
  /**
   * Undo even when that deletes users, sessions, accounts or the links from artworks to their
   * owners (see {@link dataLostByDown}). Without it, such a `down` rejects with
   * {@link DataLossError} saying what would be lost, before anything changes.
   */
  readonly force?: boolean
}

/**
 * Undoes migrations: the last one by default, every one after `to`, or all of them. Resolves with
 * what was undone (none when nothing was applied). Tables the module did not create are never
 * dropped, forced or not.
 */
export async function migrateDown(db: Kysely<any>, target: DownTarget = { steps: 1 }, options: MigrateDownOptions = {}): Promise<MigrationStep[]> {
  if ('to' in target && !migrationNames.includes(target.to)) {
    throw new UsageError(`there is no migration named "${target.to}"; known: ${migrationNames.join(', ')}`)
  }
  return explained(db, async () => {
    const undone = await migrationsUndoneBy(db, target)
    // Forced or not: `--force` accepts losing rows, not breaking objects the module does not own.
    const blockers = await findDownBlockers(db, undone)
    if (blockers.length > 0) throw new DownBlockedError(blockers)
    if (!options.force) {
      const losses = await dataLostByDown(db, undone)
      if (losses.length > 0) throw new DataLossError(losses)
    }
    const migrator = createMigrator(db)
    let steps: MigrationStep[]
    if ('steps' in target) steps = unwrap(await migrator.migrateDown())
    else if ('all' in target) steps = unwrap(await migrator.migrateTo(NO_MIGRATIONS))
    else steps = unwrap(await migrator.migrateTo(target.to))
    return steps
  })
}

/** The applied migrations that `target` would undo, newest first, as Kysely's Migrator picks them. */
export async function migrationsUndoneBy(db: Kysely<any>, target: DownTarget): Promise<string[]> {
  const applied = [...(await appliedMigrations(db)).keys()].sort().reverse()
  if ('steps' in target) return applied.slice(0, target.steps)
  if ('all' in target) return applied
  return applied.filter((name) => name > target.to)
}

export interface MigrationState {
  readonly name: string
  /** When it was applied; undefined while pending. */
  readonly executedAt: Date | undefined
  /**
   * `changed`: applied, but the code now runs different SQL than when it was applied (its
   * checksum differs). `unknown`: recorded in the database, but this code has no such migration.
   * `unchecked`: applied, but no checksum was recorded (by a version that recorded them only at
   * the end of a whole run, which was cut short), so drift cannot be told.
   */
  readonly drift: 'changed' | 'unknown' | 'unchecked' | undefined
}

/**
 * Every migration this module knows, with when it was applied and whether it drifted, followed
 * by any migration the database records that the code does not have.
 */
export async function migrationStatus(db: Kysely<any>): Promise<MigrationState[]> {
  return explained(db, async () => {
    const applied = await appliedMigrations(db)
    const stored = await storedChecksums(db)
    const dialect = engineOf(db).sqlDialect
    const current = stored.size > 0 ? await migrationChecksums(dialect) : new Map<string, string>()
    const known: MigrationState[] = migrationNames.map((name) => {
      const checksum = stored.get(name)
      let drift: MigrationState['drift']
      if (!applied.has(name)) drift = undefined
      else if (checksum === undefined) drift = 'unchecked'
      else if (!checksumMatches(dialect, name, checksum, current.get(name))) drift = 'changed'
      return { name, executedAt: applied.get(name), drift }
    })
    const unknown: MigrationState[] = [...applied.keys()]
      .filter((name) => !migrationNames.includes(name))
      .sort()
      .map((name) => ({ name, executedAt: applied.get(name), drift: 'unknown' }))
    return [...known, ...unknown]
  })
}

/**
 * The migrations not applied yet, read in one query without the lock. A database that has never
 * been migrated has no migration table: everything is pending.
 */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const applied = await appliedMigrations(db)
  return migrationNames.filter((name) => !applied.has(name))
}

/**
 * Runs `work`, rethrowing a database's error in the one-line, password-free form the CLI prints
 * (see `db/explain-error.ts`), so that router-backend's boot logs get the same message.
 */
async function explained<T>(db: Kysely<any>, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw explainFor(db, error)
  }
}

async function appliedMigrations(db: Kysely<any>): Promise<Map<string, Date>> {
  try {
    const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from ${sql.table(MIGRATION_TABLE)}`.execute(db)
    return new Map(rows.map((row) => [row.name, new Date(row.timestamp)]))
  } catch (error) {
    if (engineOf(db).errors.isMissingTable(error)) return new Map()
    throw error
  }
}

/** Kysely's Migrator returns its errors; turn them into a rejection that names the migration. */
function unwrap({ error, results = [] }: MigrationResultSet): MigrationStep[] {
  if (error !== undefined) {
    const failed = results.find((result: MigrationResult) => result.status === 'Error')
    // Refused before this run changed anything: the conflict itself is the answer.
    if ((error instanceof SchemaConflictError || error instanceof DownBlockedError) && !results.some((result) => result.status === 'Success')) throw error
    throw new MigrationFailedError(failed?.migrationName, error)
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => ({ name: result.migrationName, direction: result.direction }))
}
