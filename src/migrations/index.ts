/**
 * Every migration, in order. Provided in code (not read from a folder at run time) so that they
 * work from `dist/` and when bundled into router-backend. Names are fixed-width and sort in
 * the order they must run; a migration that has been released is never edited: add a new one.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import * as betterAuth from './0001_better_auth.js'
import * as artorizerUserLink from './0002_artorizer_user_link.js'
import * as indexes from './0003_indexes.js'

/**
 * A migration that adopts what already exists may also say, without changing anything, why the
 * existing tables cannot be adopted (`check`): an empty list when they can.
 */
export interface AdoptingMigration extends Migration {
  check?(db: Kysely<any>): Promise<string[]>
}

const modules: Readonly<Record<string, AdoptingMigration>> = {
  '0001_better_auth': betterAuth,
  '0002_artorizer_user_link': artorizerUserLink,
  '0003_indexes': indexes,
}

/**
 * Every problem that would stop any of `names` (migrations still to run), from every check, so
 * that one report lists them all. Each check reads the database as it is and assumes that the
 * migrations before it create their tables in the target shape.
 */
export async function findSchemaConflicts(db: Kysely<any>, names: readonly string[]): Promise<string[]> {
  const problems: string[] = []
  for (const name of names) problems.push(...((await modules[name]?.check?.(db)) ?? []))
  return problems
}

/** Throws {@link SchemaConflictError} listing every problem of {@link findSchemaConflicts}. */
export async function assertAdoptable(db: Kysely<any>, names: readonly string[]): Promise<void> {
  const problems = await findSchemaConflicts(db, names)
  if (problems.length > 0) throw new SchemaConflictError(problems)
}

const ordered = Object.keys(modules).sort()

/**
 * The migrations as Kysely's Migrator (and kysely-ctl) runs them. Before its own change, each
 * `up` runs the checks of itself and of every migration after it (Kysely runs them in order,
 * so those are exactly the ones still to come): a run stops before its first change, inside the
 * migration lock, whoever started it. Checks only read, so repeating them costs little.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.fromEntries(
  Object.entries(modules).map(([name, migration]) => [
    name,
    {
      up: async (db: Kysely<any>) => {
        await assertAdoptable(db, ordered.slice(ordered.indexOf(name)))
        await migration.up(db)
      },
      ...(migration.down ? { down: migration.down } : {}),
    } satisfies Migration,
  ]),
)

/** Hands Kysely's Migrator the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}
