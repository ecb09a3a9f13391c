import { describeTarget, isMultiHost } from '../../database-url/url.js'
import { authOptionsStatus, migrationStatus, type AuthOptionsStatus, type MigrationState } from '../../migrator/run.js'
import { describeStandby, replicationState } from '../../migrator/standby.js'
import { plural, type Command } from './command.js'
import { AUTH_CONFIG_OPTION, MIGRATIONS_DIR_OPTION, appMigrationsFrom, authOptionsFrom } from './app-options.js'
import { AuthShapeChangedError } from '../../migrator/auth-shape-state.js'
import { AuthSchemaMissingError } from '../../auth-schema/needs.js'

export const migrateStatus: Command = {
  summary: 'list the migrations, applied (when) or pending, and any drift',
  options: [MIGRATIONS_DIR_OPTION, AUTH_CONFIG_OPTION],
  readOnly: true,
  async run({ database, options, out }) {
    const where = describeTarget(database.target)
    const migrations = await appMigrationsFrom(options)
    const states = await migrationStatus(database.db, { migrations })
    // The options are read as migrate:latest reads them: a change they make is said here too.
    const authOptions = (await authOptionsFrom(options))?.options
    const needs: AuthOptionsStatus | undefined = authOptions ? await authOptionsStatus(database.db, { migrations, authOptions }) : undefined
    const replication = await replicationState(database.db)
    out.line(`Database ${where}`)
    if (replication.standby) out.line(`⚠️  ${describeStandby(replication)}`)
    else if (isMultiHost(database.target) && replication.address) out.line(`On ${replication.address}, the primary`)
    for (const state of states) out.line(describe(state))
    const pending = states.filter((s) => !s.executedAt).length
    const drifted = states.filter((s) => s.drift === 'changed' || s.drift === 'unknown').length
    const unchecked = states.filter((s) => s.drift === 'unchecked').length
    const optionsNeedMigration = (needs?.shapeChanges.length ?? 0) + (needs?.missing.length ?? 0) > 0
    out.line(pending > 0 ? `${plural(pending, 'migration')} pending` : optionsNeedMigration ? "No migration pending, but Better Auth's options need one:" : 'Up to date')
    if (drifted > 0) out.line(`⚠️  ${plural(drifted, 'migration')} drifted: the database and this code disagree (see above)`)
    if (needs?.shapeChanges.length) out.line(`⚠️  ${new AuthShapeChangedError(needs.shapeChanges, needs.idsHeldBy).message}`)
    if (needs?.missing.length) out.line(`⚠️  ${new AuthSchemaMissingError(needs.missing).message}`)
    if (unchecked > 0) out.line(`⚠️  ${plural(unchecked, 'migration')} with no checksum: drift cannot be checked for ${unchecked === 1 ? 'it' : 'them'} (see above)`)
    out.result({
      ok: true,
      database: where,
      ...(needs ? { authOptions: { shapeChanges: needs.shapeChanges, missing: needs.missing } } : {}),
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
