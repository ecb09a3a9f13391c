import { describeTarget } from '../db/url.js'
import { migrationStatus, type MigrationState } from '../migrate.js'
import { plural, type Command } from './command.js'
import { MIGRATIONS_DIR_HELP, MIGRATIONS_DIR_OPTION, appMigrationsFrom } from './app-options.js'

export const migrateStatus: Command = {
  summary: 'list the migrations, applied (when) or pending, and any drift',
  help: [MIGRATIONS_DIR_HELP],
  options: MIGRATIONS_DIR_OPTION,
  async run({ database, options, out }) {
    const where = describeTarget(database.target)
    const states = await migrationStatus(database.db, { migrations: await appMigrationsFrom(options) })
    out.line(`Database ${where}`)
    for (const state of states) out.line(describe(state))
    const pending = states.filter((s) => !s.executedAt).length
    const drifted = states.filter((s) => s.drift).length
    out.line(pending > 0 ? `${plural(pending, 'migration')} pending` : 'Up to date')
    if (drifted > 0) out.line(`⚠️  ${plural(drifted, 'migration')} drifted: the database and this code disagree (see above)`)
    out.result({
      ok: true,
      database: where,
      migrations: states.map((s) => ({
        name: s.name,
        status: s.drift === 'unknown' ? 'unknown' : s.executedAt ? 'applied' : 'pending',
        executedAt: s.executedAt?.toISOString() ?? null,
        drift: s.drift ?? null,
      })),
    })
  },
}

function describe(state: MigrationState): string {
  const applied = state.executedAt ? `applied ${state.executedAt.toISOString()}` : 'pending'
  switch (state.drift) {
    case 'changed':
      return `⚠️  ${state.name}  ${applied}; CHANGED since: this code would now run different SQL. Released migrations must not change: restore it and add a new migration`
    case 'unknown':
      return `⚠️  ${state.name}  ${applied}; UNKNOWN: recorded in the database but not in this code. Is this code older than the database?`
    default:
      return `${state.executedAt ? '✅' : '⏳'} ${state.name}  ${applied}`
  }
}
