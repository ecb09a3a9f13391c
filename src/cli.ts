#!/usr/bin/env node
/**
 * The command line: parses arguments, opens the database, runs one command from
 * `src/commands/`, and turns any failure into one line and an exit code.
 *
 * Exit codes: 0 success, 1 failure (a migration, the database), 2 bad usage.
 */
import { parseArgs } from 'node:util'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { commands } from './commands/index.js'
import type { Command, OptionValues, Output } from './commands/command.js'
import { connectDatabase, type AuthDatabase } from './db/connect.js'
import { databaseUrlFromEnv } from './db/env.js'
import { explainDatabaseError } from './db/explain-error.js'
import { parseDatabaseUrl, type DatabaseTarget } from './db/url.js'
import { AuthDbError, MigrationFailedError, SchemaConflictError, UsageError, describeError } from './errors.js'
import { DataLossError } from './down-guard.js'

const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

function usage(): string {
  const lines = ['usage: artorizer-auth-db <command> [options]', '', 'commands:']
  for (const [name, command] of Object.entries(commands)) {
    lines.push(`  ${name.padEnd(16)} ${command.summary}`)
    for (const help of command.help ?? []) lines.push(`      ${help}`)
  }
  lines.push(
    '',
    'options for every command:',
    '  --json           machine-readable output on stdout',
    '  -h, --help       show this help',
    '',
    'The database is DATABASE_URL (environment, then .env); unset means embedded PGlite in ./.data/pglite.',
    'Set DEBUG=1 to see stack traces.',
  )
  return lines.join('\n')
}

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  if (!command) return usageError(`unknown command "${name}"`)

  let options: OptionValues
  let positionals: string[]
  try {
    const parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...command.options },
    })
    options = parsed.values
    positionals = parsed.positionals
  } catch (error) {
    return usageError(describeError(error))
  }
  if (options.help) {
    console.log(usage())
    return 0
  }
  if (positionals.length > (command.maxPositionals ?? 0)) return usageError(`unexpected argument "${positionals[command.maxPositionals ?? 0]}"`)
  const invalid = command.validate?.(options, positionals)
  if (invalid) return usageError(invalid)

  const out = createOutput(options.json === true)
  return runCommand(command, options, positionals, out)
}


async function runCommand(command: Command, options: OptionValues, positionals: string[], out: Output): Promise<number> {
  let target: DatabaseTarget | undefined
  let database: AuthDatabase | undefined
  try {
    const url = databaseUrlFromEnv()
    if (command.runOffline) {
      await command.runOffline({ options, positionals, out, databaseUrl: url })
      return 0
    }
    target = parseDatabaseUrl(url)
    database = await connectDatabase({ url: url ?? '' })
    const code = await command.run({ database, options, positionals, out })
    return code ?? 0
  } catch (error) {
    const explained = target ? explainDatabaseError(error, target) : error
    reportFailure(out, explained)
    return explained instanceof UsageError ? 2 : 1
  } finally {
    await database?.db.destroy().catch(() => {})
  }
}

function createOutput(json: boolean): Output {
  return {
    json,
    interactive: !json && process.stdout.isTTY === true,
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
    const migration = error instanceof MigrationFailedError ? error.migrationName : undefined
    const wouldLose = error instanceof DataLossError ? error.losses : undefined
    // A refused adoption lists its findings ({ code, table, column, severity, message, fix }).
    const conflict = error instanceof MigrationFailedError ? error.cause : error
    const findings = conflict instanceof SchemaConflictError && conflict.findings.length > 0 ? conflict.findings : undefined
    console.log(
      JSON.stringify({ ok: false, error: message, ...(migration ? { migration } : {}), ...(wouldLose ? { wouldLose } : {}), ...(findings ? { findings } : {}) }, null, 2),
    )
  } else {
    console.error(`❌ ${message}`)
  }
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack)
  else if (!(error instanceof AuthDbError) && !out.json) console.error('   (set DEBUG=1 for the stack trace)')
}

function usageError(message: string): number {
  console.error(`error: ${message}\n\n${usage()}`)
  return 2
}

/** True when this file is the program being run (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  // `artorizer-auth-db migrate:status | head` closes our stdout early: stop quietly, as other
  // command-line tools do, instead of crashing on EPIPE with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      console.error(`❌ ${describeError(error)}`)
      process.exitCode = 1
    },
  )
}
