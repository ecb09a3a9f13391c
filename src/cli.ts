#!/usr/bin/env node
/**
 * The command line: a thin layer over the same functions router-backend imports.
 *
 *   artorizer-auth-db migrate:latest [--json] [--check]
 *   artorizer-auth-db migrate:down   [--json] [--to <name> | --all]
 *   artorizer-auth-db migrate:status [--json]
 *
 * Exit codes: 0 success, 1 failure (a migration, the database), 2 bad usage.
 */
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { connectDatabase, type AuthDatabase } from './db/connect.js'
import { explainDatabaseError } from './db/explain-error.js'
import { describeTarget, parseDatabaseUrl } from './db/url.js'
import { databaseUrlFromEnv } from './db/env.js'
import { AuthDbError, MigrationFailedError, UsageError, describeError } from './errors.js'
import { migrateDown, migrateToLatest, migrationStatus, type DownTarget, type MigrationStep } from './migrate.js'

const USAGE = `usage: artorizer-auth-db <command> [options]

commands:
  migrate:latest   apply every pending migration
  migrate:down     undo the last migration (--to <name>: down to that one; --all: every one)
  migrate:status   list migrations, applied or pending

options:
  --json           machine-readable output on stdout
  --check          with migrate:latest: apply nothing, fail if anything is pending
  --to <name>      with migrate:down: undo every migration applied after <name>
  --all            with migrate:down: undo every migration
  -h, --help       show this help

The database is DATABASE_URL (environment, then .env); unset means embedded PGlite in ./.data/pglite.`

const COMMANDS = ['migrate:latest', 'migrate:down', 'migrate:status'] as const
type Command = (typeof COMMANDS)[number]

interface Output {
  readonly json: boolean
  line(text: string): void
  result(value: unknown): void
}

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        to: { type: 'string' },
        all: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    return usageError(describeError(error))
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const [command, ...extra] = positionals
  if (!command || !(COMMANDS as readonly string[]).includes(command)) {
    return usageError(command ? `unknown command "${command}"` : 'no command given')
  }
  if (extra.length > 0) return usageError(`unexpected argument "${extra[0]}"`)
  if (command !== 'migrate:down' && (values.to !== undefined || values.all)) return usageError('--to and --all go with migrate:down')
  if (command !== 'migrate:latest' && values.check) return usageError('--check goes with migrate:latest')
  if (values.to !== undefined && values.all) return usageError('give --to or --all, not both')

  const out = output(values.json)
  let database: AuthDatabase | undefined
  let target
  try {
    target = parseDatabaseUrl(databaseUrlFromEnv())
    database = await connectDatabase()
    await run(command as Command, database, out, {
      check: values.check,
      down: values.all ? { all: true } : values.to !== undefined ? { to: values.to } : { steps: 1 },
    })
    return 0
  } catch (error) {
    const explained = target ? explainDatabaseError(error, target) : error
    reportFailure(out, explained)
    return error instanceof UsageError ? 2 : 1
  } finally {
    await database?.db.destroy().catch(() => {})
  }
}

async function run(
  command: Command,
  { db, target }: AuthDatabase,
  out: Output,
  options: { check: boolean; down: DownTarget },
): Promise<void> {
  const where = describeTarget(target)
  switch (command) {
    case 'migrate:latest': {
      out.line(`✅ Migrating database ${where}...`)
      const steps = await migrateToLatest(db, { checkOnly: options.check })
      for (const step of steps) out.line(`✅ Applied ${step.name}`)
      out.line(steps.length > 0 ? `✅ Migration completed successfully: ${count(steps.length, 'migration')} applied` : '✅ Database is up to date: nothing to apply')
      out.result({ ok: true, database: where, applied: steps.map((s) => s.name) })
      return
    }
    case 'migrate:down': {
      const steps: MigrationStep[] = await migrateDown(db, options.down)
      for (const step of steps) out.line(`✅ Reverted ${step.name}`)
      out.line(steps.length > 0 ? `✅ Rolled back ${count(steps.length, 'migration')}` : '✅ Nothing to roll back: no migration is applied')
      out.result({ ok: true, database: where, reverted: steps.map((s) => s.name) })
      return
    }
    case 'migrate:status': {
      const states = await migrationStatus(db)
      out.line(`Database ${where}`)
      for (const state of states) {
        out.line(`${state.executedAt ? '✅' : '⏳'} ${state.name}  ${state.executedAt ? `applied ${state.executedAt.toISOString()}` : 'pending'}`)
      }
      const pending = states.filter((s) => !s.executedAt).length
      out.line(pending > 0 ? `${count(pending, 'migration')} pending` : 'Up to date')
      out.result({
        ok: true,
        database: where,
        migrations: states.map((s) => ({ name: s.name, status: s.executedAt ? 'applied' : 'pending', executedAt: s.executedAt?.toISOString() ?? null })),
      })
      return
    }
  }
}

function output(json: boolean): Output {
  return {
    json,
    line: (text) => {
      if (!json) console.log(text)
    },
    result: (value) => {
      if (json) console.log(JSON.stringify(value, null, 2))
    },
  }
}

function reportFailure(out: Output, error: unknown): void {
  const message = describeError(error)
  if (out.json) {
    const failed = error instanceof MigrationFailedError ? error.migrationName : undefined
    console.log(JSON.stringify({ ok: false, error: message, ...(failed ? { migration: failed } : {}) }, null, 2))
  } else {
    console.error(`❌ ${message}`)
  }
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack)
  else if (!(error instanceof AuthDbError) && !out.json) console.error('   (set DEBUG=1 for the stack trace)')
}

function usageError(message: string): number {
  console.error(`error: ${message}\n\n${USAGE}`)
  return 2
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2))
}
