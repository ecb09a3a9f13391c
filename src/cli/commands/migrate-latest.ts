import { createTerminalProgress } from '../terminal-progress.js'
import { describeTarget, isMultiHost } from '../../database-url/url.js'
import { replicationState } from '../../migrator/standby.js'
import { migrateToLatest, pendingMigrations } from '../../migrator/run.js'
import { formatSql, pendingMigrationSql } from '../../migrator/migration-sql.js'
import { authShapeState } from '../../migrator/auth-shape-state.js'
import { plural, seconds, type Command } from './command.js'
import { AUTH_CONFIG_OPTION, MIGRATIONS_DIR_OPTION, appMigrationsFrom, authOptionsFrom } from './app-options.js'

export const migrateLatest: Command = {
  summary: 'apply every pending migration',
  options: [
    { flags: '--check', description: 'apply nothing; fail (exit 1) when a migration is pending' },
    { flags: '--dry-run', description: 'apply nothing; print the SQL the pending migrations would run here' },
    MIGRATIONS_DIR_OPTION,
    AUTH_CONFIG_OPTION,
  ],
  examples: ['', '--check', '--dry-run'],
  readOnly: (options) => options.check === true || options['dry-run'] === true,
  validate: (options) => (options.check && options['dry-run'] ? 'give --check or --dry-run, not both' : undefined),
  async run({ database, options, out }) {
    const where = describeTarget(database.target)
    const migrations = await appMigrationsFrom(options)
    const authOptions = (await authOptionsFrom(options))?.options
    if (options['dry-run']) {
      const pending = await pendingMigrations(database.db, { migrations })
      const { base } = await authShapeState(database.db, { authOptions, migrations })
      const plans = await pendingMigrationSql(database.db, pending, { migrations, shape: base })
      out.line(`-- Dry run against ${where}: nothing below has been executed.`)
      out.line(plans.length > 0 ? formatSql(plans) : '-- Database is up to date: nothing to apply')
      out.result({ ok: true, dryRun: true, database: where, migrations: plans })
      return
    }
    const check = options.check === true
    out.line(check ? `Checking database ${where} for pending migrations...` : `Migrating database ${where}...`)
    // Long index builds draw a status line, on a terminal only (never into --json or a pipe).
    const progress = out.interactive ? createTerminalProgress(database.db, process.stdout) : undefined
    const started = performance.now()
    const steps = await migrateToLatest(database.db, {
      checkOnly: check,
      progress,
      migrations,
      authOptions,
      // A run stopped by a failover says so and exits; the operator reruns it (the boot API retries).
      failoverWaitMs: 0,
      // Each line as its migration finishes, not all of them at the end.
      onMigrated: (step) => out.line(`✅ Applied ${step.name} (${seconds(step.ms)})`),
    })
    // Which host of a multi-host URL did the work.
    if (isMultiHost(database.target)) {
      const { address } = await replicationState(database.db)
      if (address) out.line(`On ${address}`)
    }
    out.line(
      steps.length > 0
        ? `✅ Migration completed successfully: ${plural(steps.length, 'migration')} applied in ${seconds(performance.now() - started)}`
        : check
          ? '✅ Database is up to date: no migration is pending'
          : '✅ Database is up to date: nothing to apply',
    )
    out.result({ ok: true, database: where, applied: steps.map((s) => s.name) })
  },
}
