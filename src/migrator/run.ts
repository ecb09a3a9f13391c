/**
 * Running the migrations: the functions that the CLI and router-backend's boot code share.
 *
 * Kysely's `Migrator` does the work. Around it this module adds what a service that migrates at
 * every boot needs: a cheap check first (one query, no lock) so an up-to-date database costs one
 * round trip, errors that are thrown instead of returned, and a check-only mode.
 */
import { Migrator, NO_MIGRATIONS, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResult, type MigrationResultSet, type NoMigrations } from 'kysely'
import { AuthDbError, MigrationFailedError, PendingMigrationsError, SchemaConflictError, UsageError, describeError } from '../errors.js'
import { checksumMatches, forgetChecksums, migrationChecksums, recordChecksum, storedChecksums } from './migration-sql.js'
import { MIGRATION_NAMES } from '../migrations/index.js'
import { assertRunsInOrder, migrationSet, type AppMigrations, type MigrationSet } from './migration-set.js'
import { assertNoBlockingFindings } from '../planner/plan.js'
import { planAgainst } from '../ddl/plan-against.js'
import { assertAuthSchemaProvided } from '../auth-schema/needs.js'
import type { AuthOptions } from '../auth-schema/options.js'
import { engineOf } from '../engines/index.js'
import { migrateAgainWhenAborted, rereadWhenAborted } from '../engines/aborted-reads.js'
import { assertMigratableServer } from '../engines/unsupported-servers.js'
import { explainFor } from '../db/safe-errors-driver.js'
import { DataLossError, DownBlockedError, dataLostByDown, findDownBlockers } from './down-guard.js'
import { withDdlProgress, type DdlProgressReporter } from '../engines/index-build-progress.js'

/** Kysely's default table names, so `kysely migrate:list` (kysely-ctl) sees the same state. */
export const MIGRATION_TABLE = 'kysely_migration'
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock'

/** The names of every migration this version of the module has, in order. */
export const migrationNames: readonly string[] = MIGRATION_NAMES

/** What {@link createMigrator} takes: the application's migrations, and whether to force. */
export interface MigratorOptions extends WithMigrations {
  /**
   * Undo even when that deletes users, sessions, accounts, the links from artworks to their
   * owners, or the application's data (see {@link dataLostByDown}). Without it, a `down` that
   * would lose such rows ends with {@link DataLossError} before anything changes. kysely-ctl
   * gets it from `ARTORIZER_FORCE_DOWN=1` (read by `kysely.config.ts`), the CLI from `--force`.
   */
  readonly force?: boolean
}

/**
 * A Kysely `Migrator` over this module's migrations and the application's, with every guard
 * inside it, so that each front end (the CLI, {@link migrateToLatest} / {@link migrateDown},
 * kysely-ctl through `kysely.config.ts`, an application's own code) is as safe as the others:
 * the order of the application's migrations, each step's checksum, the objects that depend on
 * what a `down` drops, and the data it would delete. A refused run changes nothing.
 *
 * Transactions are off: PostgreSQL cannot build an index `CONCURRENTLY` inside one, and MySQL
 * commits DDL on its own anyway. Instead every migration is written to be resumable (each step
 * looks before it acts), and the steps that must be atomic open their own transactions.
 */
export function createMigrator(db: Kysely<any>, options: MigratorOptions = {}): Migrator {
  return new GuardedMigrator(db, migrationSet(options.migrations), options.force === true)
}

/**
 * Kysely's Migrator with the module's guards. Each guard runs twice: once before Kysely takes
 * its lock, over the whole run, so that a refused run changes nothing (Kysely would otherwise
 * undo the steps before the refused one); and once more in the step itself (see
 * {@link guardedProvider}), inside the lock, in case the database changed between the two.
 * Refusals are returned as Kysely returns its own errors (`{ error }`, no results), which
 * kysely-ctl prints.
 */
class GuardedMigrator extends Migrator {
  readonly #db: Kysely<any>
  readonly #set: MigrationSet
  readonly #force: boolean
  constructor(db: Kysely<any>, set: MigrationSet, force: boolean, onMigrated?: (step: TimedMigrationStep) => void) {
    super({
      db,
      provider: reportingProvider(guardedProvider(set.provider, { force }), onMigrated),
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
      disableTransactions: true,
      // A release of this module may add a migration after the application's were applied: it
      // then runs after them, and is undone before them (Kysely orders by execution time).
      // Application migrations themselves must keep to name order (`assertRunsInOrder`).
      allowUnorderedMigrations: true,
    })
    this.#db = db
    this.#set = set
    this.#force = force
  }

  /** Runs again when the server aborted its preparation before any step (see `migrateAgainWhenAborted`). */
  override async migrateToLatest(): Promise<MigrationResultSet> {
    return (await this.#refusal(() => this.#checkUp())) ?? migrateAgainWhenAborted(this.#db, () => super.migrateToLatest())
  }

  override async migrateUp(): Promise<MigrationResultSet> {
    return (await this.#refusal(() => this.#checkUp())) ?? super.migrateUp()
  }

  override async migrateDown(): Promise<MigrationResultSet> {
    return (await this.#refusal(() => this.#checkDown({ steps: 1 }))) ?? super.migrateDown()
  }

  override async migrateTo(target: string | NoMigrations): Promise<MigrationResultSet> {
    const refusal = await this.#refusal(async () => {
      if (typeof target !== 'string') return this.#checkDown({ all: true })
      // Down to an applied migration, or up to a pending one.
      return (await appliedMigrations(this.#db)).has(target) ? this.#checkDown({ to: target }) : this.#checkUp()
    })
    return refusal ?? super.migrateTo(target)
  }

  /** The order guard: no application migration may run before one already applied. */
  async #checkUp(): Promise<void> {
    const applied = await appliedMigrations(this.#db)
    assertRunsInOrder(this.#set, new Set(applied.keys()), this.#set.names.filter((name) => !applied.has(name)))
  }

  /** The dependents and data-loss guards over every migration that `target` would undo. */
  async #checkDown(target: DownTarget): Promise<void> {
    await assertDownAllowed(this.#db, await migrationsUndoneBy(this.#db, target), this.#force)
  }

  /** `check`'s error, as Kysely's Migrator returns errors (no results: nothing ran), or nothing when it passed. */
  async #refusal(check: () => Promise<void>): Promise<MigrationResultSet | undefined> {
    try {
      await check()
      return undefined
    } catch (error) {
      return { error: explainFor(this.#db, error) }
    }
  }
}

/**
 * Refuses to undo `undone` (newest first) when that would drop what objects the module does not
 * own depend on (forced or not: `force` accepts losing rows, not breaking someone else's
 * objects), or, unless forced, delete data (see {@link dataLostByDown}).
 */
async function assertDownAllowed(db: Kysely<any>, undone: readonly string[], force: boolean): Promise<void> {
  const blockers = await findDownBlockers(db, undone)
  if (blockers.length > 0) throw new DownBlockedError(blockers)
  if (force) return
  const losses = await dataLostByDown(db, undone)
  if (losses.length > 0) throw new DataLossError(losses)
}

/**
 * `source`'s migrations with the guards that belong to each step, as Kysely's Migrator runs
 * them: `up` records its checksum once its changes are made (before Kysely writes the
 * `kysely_migration` row); `down` checks the dependents and data-loss guards inside the lock,
 * and forgets the checksum once its changes are undone (before Kysely deletes the row). Done by
 * the step, not after a whole run, so that a run killed midway leaves no applied migration
 * without its checksum. (Only the module's own migrations have checksums; an application's are
 * its own to keep unchanged.)
 */
export function guardedProvider(source: MigrationProvider, { force }: { readonly force: boolean }): MigrationProvider {
  return {
    async getMigrations() {
      const migrations = await source.getMigrations()
      return Object.fromEntries(
        Object.entries(migrations).map(([name, migration]) => [
          name,
          {
            up: async (db: Kysely<any>) => {
              await migration.up(db)
              await recordChecksum(db, name)
            },
            ...(migration.down
              ? {
                  down: async (db: Kysely<any>) => {
                    await assertDownAllowed(db, [name], force)
                    try {
                      await migration.down!(db)
                    } catch (error) {
                      throw await putBack(db, name, migration, error)
                    }
                    await forgetChecksums(db, [name])
                  },
                }
              : {}),
          } satisfies Migration,
        ]),
      )
    },
  }
}

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

/** `provider`, with each `up` reporting to `onMigrated` when it resolves. */
function reportingProvider(provider: MigrationProvider, onMigrated: ((step: TimedMigrationStep) => void) | undefined): MigrationProvider {
  if (!onMigrated) return provider
  return {
    async getMigrations() {
      const migrations = await provider.getMigrations()
      return Object.fromEntries(
        Object.entries(migrations).map(([name, migration]) => [
          name,
          {
            ...migration,
            async up(db: Kysely<any>) {
              const started = performance.now()
              await migration.up(db)
              onMigrated({ name, direction: 'Up', ms: performance.now() - started })
            },
          },
        ]),
      )
    },
  }
}

/** A migration that ran, and how long its `up` took. */
export interface TimedMigrationStep extends MigrationStep {
  readonly ms: number
}

/** One migration's outcome in a run. */
export interface MigrationStep {
  readonly name: string
  readonly direction: 'Up' | 'Down'
}

/** Where the application's own migrations come from. */
export interface WithMigrations {
  /**
   * The application's own migrations, run after the module's (see `migration-set.ts`): what
   * `loadMigrationsFolder('migrations')` reads, or an object built in code by an application
   * that bundles. Default: the module's migrations only.
   */
  readonly migrations?: AppMigrations
}

export interface MigrateOptions extends WithMigrations {
  /**
   * The Better Auth options the application runs with. When they need schema that no migration
   * provides (a plugin's tables or fields), the call rejects with `AuthSchemaMissingError` naming
   * them and `migrate:make --auth`, before anything is read from the database.
   */
  readonly authOptions?: AuthOptions
  /** Only check: reject with {@link PendingMigrationsError} when anything is pending, run nothing. */
  readonly checkOnly?: boolean
  /**
   * Told when long index builds start and end, e.g. `createTerminalProgress(db, process.stdout)`
   * to draw them on a terminal. Nothing is reported (or queried for it) when unset.
   */
  readonly progress?: DdlProgressReporter
  /**
   * Told as each migration's `up` finishes, with its time, so that a command line can print it
   * then rather than when the whole run ends.
   */
  readonly onMigrated?: (step: TimedMigrationStep) => void
}

/**
 * Brings the database to the latest migration. Resolves with the migrations that ran (none when
 * the database was up to date); rejects with {@link MigrationFailedError} naming the migration
 * that failed. Safe to call from every replica at once: one runs, the others wait for the lock
 * and then find nothing left to do.
 */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<MigrationStep[]> {
  const set = migrationSet(options.migrations)
  // From data alone: no round trip, so an up-to-date database still costs one query.
  if (options.authOptions) await assertAuthSchemaProvided(options.authOptions, set.schemas())
  return explained(db, async () => {
    const applied = await appliedMigrations(db)
    const pending = set.names.filter((name) => !applied.has(name))
    if (pending.length === 0) return []
    assertRunsInOrder(set, new Set(applied.keys()), pending)
    if (options.checkOnly) throw new PendingMigrationsError(pending)
    await assertMigratableServer(db) // CockroachDB, YugabyteDB, TiDB, Vitess: refused, see README
    // Every check of the run before its first change (and before Kysely creates its tables);
    // each migration repeats them inside the lock, in case the database changed meanwhile.
    assertNoBlockingFindings(await planAgainst(db, set.plannable(pending)))
    const migrator = new GuardedMigrator(db, set, false, options.onMigrated)
    return unwrap(await withDdlProgress(options.progress, () => migrator.migrateToLatest()))
  })
}

/** Where `migrateDown` should stop. */
export type DownTarget = { readonly steps: 1 } | { readonly to: string } | { readonly all: true }

/** {@link migrateDown}'s options: those of {@link createMigrator}. */
export type MigrateDownOptions = MigratorOptions

/**
 * Undoes migrations: the last one by default, every one after `to`, or all of them. Resolves with
 * what was undone (none when nothing was applied). Tables the module did not create are never
 * dropped, forced or not.
 */
export async function migrateDown(db: Kysely<any>, target: DownTarget = { steps: 1 }, options: MigrateDownOptions = {}): Promise<MigrationStep[]> {
  const set = migrationSet(options.migrations)
  if ('to' in target && !set.names.includes(target.to)) {
    throw new UsageError(`there is no migration named "${target.to}"; known: ${set.names.join(', ')}`)
  }
  return explained(db, async () => {
    await assertMigratableServer(db)
    // The guards (dependents, data loss unless forced) are the Migrator's, as for every front end.
    const migrator = createMigrator(db, options)
    if ('steps' in target) return unwrap(await migrator.migrateDown())
    if ('all' in target) return unwrap(await migrator.migrateTo(NO_MIGRATIONS))
    return unwrap(await migrator.migrateTo(target.to))
  })
}

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

export interface MigrationState {
  readonly name: string
  /** When it was applied; undefined while pending. */
  readonly executedAt: Date | undefined
  /**
   * `changed`: applied, but the code now runs different SQL than when it was applied (its
   * checksum differs). `unknown`: recorded in the database, but this code has no such migration.
   * `unchecked`: one of the module's migrations, applied, but no checksum was recorded (by a
   * version that recorded them only at the end of a whole run, which was cut short), so drift
   * cannot be told.
   */
  readonly drift: 'changed' | 'unknown' | 'unchecked' | undefined
}

/**
 * Every migration this module knows, with when it was applied and whether it drifted, followed
 * by any migration the database records that the code does not have.
 */
export async function migrationStatus(db: Kysely<any>, options: WithMigrations = {}): Promise<MigrationState[]> {
  const migrationNames = migrationSet(options.migrations).names
  return explained(db, async () => {
    const applied = await appliedMigrations(db)
    const stored = await storedChecksums(db)
    const dialect = engineOf(db).sqlDialect
    const current = stored.size > 0 ? await migrationChecksums(dialect) : new Map<string, string>()
    const known: MigrationState[] = migrationNames.map((name) => {
      const checksum = stored.get(name)
      let drift: MigrationState['drift']
      if (!applied.has(name) || !MIGRATION_NAMES.includes(name)) drift = undefined // pending, or the application's own
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
export async function pendingMigrations(db: Kysely<any>, options: WithMigrations = {}): Promise<string[]> {
  const applied = await appliedMigrations(db)
  return migrationSet(options.migrations).names.filter((name) => !applied.has(name))
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
    // Without the lock: another Galera node's migration may abort it (see rereadWhenAborted).
    const { rows } = await rereadWhenAborted(db, () => sql<{ name: string; timestamp: string }>`select name, timestamp from ${sql.table(MIGRATION_TABLE)}`.execute(db))
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
    if ((error instanceof SchemaConflictError || error instanceof DownBlockedError || error instanceof DataLossError || error instanceof UsageError) && !results.some((result) => result.status === 'Success')) throw error
    throw new MigrationFailedError(failed?.migrationName, error)
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => ({ name: result.migrationName, direction: result.direction }))
}
