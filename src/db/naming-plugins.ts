/**
 * The application's Kysely, made the module's: its query plugins are not the module's business.
 *
 * A plugin that renames identifiers (Kysely's `CamelCasePlugin`) would rename the columns Better
 * Auth and the migrations name (`emailVerified` → `email_verified`), and the keys of the catalog
 * rows the module reads: Better Auth would then look for columns the migrations did not make,
 * and the migrations would read a catalog they do not understand. Such a Kysely is refused in
 * one line that says what to do instead, before the module reads anything through it. Any other
 * plugin (logging, tracing, the tests' fault injectors) sees the module's statements, catalog
 * reads included, as the application's own: only a plugin that renames can change what a catalog
 * read returns, and that one is refused.
 */
import type { Kysely } from 'kysely'
import { UsageError } from '../errors.js'

/** Plugins that rename identifiers, by class name (a second copy of Kysely has its own classes). */
const NAMING_PLUGINS: readonly string[] = ['CamelCasePlugin']

/** Refused: a Kysely whose plugins rename identifiers. */
export class NamingPluginError extends UsageError {
  override name = 'NamingPluginError'
  constructor(plugin: string) {
    super(
      `the Kysely instance given has ${plugin}, which renames the columns Better Auth and the migrations name (emailVerified → email_verified); ` +
        'pass one without it (db.withoutPlugins()), and for snake_case columns wrap the Better Auth options in snakeCase() (docs/better-auth.md, "snake_case")',
    )
  }
}

/** Throws {@link NamingPluginError} when `db` carries a plugin that renames identifiers. */
export function assertNoNamingPlugin(db: Kysely<any>): void {
  const plugins = (db.getExecutor() as { readonly plugins?: readonly object[] }).plugins ?? []
  const naming = plugins.find((plugin) => NAMING_PLUGINS.includes(plugin.constructor.name))
  if (naming) throw new NamingPluginError(naming.constructor.name)
}

/** `db` as the module queries it: refused with a naming plugin. */
export function moduleDb(db: Kysely<any>): Kysely<any> {
  assertNoNamingPlugin(db)
  return db
}
