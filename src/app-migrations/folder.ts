/**
 * The application's migrations folder: `migrations/` in the working directory by default,
 * another with `--migrations-dir` or `MIGRATIONS_DIR`. Each `.ts`, `.mts`, `.js` or `.mjs` file
 * (not `.d.ts`) is one migration, named by its file name without the extension; `index.*` is
 * skipped (an application that bundles lists its migrations there, for `migrateToLatest`).
 */
import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError, describeError } from '../errors.js'
import type { AppMigration, AppMigrations } from '../migrator/migration-set.js'
import { importModule } from '../config/import-module.js'

export const DEFAULT_MIGRATIONS_DIR = 'migrations'

const MIGRATION_FILE = /^(?!.*\.d\.[cm]?ts$)(.+)\.(ts|mts|js|mjs)$/

/** The folder the options or the environment name, resolved against `cwd`. */
export function migrationsDir(option?: string, { cwd = process.cwd(), env = process.env }: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return resolve(cwd, option ?? env.MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR)
}

/** The migration files of `dir` by name; none when the folder does not exist. */
export function migrationFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>()
  if (!existsSync(dir)) return files
  for (const entry of readdirSync(dir).sort()) {
    const match = MIGRATION_FILE.exec(entry)
    if (!match) continue
    const name = match[1]!
    if (name === 'index') continue // a list of the folder's migrations for bundlers, not one
    const other = files.get(name)
    if (other) throw new UsageError(`two migrations are named "${name}" in ${dir} (${other.split('/').pop()}, ${entry}); keep one`)
    files.set(name, resolve(dir, entry))
  }
  return files
}

/** Loads every migration of `dir` (see {@link migrationFiles}). */
export async function loadMigrationsFolder(dir: string): Promise<AppMigrations> {
  const migrations: Record<string, AppMigration> = {}
  for (const [name, file] of migrationFiles(dir)) {
    let exports: Record<string, unknown>
    try {
      exports = await importModule(file)
    } catch (error) {
      throw new UsageError(`could not load migration ${file}: ${describeError(error)}`)
    }
    migrations[name] = exports as unknown as AppMigration
  }
  return migrations
}
