import { describeTarget, isMultiHost } from '../../database-url/url.js'
import type { ItemStatus } from '../../verify/index.js'
import { describeStandby, replicationState } from '../../migrator/standby.js'
import { plural, type Command } from './command.js'
import { AUTH_CONFIG_OPTION, MIGRATIONS_DIR_OPTION, appMigrationsFrom, authOptionsFrom } from './app-options.js'

const MARK: Record<ItemStatus, string> = { ok: '✅', fail: '❌', warn: '⚠️ ' }

export const dbVerify: Command = {
  summary: 'check the live schema: tables, types, foreign keys, indexes, Better Auth, migrations',
  options: [MIGRATIONS_DIR_OPTION, AUTH_CONFIG_OPTION],
  readOnly: true,
  async run({ database, options, out }) {
    const { verifyDatabase } = await import('../../verify/index.js') // Better Auth: loaded for this command only
    const where = describeTarget(database.target)
    const config = await authOptionsFrom(options)
    const report = await verifyDatabase(database.db, { authOptions: config?.options, migrations: await appMigrationsFrom(options) })
    const replication = await replicationState(database.db)
    out.line(`Verifying database ${where}${config ? ` for the Better Auth options of ${config.file}` : ''}`)
    // What a standby shows is what it has replayed: a pending migration there may be replay lag.
    if (replication.standby) out.line(`⚠️  ${describeStandby(replication)}`)
    else if (isMultiHost(database.target) && replication.address) out.line(`On ${replication.address}, the primary`)
    for (const check of report.checks) {
      out.line('')
      if (check.items.length === 0) {
        out.line(`➖ ${check.title}: nothing to check (its tables are missing)`)
        continue
      }
      out.line(`${MARK[check.status]} ${check.title}`)
      for (const item of check.items) {
        out.line(`   ${MARK[item.status]} ${item.subject}${item.detail ? `: ${item.detail}` : ''}`)
        if (item.fix && item.status !== 'ok') out.line(`      → ${item.fix}`)
      }
    }
    out.line('')
    const warnings = report.warnings > 0 ? ` (${plural(report.warnings, 'warning')})` : ''
    out.line(
      report.ok
        ? `✅ Database matches the schema${warnings}`
        : `❌ ${plural(report.failures, 'problem')} found${warnings}; the fixes are under each ❌ above`,
    )
    out.result({ ok: report.ok, database: where, standby: replication.standby ? describeStandby(replication) : null, failures: report.failures, warnings: report.warnings, checks: report.checks })
    return report.ok ? 0 : 1
  },
}
