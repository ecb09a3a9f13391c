import { describeTarget } from '../../database-url/url.js'
import { migrateDown as down } from '../../migrator/run.js'
import type { DownTarget } from '../../migrator/history.js'
import { plural, type Command } from './command.js'
import { MIGRATIONS_DIR_OPTION, appMigrationsFrom } from './app-options.js'

export const migrateDown: Command = {
  summary: 'undo the last migration',
  options: [
    { flags: '--to <name>', description: 'undo every migration applied after <name>' },
    { flags: '--all', description: 'undo every migration' },
    { flags: '--force', description: 'undo even when that deletes users, sessions, accounts or artwork owners' },
    MIGRATIONS_DIR_OPTION,
  ],
  examples: ['', '--to 0001_better_auth', '--all --force'],
  validate: (options) => (options.to !== undefined && options.all ? 'give --to or --all, not both' : undefined),
  async run({ database, options, out }) {
    const target: DownTarget = options.all ? { all: true } : typeof options.to === 'string' ? { to: options.to } : { steps: 1 }
    const steps = await down(database.db, target, { force: options.force === true, migrations: await appMigrationsFrom(options) })
    for (const step of steps) out.line(`✅ Reverted ${step.name}`)
    out.line(steps.length > 0 ? `✅ Rolled back ${plural(steps.length, 'migration')}` : '✅ Nothing to roll back: no migration is applied')
    out.result({ ok: true, database: describeTarget(database.target), reverted: steps.map((s) => s.name) })
  },
}
