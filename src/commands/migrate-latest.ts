import { createTerminalProgress } from '../cli/terminal-progress.js'
import { describeTarget } from '../db/url.js'
import { migrateToLatest, pendingMigrations } from '../migrate.js'
import { formatSql, planMigrations } from '../migration-sql.js'
import { plural, type Command } from './command.js'

export const migrateLatest: Command = {
  summary: 'apply every pending migration',
  help: [
    '--check        apply nothing; fail when a migration is pending',
    '--dry-run      apply nothing; print the SQL the pending migrations would run here',
  ],
  options: { check: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false } },
  validate: (options) => (options.check && options['dry-run'] ? 'give --check or --dry-run, not both' : undefined),
  async run({ database, options, out }) {
    const where = describeTarget(database.target)
    if (options['dry-run']) {
      const plans = await planMigrations(database.db, await pendingMigrations(database.db))
      out.line(`-- Dry run against ${where}: nothing below has been executed.`)
      out.line(plans.length > 0 ? formatSql(plans) : '-- Database is up to date: nothing to apply')
      out.result({ ok: true, dryRun: true, database: where, migrations: plans })
      return
    }
    out.line(`✅ Migrating database ${where}...`)
    // Long index builds draw a status line, on a terminal only (never into --json or a pipe).
    const progress = out.interactive ? createTerminalProgress(database.db, process.stdout) : undefined
    const steps = await migrateToLatest(database.db, { checkOnly: options.check === true, progress })
    for (const step of steps) out.line(`✅ Applied ${step.name}`)
    out.line(
      steps.length > 0
        ? `✅ Migration completed successfully: ${plural(steps.length, 'migration')} applied`
        : '✅ Database is up to date: nothing to apply',
    )
    out.result({ ok: true, database: where, applied: steps.map((s) => s.name) })
  },
}
