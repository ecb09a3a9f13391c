/**
 * The shape of one `db:verify` check, and the context every check reads the database through.
 *
 * A check is a name, a title for the checklist, and a function that returns items: one line of
 * the checklist each, passed, failed or warned, with what is wrong and what to do. Checks never
 * change the database.
 */
import type { Kysely } from 'kysely'
import type { AuthOptions } from '../auth-schema/options.js'
import type { SqlDialect } from '../database-url/url.js'
import { rereadWhenAborted } from '../engines/aborted-reads.js'
import { readCatalogSnapshot } from '../ddl/read-snapshot.js'
import { engineOf } from '../engines/index.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'
import { compareSchema, type Comparison, type ExpectedSchema } from '../planner/schema-diff.js'
import type { FindingCode } from '../model/findings.js'
import { pendingMigrations } from '../migrator/run.js'
import { shapedExpectedSchema } from './expected-schema.js'
import type { AppMigrations, MigrationSet } from '../migrator/migration-set.js'
import { authShapeState, shapeChangesOf, type AuthShapeState } from '../migrator/auth-shape-state.js'

/** `ok` passed; `fail` makes the run fail; `warn` is worth knowing but fails nothing. */
export type ItemStatus = 'ok' | 'fail' | 'warn'

/** One line of the checklist. */
export interface CheckItem {
  readonly status: ItemStatus
  /** For a failed or warned item of a schema check: the finding's code (`index-missing`). */
  readonly code?: FindingCode
  /** What was checked: `session.userId → user.id`, `index verification_identifier_idx`. */
  readonly subject: string
  /** What is wrong (or, for `ok`, a detail worth printing). */
  readonly detail?: string
  /** What to do about it. */
  readonly fix?: string
}

export interface VerifyCheck {
  /** A stable identifier, for `--json` and for picking checks: `indexes`, `better-auth`. */
  readonly name: string
  /** The checklist heading: `Indexes`. */
  readonly title: string
  run(context: VerifyContext): Promise<CheckItem[]>
}

/** What a table looks like in the catalog, read once per run. */
export interface TableInfo {
  readonly columns: readonly ColumnInfo[]
  readonly indexes: readonly IndexInfo[]
  readonly foreignKeys: readonly ForeignKeyInfo[]
}

export interface VerifyContext {
  readonly db: Kysely<any>
  readonly dialect: SqlDialect
  /** The Better Auth options the application runs with (plugins add tables and fields). */
  readonly authOptions: AuthOptions
  /** The module's and the application's migrations, in order. */
  readonly migrations: MigrationSet
  /** The application's migrations as given (for the functions of `migrate.ts`). */
  readonly appMigrations: AppMigrations | undefined
  /** Whether the options came from the application (auth.config.ts, or a caller): else Better Auth's core. */
  readonly hasAuthOptions: boolean
  /** The core tables' shape: made, reached by the renames, and asked for by the options. */
  readonly authShape: AuthShapeState
  /** Migrations not applied yet: then "run migrate:latest" is the fix for anything missing. */
  readonly pendingMigrations: readonly string[]
  /** A table's columns, indexes and foreign keys; undefined when the table does not exist. */
  table(name: string): Promise<TableInfo | undefined>
  /** The expected schema compared with the catalog, read once (see `src/planner/schema-diff.ts`). */
  readonly comparisons: readonly Comparison[]
}

/**
 * Reads what every check needs once: the pending migrations (the module's, then `migrations`),
 * and the catalog of every table the module's migrations lead to, compared with them.
 */
export async function createVerifyContext(db: Kysely<any>, authOptions: AuthOptions, migrations?: AppMigrations): Promise<VerifyContext> {
  const hasAuthOptions = Object.keys(authOptions).length > 0
  const authShape = await authShapeState(db, { authOptions: hasAuthOptions ? authOptions : undefined, migrations })
  const set = authShape.set
  // The schema checks compare what the module's own migrations make (in the shape the options
  // gave the core tables). An application's tables, and a plugin's (often made by Better Auth's
  // own migration first, in its own types, then adopted), are checked by the auth-options and
  // Better Auth checks instead.
  const expected: ExpectedSchema = shapedExpectedSchema(authShape.base, shapeChangesOf(migrations))
  const pending = await pendingMigrations(db, { migrations })
  // A Galera node migrating elsewhere may abort a catalog read (see rereadWhenAborted).
  const snapshot = await rereadWhenAborted(db, () => readCatalogSnapshot(db, expected.tables.map((table) => table.name)))
  return {
    db,
    dialect: engineOf(db).sqlDialect,
    authOptions,
    hasAuthOptions,
    authShape,
    migrations: set,
    appMigrations: migrations,
    pendingMigrations: pending,
    table: async (name) => snapshot.table(name) ?? (await rereadWhenAborted(db, () => readCatalogSnapshot(db, [name]))).table(name),
    comparisons: compareSchema(snapshot, expected, { db, pending: pending.length > 0 }),
  }
}
