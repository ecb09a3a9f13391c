import { describeTarget, isMultiHost } from '../../database-url/url.js'
import { migrationStatus, type MigrationState } from '../../migrator/run.js'
import { describeStandby, replicationState } from '../../migrator/standby.js'
import { plural, type Command } from './command.js'
import { MIGRATIONS_DIR_OPTION, appMigrationsFrom } from './app-options.js'

export const migrateStatus: Command = {
  summary: 'list the migrations, applied (when) or pending, and any drift',
  options: [MIGRATIONS_DIR_OPTION],
  readOnly: true,
  async run({ database, options, out }) {
    const where = describeTarget(database.target)
    const states = await migrationStatus(database.db, { migrations: await appMigrationsFrom(options) })
    const replication = await replicationState(database.db)
    out.line(`Database ${where}`)
    if (replication.standby) out.line(`⚠️  ${describeStandby(replication)}`)
    else if (isMultiHost(database.target) && replication.address) out.line(`On ${replication.address}, the primary`)
    for (const state of states) out.line(describe(state))
    const pending = states.filter((s) => !s.executedAt).length
    const drifted = states.filter((s) => s.drift === 'changed' || s.drift === 'unknown').length
    const unchecked = states.filter((s) => s.drift === 'unchecked').length
    out.line(pending > 0 ? `${plural(pending, 'migration')} pending` : 'Up to date')
    if (drifted > 0) out.line(`⚠️  ${plural(drifted, 'migration')} drifted: the database and this code disagree (see above)`)
    if (unchecked > 0) out.line(`⚠️  ${plural(unchecked, 'migration')} with no checksum: drift cannot be checked for ${unchecked === 1 ? 'it' : 'them'} (see above)`)
    out.result({
      ok: true,
      database: where,
      standby: replication.standby ? describeStandby(replication) : null,
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
    case 'unchecked':
      return `⚠️  ${state.name}  ${applied}; no checksum recorded (an older version's run was cut short), so whether it changed since cannot be told`
    default:
      return `${state.executedAt ? '✅' : '⏳'} ${state.name}  ${applied}`
  }
}
