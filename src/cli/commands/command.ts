/**
 * The shape of a CLI command. Each command is one file in this folder, a thin layer over the
 * exported API; `src/cli/program.ts` turns these definitions into commander commands (help,
 * suggestions, argument checks) and hands a command what it asked for.
 *
 * A command file imports only light modules at its top: whatever pulls in a heavy package
 * (Better Auth, a driver) is imported inside `run`, so that `migrate:status` never loads it.
 */
import type { AuthDatabase } from '../../db/connect.js'

/** One option of a command, in commander's notation. */
export interface OptionDef {
  /** e.g. `--batch-size <n>`, `--force`, `--to <name>` */
  readonly flags: string
  /** One line for the command's `--help`. */
  readonly description: string
  /**
   * Checks (and converts) the value before anything connects; throws an `Error` whose message
   * says what is wrong, which the CLI reports as a usage error (exit 2).
   */
  readonly parse?: (value: string) => unknown
}

/** Parsed option values, by the option's long name (`batch-size`, `dry-run`). */
export type OptionValues = Record<string, unknown>

export interface CommandContext {
  readonly database: AuthDatabase
  readonly options: OptionValues
  readonly positionals: readonly string[]
  readonly out: Output
}

export interface Command {
  /** One line for the list of commands. */
  readonly summary: string
  /** A longer description for the command's own `--help` (default: the summary). */
  readonly description?: string
  readonly options?: readonly OptionDef[]
  /** Positional arguments in commander's notation, e.g. `[job-ids...]` (default: none taken). */
  readonly arguments?: string
  /** Lines shown under "Examples:" in the command's `--help`, without the command prefix. */
  readonly examples?: readonly string[]
  /**
   * Only reads (always, or with these options): never creates a database; a missing embedded
   * database is an error instead.
   */
  readonly readOnly?: boolean | ((options: OptionValues) => boolean)
  /** Checks the options together before any connection is opened; returns an error message or nothing. */
  validate?(options: OptionValues, positionals: readonly string[]): string | undefined
  /** Resolves with the exit code when it is not 0 (a check that found problems); throws on failure. */
  run(context: CommandContext): Promise<void | number>
  /**
   * Set instead of `run` by commands that need no database connection (they may still read
   * `DATABASE_URL`, e.g. for its dialect). The CLI then opens nothing.
   */
  runOffline?(context: OfflineContext): Promise<void>
}

/** What a command that needs no connection is given. */
export interface OfflineContext {
  readonly options: OptionValues
  readonly positionals: readonly string[]
  readonly out: Output
  /** The raw `DATABASE_URL` (environment, then `.env`), if any. */
  readonly databaseUrl: string | undefined
}

/** Where a command writes: human lines, or one JSON document with `--json`. */
export interface Output {
  readonly json: boolean
  /** Whether stdout is a terminal a person watches (progress may be shown). */
  readonly interactive: boolean
  /**
   * A human line on stdout (nothing with `--json`). A leading status mark (✅ ❌ ⚠️ ⏳ ➖) is
   * drawn on a terminal and turned into a word (or dropped) under `NO_COLOR` or in a pipe.
   */
  line(text: string): void
  result(value: unknown): void
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** Seconds with one decimal, for "Applied 0001_better_auth (0.4 s)". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
