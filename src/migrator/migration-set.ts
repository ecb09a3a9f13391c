/**
 * One ordered list of migrations: the module's own (`src/migrations/`), then the application's
 * (its `migrations/` folder, or passed in code). Kysely's Migrator, kysely-ctl, the CLI and
 * `migrateToLatest` at boot all run this list, recorded in one `kysely_migration` table.
 *
 * An application migration is either schema data (`export const schema = defineSchema(...)`,
 * planned and run online exactly as the module's own are, and undone from the ledger of what it
 * created) or a plain Kysely migration (`up(db)` / `down(db)`), run as it is. Its name is its file
 * name without the extension; names sort in the order they run, and the application's sort after
 * the module's (a `migrate:make` prefix is a UTC timestamp, `20261201223000_...`).
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { UsageError } from '../errors.js'
import { MIGRATION_NAMES, moduleMigration, plannable as modulePlannable } from '../migrations/index.js'
import { defineSchema, type AuthShapeChangeModel, type MigrationSchema } from '../model/migration-schema.js'
import { DEFAULT_AUTH_SHAPE, normalizeShape, shapeRenames, type AuthShape } from '../model/auth-shape.js'
import { recordCurrentAuthShape } from '../ddl/auth-shape-record.js'
import { executeStep, undoCreations } from '../ddl/apply.js'
import { assertNoBlockingFindings, type PlannableMigration } from '../planner/plan.js'
import { planAgainst } from '../ddl/plan-against.js'

/** An application migration as its file exports it: schema data, or a plain Kysely migration. */
export type AppMigration = SchemaDataMigration | PlainMigration

/**
 * A migration stated as data. `down` is optional: by default it removes exactly what `up`
 * created (the ledger in `artorizer_schema_objects`), newest first, and drops a table it created
 * only while that table is empty unless the data-loss guard was forced (`migrate:down --force`).
 */
export interface SchemaDataMigration {
  readonly schema: MigrationSchema
  down?(db: Kysely<any>, name: string): Promise<void>
}

/** A Kysely migration written by hand. */
export interface PlainMigration {
  up(db: Kysely<any>): Promise<void>
  down?(db: Kysely<any>): Promise<void>
}

/** The application's migrations by name (file name without extension). */
export type AppMigrations = Readonly<Record<string, AppMigration>>

export function isSchemaDataMigration(migration: AppMigration): migration is SchemaDataMigration {
  return typeof (migration as SchemaDataMigration).schema === 'object' && (migration as SchemaDataMigration).schema !== null
}

export interface MigrationSet {
  /** The shape the module's migrations make Better Auth's core tables in (see `model/auth-shape.ts`). */
  readonly shape: AuthShape
  /** Every migration, in the order they run. */
  readonly names: readonly string[]
  /** The application's, in order. */
  readonly appNames: readonly string[]
  /** As Kysely's Migrator runs them. */
  readonly migrations: Readonly<Record<string, Migration>>
  readonly provider: MigrationProvider
  /** `names` that are schema data, with it, in order (plain migrations have none). */
  plannable(names: readonly string[]): PlannableMigration[]
  /** The schema data of every migration, in order: what `foldSchemas` folds. */
  schemas(): MigrationSchema[]
}

const NO_APP_MIGRATIONS: AppMigrations = Object.freeze({})
const cache = new WeakMap<AppMigrations, Map<string, MigrationSet>>()

/**
 * The module's migrations, in `shape` (Better Auth's defaults unless given), followed by `app`'s.
 * Refuses, with one line, a name the module uses and a name that sorts before the module's last
 * (it would run among them).
 */
export function migrationSet(app?: AppMigrations, shape: AuthShape = DEFAULT_AUTH_SHAPE): MigrationSet {
  const migrations = app && Object.keys(app).length > 0 ? app : NO_APP_MIGRATIONS
  let byShape = cache.get(migrations)
  if (!byShape) cache.set(migrations, (byShape = new Map()))
  const key = JSON.stringify(normalizeShape(shape))
  let set = byShape.get(key)
  if (!set) byShape.set(key, (set = build(migrations, normalizeShape(shape))))
  return set
}

function build(app: AppMigrations, shape: AuthShape): MigrationSet {
  const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!
  const appNames = Object.keys(app).sort()
  for (const name of appNames) {
    if (MIGRATION_NAMES.includes(name)) throw new UsageError(`migration "${name}" has the name of one of this module's own; rename its file`)
    if (name < last) {
      throw new UsageError(`migration "${name}" sorts before this module's "${last}", so it would run among them; rename it with a later prefix (migrate:make gives one)`)
    }
    const migration = app[name]!
    if (!isSchemaDataMigration(migration) && typeof (migration as PlainMigration).up !== 'function') {
      throw new UsageError(`migration "${name}" exports neither \`schema\` (defineSchema) nor \`up(db)\``)
    }
  }
  const names = [...MIGRATION_NAMES, ...appNames]
  const schemaOf = (name: string): MigrationSchema | undefined => {
    if (MIGRATION_NAMES.includes(name)) return modulePlannable([name], shape)[0]!.schema
    const migration = app[name]
    return migration && isSchemaDataMigration(migration) ? migration.schema : undefined
  }
  const plannable = (subset: readonly string[]): PlannableMigration[] =>
    subset.flatMap((name) => {
      const schema = schemaOf(name)
      return schema ? [{ name, schema }] : []
    })
  const migrations: Record<string, Migration> = {}
  for (const name of names) {
    const own = moduleMigration(name)
    const migration = app[name]
    if (own) {
      migrations[name] = {
        up: async (db) => {
          await runSchemaMigration(db, plannable(names.slice(names.indexOf(name))))
          await own.afterUp?.(db, shape)
        },
        down: (db) => own.down(db),
      }
    } else if (migration && isSchemaDataMigration(migration)) {
      const change = migration.schema.authShape
      migrations[name] = {
        up: async (db) => {
          await runSchemaMigration(db, plannable(names.slice(names.indexOf(name))))
          if (change) await recordCurrentAuthShape(db, change.to)
        },
        down: async (db) => {
          if (migration.down) await migration.down(db, name)
          else await undoSchemaMigration(db, name)
          if (change) await undoShapeChange(db, name, change)
        },
      }
    } else if (migration) {
      const plain = migration as PlainMigration
      migrations[name] = { up: (db) => plain.up(db), ...(plain.down ? { down: (db: Kysely<any>) => plain.down!(db) } : {}) }
    }
  }
  return {
    shape,
    names,
    appNames,
    migrations,
    provider: { getMigrations: async () => migrations },
    plannable,
    schemas: () => plannable(names).map((m) => m.schema),
  }
}

/**
 * A schema migration's `up`: plan it and every schema migration after it against the live
 * catalog (so that the run stops before its first change if any of them cannot run), then
 * execute its own steps. `chain[0]` is the migration being run.
 */
export async function runSchemaMigration(db: Kysely<any>, chain: readonly PlannableMigration[]): Promise<void> {
  const plans = await planAgainst(db, chain)
  assertNoBlockingFindings(plans)
  for (const step of plans[0]?.steps ?? []) await executeStep(db, step)
}


/**
 * The default `down` of a schema-data migration: removes what the ledger says migration `name`
 * created, newest first (foreign keys and indexes before the tables they belong to).
 */
export async function undoSchemaMigration(db: Kysely<any>, name: string): Promise<void> {
  await undoCreations(db, name)
}

/**
 * Moves the core tables back to `change.from`: ids given their old type first (under the names
 * they have now), then the views the move left dropped and the tables renamed back.
 */
async function undoShapeChange(db: Kysely<any>, name: string, change: AuthShapeChangeModel): Promise<void> {
  const renamed: AuthShape = { ...change.to, ids: change.from.ids }
  if (change.ids && change.from.ids !== change.to.ids) {
    await runSchemaMigration(db, [{ name, schema: defineSchema({ authShape: { from: change.to, to: renamed, views: false, ids: change.ids } }) }])
  }
  const views = change.views ? shapeRenames(change.from, change.to).tables.filter((t) => t.from !== t.to).map((t) => t.from) : []
  const back = defineSchema({ dropViews: views, authShape: { from: renamed, to: change.from, views: false } })
  await runSchemaMigration(db, [{ name, schema: back }])
  await recordCurrentAuthShape(db, change.from)
}

/**
 * Checks `pending` against what is applied: no application migration may sort before an applied
 * one. (A migration of a newer release of this module may: it runs after the application's.)
 */
export function assertRunsInOrder(set: MigrationSet, applied: ReadonlySet<string>, pending: readonly string[]): void {
  const lastApplied = set.names.filter((name) => applied.has(name)).at(-1)
  if (!lastApplied) return
  const early = pending.find((name) => set.appNames.includes(name) && name < lastApplied)
  if (early) {
    throw new UsageError(`migration "${early}" sorts before "${lastApplied}", which is already applied; rename it with a later prefix (migrate:make gives one)`)
  }
}
