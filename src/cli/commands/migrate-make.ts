import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { migrationShortName } from '../../app-migrations/migration-name.js'
import { UsageError } from '../../errors.js'
import type { Command } from './command.js'
import type { AppMigrations } from '../../migrator/migration-set.js'
import type { AuthOptions } from '../../auth-schema/options.js'
import { describeShape, type AuthShape } from '../../model/auth-shape.js'
import { AUTH_CONFIG_OPTION, MIGRATIONS_DIR_OPTION, appMigrationsFrom, authOptionsFrom, migrationsDirFrom } from './app-options.js'

export const migrateMake: Command = {
  summary: "write a new migration into the application's migrations folder",
  arguments: '<name>',
  options: [
    { flags: '--auth', description: 'generate it from the Better Auth options: what they need that the migrations lack' },
    MIGRATIONS_DIR_OPTION,
    AUTH_CONFIG_OPTION,
  ],
  examples: ['add_share_links', 'add-share-links', '--auth enable_plugins'],
  validate: (_options, positionals) => {
    if (positionals[0] === undefined) return 'give the new migration a name: migrate:make <name>'
    try {
      migrationShortName(positionals[0])
    } catch (error) {
      return (error as Error).message
    }
    return undefined
  },
  async run() {
    throw new Error('migrate:make needs no database')
  },
  async runOffline({ options, positionals, out, databaseUrl }) {
    // Better Auth and the generator: loaded for this command only.
    const { generateAuthMigration } = await import('../../auth-migration/generate.js')
    const { migrationFileName } = await import('../../app-migrations/render.js')
    const { migrationTemplate } = await import('../../app-migrations/template.js')
    // As typed (`add-plugins`, `AddPlugins`, "add plugins"), in snake_case; refused in one line when nothing usable is left.
    const shortName = migrationShortName(positionals[0]!)
    const dir = await migrationsDirFrom(options)
    const shown = relative(process.cwd(), dir) || '.'
    let name: string
    let source: string
    let adds: readonly string[] | undefined
    if (options.auth) {
      const config = await authOptionsFrom(options)
      if (!config) throw new UsageError('no auth.config.ts (or .mts, .js, .mjs) here: create one that exports default your Better Auth options, or pass --auth-config <file>')
      const migrations = await appMigrationsFrom(options)
      // Renaming needs what the database's core tables were made in: read it, when there is one.
      const madeIn = await shapeMadeIn(databaseUrl, migrations, config.options)
      // Ids of another type while users exist: the migration would only refuse; say so now, in the same words.
      if (madeIn?.idsHeldBy) {
        const { AuthShapeChangedError } = await import('../../migrator/auth-shape-state.js')
        throw new AuthShapeChangedError(madeIn.changes, madeIn.idsHeldBy)
      }
      out.line(madeIn ? `Core tables as ${madeIn.where} has them: ${describeShape(madeIn.shape)}` : 'No migrated database here: generating for a fresh one')
      const generated = await generateAuthMigration(config.options, { migrations, name: shortName, ...(madeIn ? { madeIn: madeIn.shape } : {}) })
      if (!generated) {
        out.line(`✅ Nothing to generate: the migrations already provide everything ${relative(process.cwd(), config.file)} needs`)
        out.result({ ok: true, written: null })
        return
      }
      ;({ name, source, adds } = generated)
    } else {
      await appMigrationsFrom(options) // refuses a folder that would not load, before adding to it
      name = migrationFileName(shortName)
      source = migrationTemplate(name, shortName)
    }
    const file = join(dir, `${name}.ts`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(file, source, { flag: 'wx' })
    out.line(`✅ Wrote ${join(shown, `${name}.ts`)}`)
    if (adds) out.line(`   adds ${adds.join(', ')}`)
    out.line('   review it, commit it, then run migrate:latest')
    out.result({ ok: true, written: file, name, ...(adds ? { adds } : {}) })
  },
}

/**
 * The shape the database at `databaseUrl` (or the default PGlite folder, if it exists) made its
 * core tables in, with what `authOptions` change and, for ids, the core table whose rows stop it;
 * undefined when there is no such database or it was never migrated. Read only.
 */
async function shapeMadeIn(
  databaseUrl: string | undefined,
  migrations: AppMigrations,
  authOptions: AuthOptions,
): Promise<{ shape: AuthShape; where: string; changes: readonly string[]; idsHeldBy?: string } | undefined> {
  const { connectDatabase } = await import('../../db/connect.js')
  const { authShapeState, CORE_TABLES_MIGRATION } = await import('../../migrator/auth-shape-state.js')
  const { appliedMigrations } = await import('../../migrator/history.js')
  const { describeTarget, parseDatabaseUrl } = await import('../../database-url/url.js')
  let database: Awaited<ReturnType<typeof connectDatabase>>
  try {
    database = await connectDatabase({ ...(databaseUrl ? { url: databaseUrl } : {}), createIfMissing: false })
  } catch (error) {
    // No DATABASE_URL and no embedded database yet: nothing was migrated. A URL that fails is an error.
    if (!databaseUrl) return undefined
    throw error
  }
  try {
    const applied = await appliedMigrations(database.db)
    if (!applied.has(CORE_TABLES_MIGRATION)) return undefined
    const state = await authShapeState(database.db, { migrations, authOptions }, applied)
    return { shape: state.base, where: describeTarget(parseDatabaseUrl(databaseUrl)), changes: state.changes, ...(state.idsHeldBy ? { idsHeldBy: state.idsHeldBy } : {}) }
  } finally {
    await database.db.destroy()
  }
}
