/**
 * The application's Better Auth options, in one file: `auth.config.ts` (or `.mts`, `.js`,
 * `.mjs`) in the working directory, or the file `--auth-config <file>` / `AUTH_CONFIG` names. It
 * exports as `default` the options the application passes to `createAuth` (everything but
 * `database`). Every command that needs the options reads this file; router-backend imports it.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { AuthOptions } from '../auth-schema/options.js'
import { UsageError, describeError } from '../errors.js'
import { importModule } from './import-module.js'

export const AUTH_CONFIG_FILES: readonly string[] = ['auth.config.ts', 'auth.config.mts', 'auth.config.js', 'auth.config.mjs']

export interface AuthConfig {
  /** The file the options came from. */
  readonly file: string
  readonly options: AuthOptions
}

export interface FindAuthConfigOptions {
  /** `--auth-config`: a file, relative to `cwd`. */
  readonly file?: string
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
}

/**
 * The application's auth config, or undefined when there is none (then Better Auth's core schema
 * is what is needed). A file named by `--auth-config` or `AUTH_CONFIG` must exist.
 */
export async function loadAuthConfig(options: FindAuthConfigOptions = {}): Promise<AuthConfig | undefined> {
  const cwd = options.cwd ?? process.cwd()
  const named = options.file ?? (options.env ?? process.env).AUTH_CONFIG
  let file: string | undefined
  if (named) {
    file = resolve(cwd, named)
    if (!existsSync(file)) throw new UsageError(`the auth config ${named} does not exist (from ${options.file ? '--auth-config' : 'AUTH_CONFIG'})`)
  } else {
    file = AUTH_CONFIG_FILES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate))
    if (!file) return undefined
  }
  let exports: Record<string, unknown>
  try {
    exports = await importModule(file)
  } catch (error) {
    throw new UsageError(`could not load the auth config ${file}: ${describeError(error)}`)
  }
  const config = exports.default
  if (!config || typeof config !== 'object') throw new UsageError(`${file} must \`export default\` the Better Auth options (an object)`)
  if ('database' in config) throw new UsageError(`${file} must not set \`database\`: createAuth connects Better Auth to the module's database`)
  return { file, options: config as AuthOptions }
}
