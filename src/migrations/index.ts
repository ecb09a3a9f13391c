/**
 * Every migration, in order. Provided in code (not read from a folder at run time) so that they
 * work from `dist/` and when bundled into router-backend. Names are fixed-width and sort in
 * the order they must run; a migration that has been released is never edited: add a new one.
 *
 * A migration is its schema data (`schema`, see `src/model/migration-schema.ts`) and a `down`. Its `up`
 * is the same for all, and for the application's schema-data migrations: `runSchemaMigration`
 * in `src/migrator/migration-set.ts`.
 */
import type { Kysely } from 'kysely'
import type { Finding } from '../model/findings.js'
import type { MigrationSchema } from '../model/migration-schema.js'
import { DEFAULT_AUTH_SHAPE, shapeSchema, type AuthShape } from '../model/auth-shape.js'
import { type MigrationPlan } from '../planner/steps.js'
import { type PlannableMigration } from '../planner/plan.js'
import { planAgainst } from '../ddl/plan-against.js'
import * as betterAuth from './0001_better_auth.js'
import * as artorizerUserLink from './0002_artorizer_user_link.js'
import * as indexes from './0003_indexes.js'
import * as exactJobIds from './0004_exact_job_ids.js'

/** A migration of this module: its frozen schema data and how to undo it. */
export interface SchemaMigration {
  readonly schema: MigrationSchema
  down(db: Kysely<any>): Promise<void>
  /** Runs once its schema is made, with the shape it was made in (0001 records it). */
  afterUp?(db: Kysely<any>, shape: AuthShape): Promise<void>
}

const modules: Readonly<Record<string, SchemaMigration>> = {
  '0001_better_auth': betterAuth,
  '0002_artorizer_user_link': artorizerUserLink,
  '0003_indexes': indexes,
  '0004_exact_job_ids': exactJobIds,
}

/** Every migration's name, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(modules).sort()

/**
 * `names` (in order) with their schema data in `shape`'s names and id types (Better Auth's
 * defaults unless given), for the planner.
 */
export function plannable(names: readonly string[], shape: AuthShape = DEFAULT_AUTH_SHAPE): PlannableMigration[] {
  return names.map((name) => {
    const migration = modules[name]
    if (!migration) throw new Error(`unknown migration ${name}`)
    return { name, schema: shapeSchema(migration.schema, shape) }
  })
}

/** The schema data of `names`, in order. */
export function schemasOf(names: readonly string[], shape: AuthShape = DEFAULT_AUTH_SHAPE): MigrationSchema[] {
  return plannable(names, shape).map((m) => m.schema)
}

/** Plans `names` (migrations still to run, in order) against `db` as it is now. */
export function planPending(db: Kysely<any>, names: readonly string[], shape: AuthShape = DEFAULT_AUTH_SHAPE): Promise<MigrationPlan[]> {
  return planAgainst(db, plannable(names, shape))
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

/** Migration `name` of this module (its schema data and `down`), if there is one. */
export function moduleMigration(name: string): SchemaMigration | undefined {
  return modules[name]
}
