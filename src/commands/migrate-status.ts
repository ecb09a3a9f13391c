import { describeTarget } from '../db/url.js'
import { migrationStatus } from '../migrate.js'
import { plural, type Command } from './command.js'

export const migrateStatus: Command = {
  summary: 'list the migrations, applied (when) or pending',
  async run({ database, out }) {
    const where = describeTarget(database.target)
    const states = await migrationStatus(database.db)
    out.line(`Database ${where}`)
    for (const state of states) {
      out.line(`${state.executedAt ? '✅' : '⏳'} ${state.name}  ${state.executedAt ? `applied ${state.executedAt.toISOString()}` : 'pending'}`)
    }
    const pending = states.filter((s) => !s.executedAt).length
    out.line(pending > 0 ? `${plural(pending, 'migration')} pending` : 'Up to date')
    out.result({
      ok: true,
      database: where,
      migrations: states.map((s) => ({
        name: s.name,
        status: s.executedAt ? 'applied' : 'pending',
        executedAt: s.executedAt?.toISOString() ?? null,
      })),
    })
  },
}
