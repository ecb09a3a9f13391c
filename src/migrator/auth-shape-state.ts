/**
 * Which shape Better Auth's core tables have on a database, and which the application's options
 * ask for: the one place that decides how the module's migrations are shaped (see
 * `model/auth-shape.ts`).
 *
 * - The *base* is the shape `0001_better_auth` makes the tables in: recorded in the database
 *   once 0001 ran (`artorizer_auth_shape`; none recorded: Better Auth's defaults); before that,
 *   the options' shape with every rename among the application's migrations undone, so that a
 *   fresh database goes through the same renames as the databases it must match.
 * - The shape *reached* is the base after every rename migration of the application.
 * - The shape *wanted* is the options' (the shape reached when no options are given).
 *
 * When reached and wanted differ, the options changed the core tables and a migration is
 * needed (`migrate:make --auth` generates it).
 */
import type { Kysely } from 'kysely'
import { AuthDbError } from '../errors.js'
import { AUTH_MODELS, DEFAULT_AUTH_SHAPE, sameShape, shapeChanges, type AuthShape } from '../model/auth-shape.js'
import { tableExists, tableHasRows } from '../ddl/introspect.js'
import type { AuthShapeChangeModel } from '../model/migration-schema.js'
import { recordedAuthShape } from '../ddl/auth-shape-record.js'
import { authShapeOf, authTableNames } from '../auth-schema/shape.js'
import type { AuthOptions } from '../auth-schema/options.js'
import { MIGRATION_NAMES } from '../migrations/index.js'
import { isSchemaDataMigration, migrationSet, type AppMigrations, type MigrationSet } from './migration-set.js'
import { appliedMigrations } from './history.js'

/** The first migration: it makes the core tables, in the base shape. */
export const CORE_TABLES_MIGRATION = MIGRATION_NAMES[0]!

export interface AuthShapeState {
  readonly base: AuthShape
  readonly reached: AuthShape
  readonly wanted: AuthShape
  /** What the options change from the shape reached: empty when the migrations give them what they ask. */
  readonly changes: readonly string[]
  /** The migrations, with the module's in the base shape. */
  readonly set: MigrationSet
  /**
   * When the options give ids another type: the first table whose ids change (a core table as
   * named now, or a plugin's) that holds rows, which stops the change (an id cannot be
   * converted). Read only from a database.
   */
  readonly idsHeldBy?: string
}

export interface AuthShapeSources {
  readonly authOptions?: AuthOptions | undefined
  readonly migrations?: AppMigrations | undefined
}

/** The state on `db` (one query more than `applied`, when given, already answers). */
export async function authShapeState(db: Kysely<any>, sources: AuthShapeSources, applied?: ReadonlyMap<string, Date>): Promise<AuthShapeState> {
  const made = (applied ?? (await appliedMigrations(db))).has(CORE_TABLES_MIGRATION)
  const state = await shapeStateFrom(made ? await recordedAuthShape(db) : undefined, sources)
  if (!made || state.reached.ids === state.wanted.ids) return state
  // Every table whose ids Better Auth makes: the core ones as named now, then the plugins'.
  const wantedCore = AUTH_MODELS.map((model) => state.wanted.tables[model])
  const plugins = sources.authOptions ? (await authTableNames(sources.authOptions)).filter((table) => !wantedCore.includes(table)) : []
  for (const table of [...AUTH_MODELS.map((model) => state.reached.tables[model]), ...plugins]) {
    if ((await tableExists(db, table)) && (await tableHasRows(db, table))) return { ...state, idsHeldBy: table }
  }
  return state
}

/**
 * The state without a database (`migrate:sql`, generating): as on a fresh database unless
 * `recorded` says what an existing one was made in.
 */
export async function shapeStateFrom(recorded: AuthShape | undefined, sources: AuthShapeSources): Promise<AuthShapeState> {
  const changes = shapeChangesOf(sources.migrations)
  const options = sources.authOptions ? await authShapeOf(sources.authOptions) : undefined
  const base = recorded ?? (options ? undoChanges(options, changes) : DEFAULT_AUTH_SHAPE)
  const reached = changes.reduce((shape, change) => (sameShape(shape, change.from) ? change.to : shape), base)
  const wanted = options ?? reached
  return { base, reached, wanted, changes: shapeChanges(reached, wanted), set: migrationSet(sources.migrations, base) }
}

/** The application's core-table renames, in the order they run. */
export function shapeChangesOf(migrations: AppMigrations | undefined): AuthShapeChangeModel[] {
  if (!migrations) return []
  return Object.keys(migrations)
    .sort()
    .flatMap((name) => {
      const migration = migrations[name]!
      return isSchemaDataMigration(migration) && migration.schema.authShape ? [migration.schema.authShape] : []
    })
}

/** `shape` before `changes` (walked back from the last): what a fresh database starts from. */
function undoChanges(shape: AuthShape, changes: readonly AuthShapeChangeModel[]): AuthShape {
  return [...changes].reverse().reduce((current, change) => (sameShape(current, change.to) ? change.from : current), shape)
}

/**
 * Better Auth's options give the core tables another shape than the database has (a table or a
 * column renamed, ids of another type), and no migration makes the change yet. `idsHeldBy`: the
 * table whose rows stop an id change (then no migration can make it).
 */
export class AuthShapeChangedError extends AuthDbError {
  override name = 'AuthShapeChangedError'
  constructor(
    readonly changes: readonly string[],
    readonly idsHeldBy?: string,
  ) {
    super(
      `Better Auth's options change the core tables from what the migrations make (${changes.join(', ')}); ` +
        (idsHeldBy
          ? `"${idsHeldBy}" holds rows, and ids cannot be converted, only made anew: keep advanced.database.generateId as the rows were made, or start from a new database (docs/better-auth.md, "Changing the options")`
          : 'run artorizer-auth-db migrate:make --auth <name> against this database, review and commit the migration, then migrate:latest'),
    )
  }
}

/** Rejects with {@link AuthShapeChangedError} while the options ask for a shape the migrations do not reach. */
export function assertShapeReached(state: AuthShapeState): void {
  if (state.changes.length > 0) throw new AuthShapeChangedError(state.changes, state.idsHeldBy)
}
