import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { migrationShortName } from '../../app-migrations/migration-name.js'
import { UsageError } from '../../errors.js'
import type { Command } from './command.js'
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
  async runOffline({ options, positionals, out }) {
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
      const generated = await generateAuthMigration(config.options, { migrations: await appMigrationsFrom(options), name: shortName })
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
