/**
 * Every migration, in order. Provided in code (not read from a folder at run time) so that they
 * work from `dist/` and when bundled into router-backend. Names are fixed-width and sort in
 * the order they must run; a migration that has been released is never edited: add a new one.
 *
 * A migration is its schema data (`schema`, see `src/schema/model.ts`) and a `down`. Its `up`
 * is the same for all: read the catalog once, plan it and every migration after it (so that a
 * run stops before its first change if any of them cannot run), then execute its own steps.
 */
import type { Kysely, Migration } from 'kysely'
import { CatalogSnapshot } from '../schema/catalog.js'
import type { Finding } from '../schema/findings.js'
import type { MigrationSchema } from '../schema/model.js'
import { executeStep } from '../schema/online-ddl.js'
import { assertNoBlockingFindings, planMigrations, tablesOf, type MigrationPlan, type PlannableMigration } from '../schema/plan.js'
import * as betterAuth from './0001_better_auth.js'
import * as artorizerUserLink from './0002_artorizer_user_link.js'
import * as indexes from './0003_indexes.js'
import * as exactJobIds from './0004_exact_job_ids.js'

/** A migration of this module: its frozen schema data and how to undo it. */
export interface SchemaMigration {
  readonly schema: MigrationSchema
  down(db: Kysely<any>): Promise<void>
}

const modules: Readonly<Record<string, SchemaMigration>> = {
  '0001_better_auth': betterAuth,
  '0002_artorizer_user_link': artorizerUserLink,
  '0003_indexes': indexes,
  '0004_exact_job_ids': exactJobIds,
}

/** Every migration's name, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(modules).sort()
const ordered = MIGRATION_NAMES

/** `names` (in order) with their schema data, for the planner. */
export function plannable(names: readonly string[]): PlannableMigration[] {
  return names.map((name) => {
    const migration = modules[name]
    if (!migration) throw new Error(`unknown migration ${name}`)
    return { name, schema: migration.schema }
  })
}

/** The schema data of `names`, in order. */
export function schemasOf(names: readonly string[]): MigrationSchema[] {
  return plannable(names).map((m) => m.schema)
}

/** Plans `names` (migrations still to run, in order) against `db` as it is now. */
export async function planPending(db: Kysely<any>, names: readonly string[]): Promise<MigrationPlan[]> {
  const migrations = plannable(names)
  const snapshot = await CatalogSnapshot.read(db, tablesOf(migrations.map((m) => m.schema)))
  // Compiled without the caller's plugins: a plan only prints SQL, it must not be seen as a query.
  return planMigrations(snapshot, migrations, db.withoutPlugins())
}

/**
 * Every finding that would stop any of `names` (migrations still to run), from every
 * migration's plan, so that one report lists them all. Each plan reads the database as it is
 * and assumes the migrations before it create their tables in the target shape.
 */
export async function findSchemaFindings(db: Kysely<any>, names: readonly string[]): Promise<Finding[]> {
  return (await planPending(db, names)).flatMap((plan) => plan.findings)
}

/** The one-line problems of {@link findSchemaFindings}: an empty list when everything can be adopted. */
export async function findSchemaConflicts(db: Kysely<any>, names: readonly string[]): Promise<string[]> {
  return (await findSchemaFindings(db, names)).map((f) => f.message)
}

/** Throws `SchemaConflictError` listing every finding of {@link findSchemaFindings}. */
export async function assertAdoptable(db: Kysely<any>, names: readonly string[]): Promise<void> {
  assertNoBlockingFindings(await planPending(db, names))
}

/**
 * The migrations' own work, as Kysely's Migrator (and kysely-ctl) runs them (`src/migrate.ts` adds
 * the checksum bookkeeping). Kysely runs them in order, so
 * the migrations after one are exactly the ones still to come: each `up` plans them all, inside
 * the migration lock, whoever started it, and stops before its first change if any cannot run.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.fromEntries(
  Object.entries(modules).map(([name, migration]) => [
    name,
    {
      up: async (db: Kysely<any>) => {
        const plans = await planPending(db, ordered.slice(ordered.indexOf(name)))
        assertNoBlockingFindings(plans)
        for (const step of plans[0]!.steps) await executeStep(db, step)
      },
      down: (db: Kysely<any>) => migration.down(db),
    } satisfies Migration,
  ]),
)
