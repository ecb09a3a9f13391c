/**
 * Every migration, in order. Provided in code (not read from a folder at run time) so that they
 * work from `dist/` and when bundled into router-backend. Names are fixed-width and sort in
 * the order they must run; a migration that has been released is never edited: add a new one.
 */
import type { Migration, MigrationProvider } from 'kysely'
import * as betterAuth from './0001_better_auth.js'
import * as artorizerUserLink from './0002_artorizer_user_link.js'
import * as indexes from './0003_indexes.js'

export const migrations: Readonly<Record<string, Migration>> = {
  '0001_better_auth': betterAuth,
  '0002_artorizer_user_link': artorizerUserLink,
  '0003_indexes': indexes,
}

/** Hands Kysely's Migrator the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}
