/**
 * The options every command that runs or reads migrations takes: where the application's own
 * migrations are, and which file holds its Better Auth options. The loaders are imported when
 * a command asks for them, so that a command's start stays light.
 */
import type { AuthOptions } from '../../auth-schema/options.js'
import type { AppMigrations } from '../../migrator/migration-set.js'
import type { OptionDef, OptionValues } from './command.js'

export const MIGRATIONS_DIR_OPTION: OptionDef = {
  flags: '--migrations-dir <dir>',
  description: "the application's migrations (default ./migrations, or MIGRATIONS_DIR)",
}
export const AUTH_CONFIG_OPTION: OptionDef = {
  flags: '--auth-config <file>',
  description: 'the Better Auth options (default ./auth.config.ts|.mts|.js|.mjs, or AUTH_CONFIG)',
}

/** The application's migrations, from `--migrations-dir`, `MIGRATIONS_DIR` or `./migrations`. */
export async function appMigrationsFrom(options: OptionValues): Promise<AppMigrations> {
  const { loadMigrationsFolder } = await import('../../app-migrations/folder.js')
  return loadMigrationsFolder(await migrationsDirFrom(options))
}

export async function migrationsDirFrom(options: OptionValues): Promise<string> {
  const { migrationsDir } = await import('../../app-migrations/folder.js')
  return migrationsDir(typeof options['migrations-dir'] === 'string' ? options['migrations-dir'] : undefined)
}

/** The Better Auth options of `auth.config.*` (or `--auth-config`), if there is such a file. */
export async function authOptionsFrom(options: OptionValues): Promise<{ file: string; options: AuthOptions } | undefined> {
  const { loadAuthConfig } = await import('../../config/auth-config.js')
  return loadAuthConfig({ file: typeof options['auth-config'] === 'string' ? options['auth-config'] : undefined })
}
