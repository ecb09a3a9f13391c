/**
 * Running the migrations: the functions that the CLI and router-backend's boot code share.
 *
 * Kysely's `Migrator` does the work. Around it this module adds what a service that migrates at
 * every boot needs: a cheap check first (one query, no lock) so an up-to-date database costs one
 * round trip, errors that are thrown instead of returned, and a check-only mode.
 */
import { NO_MIGRATIONS, type Kysely, type MigrationResult, type MigrationResultSet } from 'kysely'
import { ConnectionError, MigrationFailedError, PendingMigrationsError, SchemaConflictError, UsageError } from '../errors.js'
import { assertPrimary, describeStandby, isReplaying, replicationState } from './standby.js'
import { targetOf } from '../db/safe-errors-driver.js'
import { isMultiHost } from '../database-url/url.js'
import { checksumMatches, migrationChecksums, storedChecksums } from './migration-sql.js'
import { MIGRATION_NAMES } from '../migrations/index.js'
import { assertRunsInOrder, migrationSet } from './migration-set.js'
import { assertNoBlockingFindings } from '../planner/plan.js'
import { planAgainst } from '../ddl/plan-against.js'
import { assertAuthSchemaProvided } from '../auth-schema/needs.js'
import type { AuthOptions } from '../auth-schema/options.js'
import { engineOf } from '../engines/index.js'
import { assertMigratableServer } from '../engines/unsupported-servers.js'
import { explainFor } from '../db/safe-errors-driver.js'
import { DataLossError, DownBlockedError } from './down-guard.js'
import { withDdlProgress, type DdlProgressReporter } from '../engines/index-build-progress.js'
import { createMigrator, GuardedMigrator, type MigrationStep, type MigratorOptions, type TimedMigrationStep, type WithMigrations } from './migrator.js'
import { appliedMigrations, type DownTarget } from './history.js'
import { assertShapeReached, authShapeState } from './auth-shape-state.js'
import { moduleDb } from '../db/naming-plugins.js'

/** The names of every migration this version of the module has, in order. */
export const migrationNames: readonly string[] = MIGRATION_NAMES

export interface MigrateOptions extends WithMigrations {
  /**
   * The Better Auth options the application runs with. They shape the core tables (names, ids)
   * on a fresh database; when they need schema that no migration provides (a plugin's tables or
   * fields) the call rejects with `AuthSchemaMissingError`, and when they rename what the
   * database has, with `AuthShapeChangedError`, both before any change. With them, an
   * up-to-date boot reads the recorded shape too: two queries instead of one.
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
  /**
   * With `checkOnly` on a standby whose replay is behind the WAL it received: how long to wait for
   * the replay to bring the migrations before rejecting (default 30000, PostgreSQL's default
   * `max_standby_streaming_delay`). A caught-up or paused standby is not waited for.
   */
  readonly replayWaitMs?: number
  /**
   * With a multi-host `DATABASE_URL`: how long to keep running again after the server stopped
   * answering or went away (a failover), to finish on the new primary (default 60000; 0: never,
   * as the CLI does, which says so and leaves the rerun to the operator).
   */
  readonly failoverWaitMs?: number
}

/** {@link MigrateOptions.replayWaitMs}'s default. */
export const DEFAULT_REPLAY_WAIT_MS = 30_000
/** {@link MigrateOptions.failoverWaitMs}'s default. */
export const DEFAULT_FAILOVER_WAIT_MS = 60_000

/**
 * Brings the database to the latest migration. Resolves with the migrations that ran (none when
 * the database was up to date); rejects with {@link MigrationFailedError} naming the migration
 * that failed. Safe to call from every replica at once: one runs, the others wait for the lock
 * and then find nothing left to do.
 */
export async function migrateToLatest(given: Kysely<any>, options: MigrateOptions = {}): Promise<MigrationStep[]> {
  const db = moduleDb(given)
  return retryingFailover(db, options.failoverWaitMs ?? DEFAULT_FAILOVER_WAIT_MS, () => migrateOnce(db, options))
}

/** One run of {@link migrateToLatest}: what a failover may interrupt and `retryingFailover` run again. */
async function migrateOnce(db: Kysely<any>, options: MigrateOptions): Promise<MigrationStep[]> {
  return explained(db, async () => {
    const applied = await appliedMigrations(db)
    const pending = migrationSet(options.migrations).names.filter((name) => !applied.has(name))
    // Up to date and no options to compare with: one query, as every boot of every replica pays.
    if (pending.length === 0 && !options.authOptions) return []
    if (options.checkOnly && !options.authOptions) {
      const set = migrationSet(options.migrations)
      assertRunsInOrder(set, new Set(applied.keys()), pending)
      return checkOnStandby(db, set, pending, options.replayWaitMs ?? DEFAULT_REPLAY_WAIT_MS)
    }
    const state = await authShapeState(db, options, applied)
    assertShapeReached(state)
    if (options.authOptions) await assertAuthSchemaProvided(options.authOptions, state.set.schemas())
    if (pending.length === 0) return []
    assertRunsInOrder(state.set, new Set(applied.keys()), pending)
    if (options.checkOnly) return checkOnStandby(db, state.set, pending, options.replayWaitMs ?? DEFAULT_REPLAY_WAIT_MS)
    await assertPrimary(db) // a standby: refused before any change, see docs/standbys.md
    await assertMigratableServer(db) // CockroachDB, YugabyteDB, TiDB, Vitess: refused, see docs/other-engines.md
    // Every check of the run before its first change (and before Kysely creates its tables);
    // each migration repeats them inside the lock, in case the database changed meanwhile.
    assertNoBlockingFindings(await planAgainst(db, state.set.plannable(pending)))
    const migrator = new GuardedMigrator(db, state.set, false, options.onMigrated)
    return unwrap(await withDdlProgress(options.progress, () => migrator.migrateToLatest()))
  })
}

/**
 * Pending migrations found by a check: a {@link PendingMigrationsError}, saying so when the
 * server is a standby; resolves instead if a standby whose replay is behind replays them within
 * `waitMs`. Only asked when something is pending: an up-to-date boot stays one query.
 */
async function checkOnStandby(db: Kysely<any>, set: ReturnType<typeof migrationSet>, pending: string[], waitMs: number): Promise<MigrationStep[]> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const state = await replicationState(db)
    if (!state.standby) throw new PendingMigrationsError(pending)
    // Read again after the standby's state: its replay may have brought them meanwhile.
    const applied = await appliedMigrations(db)
    pending = set.names.filter((name) => !applied.has(name))
    if (pending.length === 0) return []
    if (!isReplaying(state) || Date.now() >= deadline) throw new PendingMigrationsError(pending, describeStandby(state))
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/**
 * Runs `run` again while it fails because its server went away (a failover), the URL lists
 * several hosts, and `waitMs` has not passed: each run connects anew, to whichever host fits
 * `target_session_attrs` then, and finishes the job. One host, or `waitMs` 0: the failure as it is.
 */
async function retryingFailover<T>(db: Kysely<any>, waitMs: number, run: () => Promise<T>): Promise<T> {
  const target = targetOf(db)
  const multiHost = target !== undefined && isMultiHost(target)
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      return await run()
    } catch (error) {
      if (!multiHost || !isFailover(error) || Date.now() >= deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
}

/** Whether an error (or its cause) is a server gone away mid-run, or no primary found yet. */
function isFailover(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ConnectionError && e.transient) return true
  }
  return false
}

/** {@link migrateDown}'s options: those of {@link createMigrator}. */
export type MigrateDownOptions = MigratorOptions

/**
 * Undoes migrations: the last one by default, every one after `to`, or all of them. Resolves with
 * what was undone (none when nothing was applied). Tables the module did not create are never
 * dropped, forced or not.
 */
export async function migrateDown(given: Kysely<any>, target: DownTarget = { steps: 1 }, options: MigrateDownOptions = {}): Promise<MigrationStep[]> {
  const db = moduleDb(given)
  const set = migrationSet(options.migrations)
  if ('to' in target && !set.names.includes(target.to)) {
    throw new UsageError(`there is no migration named "${target.to}"; known: ${set.names.join(', ')}`)
  }
  return explained(db, async () => {
    await assertPrimary(db) // a standby: refused before any change, see docs/standbys.md
    await assertMigratableServer(db)
    // The guards (dependents, data loss unless forced) are the Migrator's, as for every front end.
    const migrator = createMigrator(db, options)
    if ('steps' in target) return unwrap(await migrator.migrateDown())
    if ('all' in target) return unwrap(await migrator.migrateTo(NO_MIGRATIONS))
    return unwrap(await migrator.migrateTo(target.to))
  })
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
export async function migrationStatus(given: Kysely<any>, options: WithMigrations = {}): Promise<MigrationState[]> {
  const db = moduleDb(given)
  const migrationNames = migrationSet(options.migrations).names
  return explained(db, async () => {
    const applied = await appliedMigrations(db)
    const stored = await storedChecksums(db)
    const dialect = engineOf(db).sqlDialect
    const shape = stored.size > 0 ? (await authShapeState(db, options, applied)).base : undefined
    const current = shape ? await migrationChecksums(dialect, shape) : new Map<string, string>()
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

/** What Better Auth's options ask that the migrations do not give: a change of the core tables' shape, and missing schema. */
export interface AuthOptionsStatus {
  /** Renames or an id change the options make to the core tables (`table user → users`): `migrate:make --auth` (or, for ids, see the error). */
  readonly shapeChanges: readonly string[]
  /** The core table whose rows stop an id change (see `AuthShapeChangedError`). */
  readonly idsHeldBy?: string
  /** Tables and columns the options need that no migration makes: `migrate:make --auth`. */
  readonly missing: readonly string[]
}

/** Whether the migrations give `authOptions` what they ask, as `migrate:latest` would decide (for `migrate:status`). */
export async function authOptionsStatus(given: Kysely<any>, options: WithMigrations & { readonly authOptions: AuthOptions }): Promise<AuthOptionsStatus> {
  const db = moduleDb(given)
  const state = await explained(db, () => authShapeState(db, options))
  if (state.changes.length > 0) return { shapeChanges: state.changes, ...(state.idsHeldBy ? { idsHeldBy: state.idsHeldBy } : {}), missing: [] }
  const { authSchemaGap } = await import('../auth-schema/diff.js')
  return { shapeChanges: [], missing: (await authSchemaGap(options.authOptions, state.set.schemas())).missing }
}

/**
 * The migrations not applied yet, read in one query without the lock. A database that has never
 * been migrated has no migration table: everything is pending.
 */
export async function pendingMigrations(db: Kysely<any>, options: WithMigrations = {}): Promise<string[]> {
  const applied = await appliedMigrations(moduleDb(db))
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
