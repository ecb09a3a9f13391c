/**
 * The command line, on commander (https://github.com/tj/commander.js): every command of
 * `src/cli/commands/` with its own `--help`, `--version`, "did you mean" for a mistyped command or
 * flag, and every argument checked before anything connects. Usage errors are one line and a
 * pointer to `--help` (with `--json`: a JSON document on stdout), exit 2.
 *
 * Exit codes: 0 success, 1 failure (a migration, the database), 2 bad usage.
 */
import { Command as Commander, CommanderError, InvalidArgumentError, Option } from 'commander'
import { config as loadDotenv } from 'dotenv'
import { commands } from './commands/index.js'
import type { Command, OptionValues, Output } from './commands/command.js'
import { databaseUrlFromEnv } from '../db/env.js'
import { describeTarget, parseDatabaseUrl, type DatabaseTarget } from '../database-url/url.js'
import { AuthDbError, MigrationFailedError, SchemaConflictError, UsageError, describeError } from '../errors.js'
import { BIN_NAME, howToRun, rememberInvocation, type InvocationStyle } from '../invocation.js'
import { createOutput, decorates, errorLine } from './output.js'
import { packageVersion } from './version.js'
import { connectDatabase, type AuthDatabase } from '../db/connect.js'
import { explainDatabaseError } from '../db/explain-error.js'
import { DataLossError } from '../migrator/down-guard.js'

const FOOTER = `
The database is DATABASE_URL (environment, then .env); unset means embedded PGlite in ./.data/pglite.
Set DEBUG=1 to see stack traces. Exit codes: 0 success, 1 failure, 2 bad usage.`

/** What the arguments asked for, once commander has parsed and checked them. */
interface Invocation {
  readonly name: string
  readonly command: Command
  readonly options: OptionValues
  readonly positionals: string[]
}

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // The command line reads `.env` (the library never does); a variable already set wins.
  loadDotenv({ quiet: true })
  const style = rememberInvocation((name) => name in commands)
  const json = wantsJson(argv)
  let chosen: Invocation | undefined
  let usageMessage: string | undefined
  const program = buildProgram(style, (invocation) => (chosen = invocation), (message) => (usageMessage = message))

  const valued = flagWithValue(argv)
  if (valued) return usageError(`option '--${valued}' does not take an argument`, json, commandNamed(argv), style)
  if (argv.length === 0) {
    program.outputHelp({ error: true })
    return 2
  }
  try {
    program.parse(argv, { from: 'user' })
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    // --help and --version end here with exit code 0.
    if (error.exitCode === 0) return 0
    return usageError(usageMessage ?? error.message, json, commandNamed(argv), style)
  }
  if (!chosen) return 0
  const invalid = chosen.command.validate?.(chosen.options, chosen.positionals)
  if (invalid) return usageError(invalid, json, chosen.name, style)
  return runCommand(chosen, createOutput(json))
}

function buildProgram(style: InvocationStyle, choose: (invocation: Invocation) => void, captureError: (message: string) => void): Commander {
  const program = new Commander(style === 'npm-script' ? 'npm run' : BIN_NAME)
    .description("Migrates and checks artorizer-auth-db's database: Better Auth's tables and the artwork links.")
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      // Printed by usageError, in one line or as JSON.
      outputError: (text) => captureError(text.replace(/^error:\s*/, '').trim().replace(/\n/g, ' ')),
    })
    .addHelpText('after', FOOTER)

  for (const [name, command] of Object.entries(commands)) {
    const sub = program
      .command(name)
      .summary(command.summary)
      .description(command.description ?? command.summary)
      .helpOption('-h, --help', 'show help for this command')
    if (style === 'npm-script') sub.usage(`-- [options]${command.arguments ? ` ${command.arguments}` : ''}`)
    if (command.arguments) sub.argument(command.arguments)
    for (const def of command.options ?? []) {
      const option = new Option(def.flags, def.description)
      const parse = def.parse
      if (parse) {
        option.argParser((value: string) => {
          try {
            return parse(value)
          } catch (error) {
            throw new InvalidArgumentError(describeError(error))
          }
        })
      }
      sub.addOption(option)
    }
    sub.option('--json', 'machine-readable output: one JSON document on stdout')
    if (command.examples?.length) {
      const prefix = howToRun(name, '', style)
      sub.addHelpText('after', `\nExamples:\n${command.examples.map((example) => `  ${style === 'npm-script' && example ? `${prefix} -- ${example}` : `${prefix} ${example}`}`.trimEnd()).join('\n')}`)
    }
    sub.addHelpText('after', FOOTER)
    sub.action(() => {
      const options: OptionValues = {}
      for (const option of sub.options) {
        const long = option.long?.replace(/^--/, '')
        if (long) options[long] = sub.getOptionValue(option.attributeName())
      }
      choose({ name, command, options, positionals: sub.args })
    })
  }
  return program
}

/** `--json` anywhere before a `--` (also in a usage error, so that a script gets JSON back). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}

/** A boolean flag given a value (`--check=yes`), which commander would call an unknown option. */
function flagWithValue(argv: readonly string[]): string | undefined {
  const command = commands[commandNamed(argv) ?? '']
  if (!command) return undefined
  const flags = new Set(['json', ...(command.options ?? []).filter((o) => !/[<[]/.test(o.flags)).map((o) => o.flags.replace(/^--/, ''))])
  for (const arg of argv) {
    if (arg === '--') break
    const match = /^--([^=]+)=/.exec(arg)
    if (match && flags.has(match[1]!)) return match[1]
  }
  return undefined
}

function commandNamed(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg in commands)
}

function usageError(message: string, json: boolean, command: string | undefined, style: InvocationStyle): number {
  const help = command ? howToRun(command, '--help', style) : style === 'npm-script' ? 'npm run' : `${BIN_NAME} --help`
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, usage: true, error: message, ...(command ? { command } : {}) }, null, 2)}\n`)
  } else {
    process.stderr.write(`${errorLine(message)}\n${command || style !== 'npm-script' ? `Run ${help} for usage.` : 'Run npm run to list the commands.'}\n`)
  }
  return 2
}

async function runCommand({ command, options, positionals }: Invocation, out: Output): Promise<number> {
  let target: DatabaseTarget | undefined
  let database: AuthDatabase | undefined
  try {
    const url = databaseUrlFromEnv()
    if (command.runOffline) {
      await command.runOffline({ options, positionals, out, databaseUrl: url })
      return 0
    }
    target = parseDatabaseUrl(url)
    database = await connectDatabase({
      url: url ?? '',
      createIfMissing: !(typeof command.readOnly === 'function' ? command.readOnly(options) : command.readOnly),
      onCreateDatabase: (event) => {
        if (event.phase === 'template') out.line(`⏳ Preparing the embedded database's template in ${event.template} (once per machine; takes a few seconds)...`)
        else out.line(`⏳ Creating the embedded database in ${describeTarget(target!).replace(/^pglite:/, '')}...`)
      },
    })
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

function reportFailure(out: Output, error: unknown): void {
  const message = describeError(error)
  if (out.json) {
    const migration = error instanceof MigrationFailedError ? error.migrationName : undefined
    const wouldLose = error instanceof DataLossError ? error.losses : undefined
    // A refused adoption lists its findings ({ code, table, column, severity, message, fix }).
    const conflict = error instanceof MigrationFailedError ? error.cause : error
    const findings = conflict instanceof SchemaConflictError && conflict.findings.length > 0 ? conflict.findings : undefined
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: message, ...(migration ? { migration } : {}), ...(wouldLose ? { wouldLose } : {}), ...(findings ? { findings } : {}) }, null, 2)}\n`,
    )
  } else {
    process.stderr.write(`${errorLine(message, decorates(process.stderr))}\n`)
  }
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack)
  else if (!(error instanceof AuthDbError) && !out.json) console.error('   (set DEBUG=1 for the stack trace)')
}
