/**
 * The options every command that runs or reads migrations takes: where the application's own
 * migrations are, and which file holds its Better Auth options.
 */
import type { AuthOptions } from '../auth.js'
import { loadMigrationsFolder, migrationsDir } from '../app-migrations/folder.js'
import { loadAuthConfig } from '../config/auth-config.js'
import type { AppMigrations } from '../migration-set.js'
import type { OptionSpec, OptionValues } from './command.js'

export const MIGRATIONS_DIR_OPTION: OptionSpec = { 'migrations-dir': { type: 'string' } }
export const AUTH_CONFIG_OPTION: OptionSpec = { 'auth-config': { type: 'string' } }

export const MIGRATIONS_DIR_HELP = "--migrations-dir <dir>  the application's migrations (default ./migrations, or MIGRATIONS_DIR)"
export const AUTH_CONFIG_HELP = '--auth-config <file>    the Better Auth options (default ./auth.config.ts|.mts|.js|.mjs, or AUTH_CONFIG)'

/** The application's migrations, from `--migrations-dir`, `MIGRATIONS_DIR` or `./migrations`. */
export async function appMigrationsFrom(options: OptionValues): Promise<AppMigrations> {
  return loadMigrationsFolder(migrationsDirFrom(options))
}

export function migrationsDirFrom(options: OptionValues): string {
  return migrationsDir(typeof options['migrations-dir'] === 'string' ? options['migrations-dir'] : undefined)
}

/** The Better Auth options of `auth.config.*` (or `--auth-config`), if there is such a file. */
export async function authOptionsFrom(options: OptionValues): Promise<{ file: string; options: AuthOptions } | undefined> {
  return loadAuthConfig({ file: typeof options['auth-config'] === 'string' ? options['auth-config'] : undefined })
}
