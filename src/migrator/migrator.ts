/**
 * The module's Migrator: Kysely's own, with every guard inside it, and the provider whose steps
 * record checksums and check again inside the lock.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, type NoMigrations } from 'kysely'
import { AuthDbError, describeError } from '../errors.js'
import { explainFor } from '../db/safe-errors-driver.js'
import { migrateAgainWhenAborted } from '../engines/aborted-reads.js'
import { forgetChecksums, recordChecksum } from './migration-sql.js'
import { assertRunsInOrder, type AppMigrations, type MigrationSet } from './migration-set.js'
import { assertShapeReached, authShapeState, type AuthShapeSources } from './auth-shape-state.js'
import type { AuthOptions } from '../auth-schema/options.js'
import { moduleDb } from '../db/naming-plugins.js'
import { DataLossError, DownBlockedError, dataLostByDown, findDownBlockers } from './down-guard.js'
import type { AuthShape } from '../model/auth-shape.js'
import { appliedMigrations, migrationsUndoneBy, MIGRATION_LOCK_TABLE, MIGRATION_TABLE, type DownTarget } from './history.js'

/** Where the application's own migrations come from. */
export interface WithMigrations {
  /**
   * The application's own migrations, run after the module's (see `migration-set.ts`): what
   * `loadMigrationsFolder('migrations')` reads, or an object built in code by an application
   * that bundles. Default: the module's migrations only.
   */
  readonly migrations?: AppMigrations
}

/** What {@link createMigrator} takes: the application's migrations, its Better Auth options, and whether to force. */
export interface MigratorOptions extends WithMigrations {
  /**
   * The Better Auth options the application runs with: they shape the core tables on a fresh
   * database (table and column names, uuid or serial ids), and a run whose options rename what
   * the database has is refused (`AuthShapeChangedError`). Without them the database's recorded
   * shape is used (Better Auth's defaults on a fresh one).
   */
  readonly authOptions?: AuthOptions
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
export function createMigrator(given: Kysely<any>, options: MigratorOptions = {}): Migrator {
  const db = moduleDb(given)
  return new GuardedMigrator(db, async () => (await authShapeState(db, options)).set, options.force === true, undefined, options)
}

/**
 * Kysely's Migrator with the module's guards. Each guard runs twice: once before Kysely takes
 * its lock, over the whole run, so that a refused run changes nothing (Kysely would otherwise
 * undo the steps before the refused one); and once more in the step itself (see
 * {@link guardedProvider}), inside the lock, in case the database changed between the two.
 * Refusals are returned as Kysely returns its own errors (`{ error }`, no results), which
 * kysely-ctl prints.
 */
export class GuardedMigrator extends Migrator {
  readonly #db: Kysely<any>
  readonly #set: () => Promise<MigrationSet>
  readonly #force: boolean
  readonly #sources: AuthShapeSources | undefined
  /**
   * `set` is the migrations, or how to find them (in the shape the database's core tables have,
   * which needs a query: done once, on the first run). `sources`, when given, are checked for a
   * change of the core tables' shape before an up.
   */
  constructor(db: Kysely<any>, set: MigrationSet | (() => Promise<MigrationSet>), force: boolean, onMigrated?: (step: TimedMigrationStep) => void, sources?: AuthShapeSources) {
    let resolved: Promise<MigrationSet> | undefined
    const resolve = (): Promise<MigrationSet> => (resolved ??= typeof set === 'function' ? set() : Promise.resolve(set))
    super({
      db,
      provider: {
        async getMigrations() {
          const migrations = await resolve()
          return reportingProvider(guardedProvider(migrations.provider, { force, shape: migrations.shape }), onMigrated).getMigrations()
        },
      },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
      disableTransactions: true,
      // A release of this module may add a migration after the application's were applied: it
      // then runs after them, and is undone before them (Kysely orders by execution time).
      // Application migrations themselves must keep to name order (`assertRunsInOrder`).
      allowUnorderedMigrations: true,
    })
    this.#db = db
    this.#set = resolve
    this.#force = force
    this.#sources = sources
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
    if (this.#sources) assertShapeReached(await authShapeState(this.#db, this.#sources, applied))
    const set = await this.#set()
    assertRunsInOrder(set, new Set(applied.keys()), set.names.filter((name) => !applied.has(name)))
  }

  /** The dependents and data-loss guards over every migration that `target` would undo. */
  async #checkDown(target: DownTarget): Promise<void> {
    await assertDownAllowed(this.#db, await migrationsUndoneBy(this.#db, target), this.#force)
  }

  /** `check`'s error, as Kysely's Migrator returns errors (no results: nothing ran), or nothing when it passed. */
  async #refusal(check: () => Promise<void>): Promise<MigrationResultSet | undefined> {
    try {
      // The migrations are found (one query) before Kysely takes its connection for the lock:
      // inside it, PGlite's single connection would be taken, and the query would wait forever.
      await this.#set()
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
export function guardedProvider(source: MigrationProvider, { force, shape }: { readonly force: boolean; readonly shape?: AuthShape }): MigrationProvider {
  return eachMigration(source, (name, migration) => ({
    up: async (db: Kysely<any>) => {
      await migration.up(db)
      await recordChecksum(db, name, shape)
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
  }))
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
  return eachMigration(provider, (name, migration) => ({
    ...migration,
    async up(db: Kysely<any>) {
      const started = performance.now()
      await migration.up(db)
      onMigrated({ name, direction: 'Up', ms: performance.now() - started })
    },
  }))
}

/** `source` with each of its migrations replaced by what `wrap` makes of it. */
function eachMigration(source: MigrationProvider, wrap: (name: string, migration: Migration) => Migration): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(Object.entries(await source.getMigrations()).map(([name, migration]) => [name, wrap(name, migration)]))
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
