/**
 * snake_case for Better Auth's tables, the way Better Auth itself names a column: every field
 * gets a `fieldName` (`emailVerified` → `email_verified`), and every plugin table a `modelName`
 * (`twoFactor` → `two_factor`), written into the options the application already passes
 * everywhere. Better Auth's Kysely adapter then reads and writes those names at run time, its
 * `getMigrations` expects them, and the module's migrations make them: one setting, honoured by
 * `createAuth`, the migrations, `db:verify` and the CLI alike, because all of them read the
 * same options (`auth.config.ts`).
 *
 * Not Kysely's `CamelCasePlugin`: it renames every identifier of every query on the Kysely
 * instance, Better Auth's adapter included (whose raw SQL it cannot see), and the catalog
 * reads of the migrations too, so the two would disagree about what a table is called
 * (better-auth #410, #799, #4789). The module refuses a Kysely that carries it.
 *
 * A name the application set itself (`fields`, a field's `fieldName`, a `modelName`) is kept.
 */
import type { AuthOptions } from './options.js'
import { AUTH_MODELS, AUTH_MODEL_FIELDS } from '../model/auth-shape.js'

/** `emailVerified` → `email_verified`, `twoFactor` → `two_factor`, `userId` → `user_id`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
}

interface FieldLike {
  readonly fieldName?: string
  readonly [key: string]: unknown
}
interface TableLike {
  readonly modelName?: string
  readonly fields?: Readonly<Record<string, FieldLike>>
  readonly [key: string]: unknown
}
interface PluginLike {
  readonly schema?: Readonly<Record<string, TableLike>>
  readonly [key: string]: unknown
}

/**
 * `options` with every table and column of Better Auth (core, `additionalFields`, plugins, the
 * database rate limit) named in snake_case. Pure and idempotent: `snakeCase(snakeCase(o))` is
 * `snakeCase(o)`.
 *
 * @example
 * // auth.config.ts
 * export default snakeCase({ emailAndPassword: { enabled: true }, plugins: [twoFactor()] })
 */
export function snakeCase<const O extends AuthOptions>(options: O): O {
  const result: Record<string, unknown> = { ...options }
  for (const model of AUTH_MODELS) {
    const own = (options as Record<string, unknown>)[model] as { fields?: Record<string, string>; additionalFields?: Record<string, FieldLike> } | undefined
    const fields: Record<string, string> = {}
    for (const field of AUTH_MODEL_FIELDS[model]) if (field !== 'id' && toSnakeCase(field) !== field) fields[field] = toSnakeCase(field)
    result[model] = {
      ...own,
      fields: { ...fields, ...own?.fields },
      ...(own?.additionalFields ? { additionalFields: snakeFields(own.additionalFields) } : {}),
    }
  }
  const rateLimit = options.rateLimit as { modelName?: string; fields?: Record<string, string> } | undefined
  if (rateLimit) result.rateLimit = { ...rateLimit, modelName: rateLimit.modelName ?? 'rate_limit', fields: { lastRequest: 'last_request', ...rateLimit.fields } }
  if (options.plugins) result.plugins = options.plugins.map((plugin) => snakePlugin(plugin as unknown as PluginLike)) as unknown as typeof options.plugins
  return result as O
}

function snakeFields(fields: Readonly<Record<string, FieldLike>>): Record<string, FieldLike> {
  return Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, { ...field, fieldName: field.fieldName ?? toSnakeCase(key) }]))
}

/** A copy of `plugin` whose schema names its tables and fields in snake_case; the plugin's behaviour is untouched. */
function snakePlugin(plugin: PluginLike): PluginLike {
  if (!plugin.schema) return plugin
  const schema = Object.fromEntries(
    Object.entries(plugin.schema).map(([key, table]) => {
      const core = (AUTH_MODELS as readonly string[]).includes(key)
      // A core model's name is the application's (`user: { modelName }`), not a plugin's.
      const modelName = core ? table.modelName : (table.modelName ?? toSnakeCase(key))
      return [key, { ...table, ...(modelName !== undefined ? { modelName } : {}), ...(table.fields ? { fields: snakeFields(table.fields) } : {}) }]
    }),
  )
  return { ...plugin, schema }
}
